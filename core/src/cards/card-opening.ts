import type { Param, Statement } from '../db/database.ts';
import { newId } from '../ids.ts';
import { insertCardEvents } from './card-events.ts';

/** A person to open a card for, with the sealed PII fields as stored. */
export interface PersonToOpen {
  personNo: string;
  name: string;
  type: string;
  department: string | null;
  /** The person's status as the source has it (`active`, or `suspended` …); the card opens active. */
  status: string;
  idNumberEnc: string | null;
  phoneEnc: string | null;
  cardNo: string;
}

/** What opening made: the ids the caller may need for its own rows. */
export interface Opened {
  personNo: string;
  personId: string;
  cardNo: string;
}

/**
 * The cards domain's writes for opening cards: the persons, both wallets of each (the ledger's
 * accounts, opened empty), the cards and their 'opened' events, as four multi-row INSERTs. The one
 * place these rows are written at opening, whether one card at the counter (CardRepository.open) or a
 * page of hundreds by the identity sync, which runs them in its own transaction with its own rows so a
 * page opens all or none (docs/sync.md).
 */
export function openingStatements(
  people: readonly PersonToOpen[],
  limits: { dailyLimit: number; pinFreeLimit: number },
  actor: { type: string; id: string | null; reason: string | null },
  nowMs: number,
): { statements: Statement[]; opened: Opened[] } {
  if (people.length === 0) return { statements: [], opened: [] };
  const persons: Param[] = [];
  const accounts: Param[] = [];
  const cards: Param[] = [];
  const opened: Opened[] = [];
  for (const p of people) {
    const personId = newId(nowMs);
    const mainId = newId(nowMs);
    const subsidyId = newId(nowMs);
    persons.push(
      personId,
      p.personNo,
      p.name,
      p.type,
      p.department,
      p.status,
      p.idNumberEnc,
      p.phoneEnc,
      nowMs,
      nowMs,
    );
    accounts.push(mainId, 'wallet_main', personId, nowMs, subsidyId, 'wallet_subsidy', personId, nowMs);
    cards.push(p.cardNo, personId, mainId, subsidyId, limits.dailyLimit, limits.pinFreeLimit, nowMs, nowMs);
    opened.push({ personNo: p.personNo, personId, cardNo: p.cardNo });
  }
  const rows = (row: string) => people.map(() => row).join(', ');
  return {
    statements: [
      {
        sql: `INSERT INTO persons (id, person_no, name, type, department, status, id_number_enc, phone_enc, created_at_ms, updated_at_ms)
              VALUES ${rows('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')}`,
        params: persons,
      },
      {
        sql: `INSERT INTO accounts (id, kind, owner_id, allow_overdraft, created_at_ms) VALUES ${rows('(?, ?, ?, 0, ?), (?, ?, ?, 0, ?)')}`,
        params: accounts,
      },
      {
        sql: `INSERT INTO cards (card_no, person_id, status, version, main_account_id, subsidy_account_id, daily_limit, pin_free_limit, created_at_ms, updated_at_ms)
              VALUES ${rows("(?, ?, 'active', 1, ?, ?, ?, ?, ?, ?)")}`,
        params: cards,
      },
      insertCardEvents(
        people.map((p) => ({
          cardNo: p.cardNo,
          kind: 'opened',
          fromStatus: null,
          toStatus: 'active' as const,
          version: 1,
          actorType: actor.type,
          actorId: actor.id,
          reason: actor.reason,
          createdAtMs: nowMs,
        })),
      ),
    ],
    opened,
  };
}
