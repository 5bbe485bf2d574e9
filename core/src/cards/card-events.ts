import type { Param, Statement } from '../db/database.ts';
import { newId } from '../ids.ts';
import type { CardStatus } from './card-repository.ts';

/** One line of a card's history: who changed it, when, why, and to which status and version. */
export interface CardEventRow {
  cardNo: string;
  kind: string;
  fromStatus: CardStatus | null;
  toStatus: CardStatus;
  version: number;
  actorType: string;
  actorId: string | null;
  reason: string | null;
  createdAtMs: number;
}

/** The INSERT for card events, used by card affairs and by ledger operations that change a card. */
export function insertCardEvents(events: readonly CardEventRow[]): Statement {
  const params: Param[] = [];
  for (const e of events) {
    params.push(
      newId(e.createdAtMs),
      e.cardNo,
      e.kind,
      e.fromStatus,
      e.toStatus,
      e.version,
      e.actorType,
      e.actorId,
      e.reason,
      e.createdAtMs,
    );
  }
  const row = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
  return {
    sql: `INSERT INTO card_events (id, card_no, kind, from_status, to_status, version, actor_type, actor_id, reason, created_at_ms)
          VALUES ${events.map(() => row).join(', ')}`,
    params,
  };
}
