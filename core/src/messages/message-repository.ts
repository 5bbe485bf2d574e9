import type { Database } from '../db/database.ts';
import { formatDay, shanghaiOffsetMs } from '../time.ts';
import {
  type DeliveryFailure,
  defaultPreferences,
  type MessageChannel,
  type MessageDailyCount,
  type MessageKind,
  type MessagePreferences,
  messageKinds,
  type OutboxRow,
  type OutboxStatus,
  outboxMessageId,
} from './message-types.ts';

const outboxColumns =
  'event_key, person_id, channel, kind, payload, status, attempts, next_at_ms, last_error, guardian_link_id, guardian_of';

const toRow = (r: Record<string, unknown>): OutboxRow => ({
  eventKey: String(r.event_key),
  personId: String(r.person_id),
  channel: String(r.channel) as MessageChannel,
  kind: String(r.kind) as MessageKind,
  payload: JSON.parse(String(r.payload)) as OutboxRow['payload'],
  status: String(r.status) as OutboxStatus,
  attempts: Number(r.attempts),
  nextAtMs: Number(r.next_at_ms),
  lastError: r.last_error === null ? null : String(r.last_error),
  guardianLinkId:
    r.guardian_link_id === null || r.guardian_link_id === undefined ? null : String(r.guardian_link_id),
  guardianOf: r.guardian_of === null || r.guardian_of === undefined ? null : String(r.guardian_of),
});

/** The outbox, preferences, consents and shared tokens (sql/080); the only SQL of messages. */
export class MessageRepository {
  constructor(private readonly db: Database) {}

  private get ignore(): string {
    return this.db.dialect === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
  }

  /** The person's phone as stored (encrypted), for the SMS fallback; looked up at delivery, never kept here. */
  async phoneEncOf(personId: string): Promise<string | undefined> {
    const rows = await this.db.select<{ phone_enc: string | null }>(
      'SELECT phone_enc FROM persons WHERE id = ?',
      [personId],
    );
    return rows[0]?.phone_enc ?? undefined;
  }

  /** Adds the row unless the (event, person, channel) is there already; answers whether it was added. */
  async enqueue(row: {
    eventKey: string;
    personId: string;
    channel: MessageChannel;
    kind: MessageKind;
    payload: OutboxRow['payload'];
    status: 'pending' | 'skipped';
    lastError: string | null;
    nowMs: number;
    /** A parent's message (sql/082): the link it is about. */
    guardianLinkId?: string;
    /** An SMS to a guardian on record (sql/150): the child it is about. */
    guardianOf?: string;
  }): Promise<boolean> {
    const added = await this.db.execute(
      `${this.ignore} INTO message_outbox (event_key, person_id, channel, kind, payload, status, attempts,
         next_at_ms, lease_until_ms, last_error, created_at_ms, done_at_ms, guardian_link_id, guardian_of, out_id)
       VALUES (?, ?, ?, ?, ?, ?, 0, ?, 0, ?, ?, ?, ?, ?, ?)`,
      [
        row.eventKey,
        row.personId,
        row.channel,
        row.kind,
        JSON.stringify(row.payload),
        row.status,
        row.nowMs,
        row.lastError,
        row.nowMs,
        row.status === 'skipped' ? row.nowMs : null,
        row.guardianLinkId ?? null,
        row.guardianOf ?? null,
        outboxMessageId(row),
      ],
    );
    return added === 1;
  }

  /**
   * The SMS provider's delivery report for the row with this OutId (sql/180): not delivered turns a
   * `sent` row `failed` with `sms_report_<carrier code>`; anything else (delivered, a row not sent, an
   * unknown id, a report pushed again) changes nothing. Answers whether a row changed.
   */
  async smsUndelivered(outId: string, errCode: string, nowMs: number): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE message_outbox SET status = 'failed', last_error = ?, done_at_ms = ?
        WHERE out_id = ? AND channel = 'sms' AND status = 'sent'`,
      [`sms_report_${errCode}`, nowMs, outId],
    );
    return changed === 1;
  }

  /**
   * The account that paid the top-up a ledger operation credited (`wx:<transaction id>` or
   * `ali:<trade no>`), for a parent's receipt; undefined for any other operation.
   */
  async topUpPayer(operationId: string): Promise<string | undefined> {
    const [prefix, transactionId] = operationId.split(/:(.*)/s, 2);
    const channel = prefix === 'wx' ? 'wechat' : prefix === 'ali' ? 'alipay' : undefined;
    if (channel === undefined || !transactionId) return undefined;
    const rows = await this.db.select<{ openid: string }>(
      'SELECT openid FROM top_up_orders WHERE channel = ? AND transaction_id = ? AND fee_bill_id IS NULL',
      [channel, transactionId],
    );
    return rows[0] === undefined ? undefined : String(rows[0].openid);
  }

  /**
   * The name of the merchant a card operation paid (a payment's own merchant; a settled or expired
   * hold's through the hold it resolved), for the receipt; undefined when it paid none.
   */
  async merchantNameOf(operationId: string): Promise<string | undefined> {
    const rows = await this.db.select<{ name: string }>(
      `SELECT m.name FROM operations o
         LEFT JOIN holds h ON o.merchant_id IS NULL AND h.resolved_by = o.id
         JOIN merchants m ON m.id = COALESCE(o.merchant_id, h.merchant_id)
        WHERE o.id = ?`,
      [operationId],
    );
    return rows[0] === undefined ? undefined : String(rows[0].name);
  }

  /**
   * Rows of a channel whose send had no answer (unknown) and that may be asked about now: their next
   * question is due, the first only once `settledBeforeMs` has passed since they became unknown, and
   * fewer than `checksMax` questions were asked. With when they became unknown and the questions so far.
   */
  async unknownDue(
    channel: MessageChannel,
    nowMs: number,
    settledBeforeMs: number,
    checksMax: number,
    limit: number,
  ): Promise<{ row: OutboxRow; doneAtMs: number; checks: number }[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${outboxColumns}, done_at_ms, unknown_checks FROM message_outbox
        WHERE status = 'unknown' AND next_at_ms <= ? AND channel = ? AND done_at_ms <= ? AND unknown_checks < ?
        ORDER BY next_at_ms LIMIT ?`,
      [nowMs, channel, settledBeforeMs, checksMax, limit],
    );
    return rows.map((r) => ({
      row: toRow(r),
      doneAtMs: Number(r.done_at_ms),
      checks: Number(r.unknown_checks),
    }));
  }

  /**
   * Reserves the next question about an unknown row before it is asked: one conditional UPDATE counts it
   * and moves its next time on, so two workers never ask the same question. Answers whether it was ours.
   */
  async reserveUnknownCheck(row: OutboxRow, checks: number, nextAtMs: number): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE message_outbox SET unknown_checks = unknown_checks + 1, next_at_ms = ?
        WHERE event_key = ? AND person_id = ? AND channel = ? AND status = 'unknown' AND unknown_checks = ?`,
      [nextAtMs, row.eventKey, row.personId, row.channel, checks],
    );
    return changed === 1;
  }

  /** An unknown row settled by the platform's record: sent or failed, once. */
  async settleUnknown(row: OutboxRow, to: 'sent' | 'failed', lastError: string | null, nowMs: number) {
    const changed = await this.db.execute(
      `UPDATE message_outbox SET status = ?, last_error = ?, done_at_ms = ?
        WHERE event_key = ? AND person_id = ? AND channel = ? AND status = 'unknown'`,
      [to, lastError, nowMs, row.eventKey, row.personId, row.channel],
    );
    return changed === 1;
  }

  /** A claim whose worker died while the request may have left is never sent again: unknown. */
  async abandonStaleSending(nowMs: number): Promise<number> {
    return this.db.execute(
      `UPDATE message_outbox SET status = 'unknown', last_error = 'worker_stopped_while_sending', done_at_ms = ?,
              lease_owner = NULL WHERE status = 'sending' AND lease_until_ms <= ?`,
      [nowMs, nowMs],
    );
  }

  /**
   * Claims up to `limit` due rows for `owner` until `leaseUntilMs`: pending ones whose time came, and
   * claimed ones whose worker let the lease run out before sending anything. Each claim is a
   * conditional UPDATE, so two workers never hold the same row.
   */
  async claim(owner: string, nowMs: number, leaseUntilMs: number, limit: number): Promise<OutboxRow[]> {
    const due = `((status = 'pending' AND next_at_ms <= ?) OR (status = 'claimed' AND lease_until_ms <= ?))`;
    const candidates = await this.db.select<Record<string, unknown>>(
      `SELECT ${outboxColumns} FROM message_outbox WHERE ${due} ORDER BY next_at_ms LIMIT ?`,
      [nowMs, nowMs, limit * 4],
    );
    // More candidates than wanted, so racing workers each find rows beyond the ones the others won.
    const claimed: OutboxRow[] = [];
    for (const c of candidates) {
      if (claimed.length >= limit) break;
      const row = toRow(c);
      const won = await this.db.execute(
        `UPDATE message_outbox SET status = 'claimed', lease_owner = ?, lease_until_ms = ?
          WHERE event_key = ? AND person_id = ? AND channel = ? AND ${due}`,
        [owner, leaseUntilMs, row.eventKey, row.personId, row.channel, nowMs, nowMs],
      );
      if (won === 1) claimed.push({ ...row, status: 'claimed' });
    }
    return claimed;
  }

  /** Moves a row this owner holds from one status to the next; answers whether it still held it. */
  async transition(
    row: OutboxRow,
    owner: string,
    from: OutboxStatus,
    to: OutboxStatus,
    change: {
      attempts?: number;
      nextAtMs?: number;
      lastError?: string | null;
      leaseUntilMs?: number;
      nowMs: number;
    },
  ): Promise<boolean> {
    const final = to !== 'pending' && to !== 'claimed' && to !== 'sending';
    const changed = await this.db.execute(
      `UPDATE message_outbox SET status = ?, attempts = ?, next_at_ms = ?, last_error = ?,
              lease_until_ms = ?, lease_owner = ?, done_at_ms = ?
        WHERE event_key = ? AND person_id = ? AND channel = ? AND status = ? AND lease_owner = ?`,
      [
        to,
        change.attempts ?? row.attempts,
        change.nextAtMs ?? row.nextAtMs,
        change.lastError === undefined ? row.lastError : change.lastError,
        change.leaseUntilMs ?? 0,
        to === 'pending' || final ? null : owner,
        final ? change.nowMs : null,
        row.eventKey,
        row.personId,
        row.channel,
        from,
        owner,
      ],
    );
    return changed === 1;
  }

  async outboxRow(
    eventKey: string,
    personId: string,
    channel: MessageChannel,
  ): Promise<OutboxRow | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${outboxColumns} FROM message_outbox WHERE event_key = ? AND person_id = ? AND channel = ?`,
      [eventKey, personId, channel],
    );
    return rows[0] === undefined ? undefined : toRow(rows[0]);
  }

  /** Rows queued since sinceMs per Asia/Shanghai day, channel, kind and status (the backoffice chart). */
  async dailyCounts(sinceMs: number): Promise<MessageDailyCount[]> {
    const div = this.db.dialect === 'mysql' ? 'DIV' : '/';
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT (created_at_ms + ${shanghaiOffsetMs}) ${div} 86400000 AS d, channel, kind, status, COUNT(*) AS n
         FROM message_outbox WHERE created_at_ms >= ?
        GROUP BY d, channel, kind, status ORDER BY d, channel, kind, status`,
      [sinceMs],
    );
    return rows.map((r) => ({
      day: formatDay(Number(r.d)),
      channel: String(r.channel) as MessageChannel,
      kind: String(r.kind) as MessageKind,
      status: String(r.status) as OutboxStatus,
      count: Number(r.n),
    }));
  }

  /** The latest deliveries that did not arrive (refused, failed, unknown), newest first; no person data. */
  async failures(limit: number): Promise<DeliveryFailure[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT event_key, channel, kind, status, last_error, attempts, done_at_ms FROM message_outbox
        WHERE status IN ('refused', 'failed', 'unknown') ORDER BY done_at_ms DESC LIMIT ?`,
      [limit],
    );
    return rows.map((r) => ({
      eventKey: String(r.event_key),
      channel: String(r.channel) as MessageChannel,
      kind: String(r.kind) as MessageKind,
      status: String(r.status) as OutboxStatus,
      lastError: r.last_error === null ? null : String(r.last_error),
      attempts: Number(r.attempts),
      atMs: Number(r.done_at_ms),
    }));
  }

  /** The person's stored preferences, or `fallback` where they stored none. */
  async preferences(personId: string, fallback = defaultPreferences): Promise<MessagePreferences> {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT quiet_start_min, quiet_end_min, opted_out, receipts, low_balance_fen FROM message_preferences WHERE person_id = ?',
      [personId],
    );
    const r = rows[0];
    if (r === undefined) return { ...fallback, optedOut: [...fallback.optedOut] };
    const known = new Set<string>(messageKinds);
    return {
      quietStartMin: Number(r.quiet_start_min),
      quietEndMin: Number(r.quiet_end_min),
      optedOut: String(r.opted_out)
        .split(',')
        .filter((k): k is MessageKind => known.has(k)),
      receipts: Number(r.receipts) === 1,
      lowBalanceFen: r.low_balance_fen === null ? null : Number(r.low_balance_fen),
    };
  }

  async savePreferences(personId: string, p: MessagePreferences, nowMs: number): Promise<void> {
    const values = [
      p.quietStartMin,
      p.quietEndMin,
      p.optedOut.join(','),
      p.receipts ? 1 : 0,
      p.lowBalanceFen,
      nowMs,
    ];
    const updated = await this.db.execute(
      `UPDATE message_preferences SET quiet_start_min = ?, quiet_end_min = ?, opted_out = ?, receipts = ?,
              low_balance_fen = ?, updated_at_ms = ? WHERE person_id = ?`,
      [...values, personId],
    );
    if (updated === 1) return;
    await this.db.execute(
      `${this.ignore} INTO message_preferences (quiet_start_min, quiet_end_min, opted_out, receipts, low_balance_fen, updated_at_ms, person_id)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [...values, personId],
    );
  }

  /** One more one-time consent for the kind (each acceptance in the app allows one message). */
  async addConsent(
    personId: string,
    channel: MessageChannel,
    kind: MessageKind,
    nowMs: number,
  ): Promise<void> {
    const updated = await this.db.execute(
      `UPDATE message_consents SET remaining = remaining + 1, updated_at_ms = ?
        WHERE person_id = ? AND channel = ? AND kind = ?`,
      [nowMs, personId, channel, kind],
    );
    if (updated === 1) return;
    const added = await this.db.execute(
      `${this.ignore} INTO message_consents (person_id, channel, kind, remaining, updated_at_ms) VALUES (?, ?, ?, 1, ?)`,
      [personId, channel, kind, nowMs],
    );
    if (added === 0) await this.addConsent(personId, channel, kind, nowMs);
  }

  /** Takes one consent if there is one left (reserves before the request leaves); answers whether it did. */
  async takeConsent(
    personId: string,
    channel: MessageChannel,
    kind: MessageKind,
    nowMs: number,
  ): Promise<boolean> {
    const taken = await this.db.execute(
      `UPDATE message_consents SET remaining = remaining - 1, updated_at_ms = ?
        WHERE person_id = ? AND channel = ? AND kind = ? AND remaining > 0`,
      [nowMs, personId, channel, kind],
    );
    return taken === 1;
  }

  /** Gives back a consent taken for a message the platform definitely did not take. */
  async returnConsent(
    personId: string,
    channel: MessageChannel,
    kind: MessageKind,
    nowMs: number,
  ): Promise<void> {
    await this.addConsent(personId, channel, kind, nowMs);
  }

  async remainingConsents(personId: string, channel: MessageChannel, kind: MessageKind): Promise<number> {
    const rows = await this.db.select<{ remaining: unknown }>(
      'SELECT remaining FROM message_consents WHERE person_id = ? AND channel = ? AND kind = ?',
      [personId, channel, kind],
    );
    return rows[0] === undefined ? 0 : Number(rows[0].remaining);
  }

  // Shared access tokens (one refresher for all instances).

  async token(
    name: string,
  ): Promise<{ token: string | null; expiresAtMs: number; leaseUntilMs: number; generation: number }> {
    await this.db.execute(`${this.ignore} INTO message_tokens (name, generation) VALUES (?, 0)`, [name]);
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT token, expires_at_ms, lease_until_ms, generation FROM message_tokens WHERE name = ?',
      [name],
    );
    const r = rows[0] ?? {};
    return {
      token: r.token === null || r.token === undefined ? null : String(r.token),
      expiresAtMs: Number(r.expires_at_ms ?? 0),
      leaseUntilMs: Number(r.lease_until_ms ?? 0),
      generation: Number(r.generation ?? 0),
    };
  }

  /** Takes the refresh lease if nobody holds it and the token is still the generation seen. */
  async leaseToken(
    name: string,
    owner: string,
    generation: number,
    nowMs: number,
    untilMs: number,
  ): Promise<boolean> {
    const won = await this.db.execute(
      `UPDATE message_tokens SET lease_owner = ?, lease_until_ms = ?
        WHERE name = ? AND generation = ? AND lease_until_ms <= ?`,
      [owner, untilMs, name, generation, nowMs],
    );
    return won === 1;
  }

  async storeToken(name: string, owner: string, token: string, expiresAtMs: number): Promise<void> {
    await this.db.execute(
      `UPDATE message_tokens SET token = ?, expires_at_ms = ?, generation = generation + 1, lease_until_ms = 0,
              lease_owner = NULL WHERE name = ? AND lease_owner = ?`,
      [token, expiresAtMs, name, owner],
    );
  }

  /** Lets go of the refresh lease after a failed fetch, the token unchanged. */
  async releaseToken(name: string, owner: string): Promise<void> {
    await this.db.execute(
      'UPDATE message_tokens SET lease_until_ms = 0, lease_owner = NULL WHERE name = ? AND lease_owner = ?',
      [name, owner],
    );
  }
}
