// The access log (docs/passage.md): reads access_events (written by the devices domain) with the door each
// device is at and the person's name. Read-only joins of other domains' tables, as a report is.

import type { AccessLogQuery, AccessLogRow } from '../contract/passage.ts';
import type { Database, Param } from '../db/database.ts';

type Row = Record<string, unknown>;
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export class AccessLogRepository {
  constructor(private readonly db: Database) {}

  /** Newest first; `doorIds` (already resolved from a place) narrows to those doors' devices. */
  async page(q: Omit<AccessLogQuery, 'placeId'>, doorIds: readonly string[] | null): Promise<AccessLogRow[]> {
    const where = ['e.occurred_at_ms >= ?', 'e.occurred_at_ms < ?'];
    const params: Param[] = [q.fromMs, q.toMs];
    if (doorIds !== null) {
      if (doorIds.length === 0) return [];
      where.push(`d.door_id IN (${doorIds.map(() => '?').join(', ')})`);
      params.push(...doorIds);
    }
    for (const [column, value] of [
      ['e.person_no', q.personNo],
      ['e.card_no', q.cardNo],
      ['e.decision', q.decision],
      ['e.direction', q.direction],
      ['e.source', q.source],
    ] as const) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      params.push(value);
    }
    if (q.beforeAtMs !== undefined && q.beforeId !== undefined) {
      where.push('(e.occurred_at_ms < ? OR (e.occurred_at_ms = ? AND e.id < ?))');
      params.push(q.beforeAtMs, q.beforeAtMs, q.beforeId);
    }
    params.push(q.limit);
    const rows = await this.db.select<Row>(
      `SELECT e.id, e.device_id, d.door_id, pl.name AS door_name, e.card_no, e.person_no,
              pn.name AS person_name, e.direction, e.decision, e.reason, e.source, e.occurred_at_ms
         FROM access_events e
         LEFT JOIN passage_door_devices d ON d.device_id = e.device_id
         LEFT JOIN passage_places pl ON pl.id = d.door_id
         LEFT JOIN persons pn ON pn.person_no = e.person_no
        WHERE ${where.join(' AND ')}
        ORDER BY e.occurred_at_ms DESC, e.id DESC LIMIT ?`,
      params,
    );
    return rows.map((r) => ({
      id: String(r.id),
      deviceId: String(r.device_id),
      doorId: strOrNull(r.door_id),
      doorName: strOrNull(r.door_name),
      cardNo: strOrNull(r.card_no),
      personNo: strOrNull(r.person_no),
      name: strOrNull(r.person_name),
      direction: String(r.direction) as AccessLogRow['direction'],
      decision: String(r.decision) as AccessLogRow['decision'],
      reason: strOrNull(r.reason),
      source: String(r.source) as AccessLogRow['source'],
      occurredAtMs: Number(r.occurred_at_ms),
    }));
  }
}
