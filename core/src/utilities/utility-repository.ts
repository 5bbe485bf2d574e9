import type {
  DormRoom,
  UtilityOrder,
  UtilityOrderStatus,
  UtilityPurchase,
  UtilityService,
} from '../contract/utilities.ts';
import type { Database } from '../db/database.ts';
import { isDuplicateKey } from '../db/database.ts';

const orderColumns =
  'id, service, target, package_id, card_no, person_id, amount, status, failure_code, result, attempts, created_at_ms, updated_at_ms';

function toOrder(r: Record<string, unknown>): UtilityOrder {
  return {
    id: String(r.id),
    service: String(r.service) as UtilityService,
    target: String(r.target),
    packageId: r.package_id === null ? null : String(r.package_id),
    cardNo: String(r.card_no),
    personId: String(r.person_id),
    amount: Number(r.amount),
    status: String(r.status) as UtilityOrderStatus,
    failureCode: r.failure_code === null ? null : String(r.failure_code),
    result: r.result === null ? null : (JSON.parse(String(r.result)) as Record<string, unknown>),
    attempts: Number(r.attempts),
    createdAtMs: Number(r.created_at_ms),
    updatedAtMs: Number(r.updated_at_ms),
  };
}

/** utility_orders, dorm_rooms and dorm_residents (sql/060): the only SQL of the utilities domain. */
export class UtilityRepository {
  constructor(private readonly db: Database) {}

  /** Inserts the order unless its id exists; true when this call inserted it. */
  async insert(
    order: UtilityPurchase & { personId: string },
    nowMs: number,
    nextCheckAtMs: number,
  ): Promise<boolean> {
    try {
      await this.db.execute(
        `INSERT INTO utility_orders (id, service, target, package_id, card_no, person_id, amount, status, attempts, next_check_at_ms, created_at_ms, updated_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'created', 0, ?, ?, ?)`,
        [
          order.id,
          order.service,
          order.target,
          order.packageId ?? null,
          order.cardNo,
          order.personId,
          order.amount,
          nextCheckAtMs,
          nowMs,
          nowMs,
        ],
      );
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async get(id: string): Promise<UtilityOrder | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${orderColumns} FROM utility_orders WHERE id = ?`,
      [id],
    );
    return rows[0] ? toOrder(rows[0]) : undefined;
  }

  /** Moves an order from one status to the next; false when it was no longer in `from` (another run moved it). */
  async transition(
    id: string,
    from: UtilityOrderStatus,
    to: UtilityOrderStatus,
    fields: { failureCode?: string | null; result?: Record<string, unknown> | null; nextCheckAtMs?: number },
    nowMs: number,
  ): Promise<boolean> {
    const sets = ['status = ?', 'updated_at_ms = ?'];
    const params: (string | number | null)[] = [to, nowMs];
    if (fields.failureCode !== undefined) {
      sets.push('failure_code = ?');
      params.push(fields.failureCode);
    }
    if (fields.result !== undefined) {
      sets.push('result = ?');
      params.push(fields.result === null ? null : JSON.stringify(fields.result));
    }
    if (fields.nextCheckAtMs !== undefined) {
      sets.push('next_check_at_ms = ?');
      params.push(fields.nextCheckAtMs);
    }
    const changed = await this.db.execute(
      `UPDATE utility_orders SET ${sets.join(', ')} WHERE id = ? AND status = ?`,
      [...params, id, from],
    );
    return changed === 1;
  }

  /** An attempt that got no answer: counted, and the next check put off. */
  async postpone(
    id: string,
    status: UtilityOrderStatus,
    nextCheckAtMs: number,
    nowMs: number,
  ): Promise<void> {
    await this.db.execute(
      'UPDATE utility_orders SET attempts = attempts + 1, next_check_at_ms = ?, updated_at_ms = ? WHERE id = ? AND status = ?',
      [nextCheckAtMs, nowMs, id, status],
    );
  }

  /**
   * Orders not finished whose next check has come (every held or credited one when `now` is asked for),
   * and orders still 'created' made before createdBeforeMs; oldest check first.
   */
  async due(nowMs: number, createdBeforeMs: number, all: boolean, limit: number): Promise<UtilityOrder[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${orderColumns} FROM utility_orders
        WHERE (status IN ('held', 'credited') AND (? = 1 OR next_check_at_ms <= ?))
           OR (status = 'created' AND created_at_ms <= ?)
        ORDER BY next_check_at_ms LIMIT ?`,
      [all ? 1 : 0, nowMs, createdBeforeMs, limit],
    );
    return rows.map(toOrder);
  }

  async list(q: {
    service?: UtilityService;
    cardNo?: string;
    target?: string;
    status?: UtilityOrderStatus;
    before?: { atMs: number; id: string };
    limit: number;
  }): Promise<UtilityOrder[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    for (const [column, value] of [
      ['service', q.service],
      ['card_no', q.cardNo],
      ['target', q.target],
      ['status', q.status],
    ] as const) {
      if (value !== undefined) {
        where.push(`${column} = ?`);
        params.push(value);
      }
    }
    if (q.before) {
      where.push('(created_at_ms < ? OR (created_at_ms = ? AND id < ?))');
      params.push(q.before.atMs, q.before.atMs, q.before.id);
    }
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${orderColumns} FROM utility_orders ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at_ms DESC, id DESC LIMIT ?`,
      [...params, q.limit],
    );
    return rows.map(toOrder);
  }

  /** Counts and totals per status, for the backoffice. */
  async summary(
    service: UtilityService,
  ): Promise<{ status: UtilityOrderStatus; count: number; amount: number }[]> {
    const rows = await this.db.select<{ status: string; n: number; total: number }>(
      'SELECT status, COUNT(*) AS n, COALESCE(SUM(amount), 0) AS total FROM utility_orders WHERE service = ? GROUP BY status',
      [service],
    );
    return rows.map((r) => ({
      status: r.status as UtilityOrderStatus,
      count: Number(r.n),
      amount: Number(r.total),
    }));
  }

  async upsertRoom(
    id: string,
    building: string,
    roomNo: string,
    lowKwhCenti: number | undefined,
    nowMs: number,
  ): Promise<void> {
    const changed = await this.db.execute(
      `UPDATE dorm_rooms SET building = ?, room_no = ?${lowKwhCenti === undefined ? '' : ', low_kwh_centi = ?'} WHERE id = ?`,
      lowKwhCenti === undefined ? [building, roomNo, id] : [building, roomNo, lowKwhCenti, id],
    );
    if (changed === 0)
      await this.db.execute(
        'INSERT INTO dorm_rooms (id, building, room_no, low_kwh_centi, created_at_ms) VALUES (?, ?, ?, ?, ?)',
        [id, building, roomNo, lowKwhCenti ?? 1000, nowMs],
      );
  }

  /** Replaces the room's residents with these people (by person number); answers the numbers not found. */
  async setResidents(roomId: string, personNos: readonly string[], nowMs: number): Promise<string[]> {
    const found =
      personNos.length === 0
        ? []
        : await this.db.select<{ id: string; person_no: string }>(
            `SELECT id, person_no FROM persons WHERE person_no IN (${personNos.map(() => '?').join(', ')})`,
            [...personNos],
          );
    await this.db.transaction(async (tx) => {
      await this.db.execute('DELETE FROM dorm_residents WHERE room_id = ?', [roomId], tx);
      for (const p of found)
        await this.db.execute(
          'INSERT INTO dorm_residents (room_id, person_id, created_at_ms) VALUES (?, ?, ?)',
          [roomId, p.id, nowMs],
          tx,
        );
    });
    const known = new Set(found.map((p) => p.person_no));
    return personNos.filter((n) => !known.has(n));
  }

  async room(id: string): Promise<DormRoom | undefined> {
    return (await this.rooms({ id }, 1))[0];
  }

  async rooms(q: { id?: string; building?: string; personId?: string }, limit: number): Promise<DormRoom[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.id !== undefined) {
      where.push('r.id = ?');
      params.push(q.id);
    }
    if (q.building !== undefined) {
      where.push('r.building = ?');
      params.push(q.building);
    }
    if (q.personId !== undefined) {
      where.push('r.id IN (SELECT room_id FROM dorm_residents WHERE person_id = ?)');
      params.push(q.personId);
    }
    const rooms = await this.db.select<Record<string, unknown>>(
      `SELECT r.id, r.building, r.room_no, r.low_kwh_centi, r.balance_kwh_centi, r.balance_at_ms FROM dorm_rooms r
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.building, r.room_no LIMIT ?`,
      [...params, limit],
    );
    if (rooms.length === 0) return [];
    const residents = await this.db.select<{ room_id: string; id: string; person_no: string; name: string }>(
      `SELECT d.room_id, p.id, p.person_no, p.name FROM dorm_residents d JOIN persons p ON p.id = d.person_id
        WHERE d.room_id IN (${rooms.map(() => '?').join(', ')}) ORDER BY p.person_no`,
      rooms.map((r) => String(r.id)),
    );
    return rooms.map((r) => ({
      id: String(r.id),
      building: String(r.building),
      roomNo: String(r.room_no),
      lowKwhCenti: Number(r.low_kwh_centi),
      balanceKwhCenti: r.balance_kwh_centi === null ? null : Number(r.balance_kwh_centi),
      balanceAtMs: r.balance_at_ms === null ? null : Number(r.balance_at_ms),
      residents: residents
        .filter((p) => p.room_id === r.id)
        .map((p) => ({ personId: p.id, personNo: p.person_no, name: p.name })),
    }));
  }

  /** Rooms with somebody living in them, to read their balances. */
  async occupiedRoomIds(limit: number): Promise<string[]> {
    const rows = await this.db.select<{ room_id: string }>(
      'SELECT DISTINCT room_id FROM dorm_residents ORDER BY room_id LIMIT ?',
      [limit],
    );
    return rows.map((r) => r.room_id);
  }

  /**
   * Records a balance read; when it is under the room's threshold and nobody was told since it was last
   * above, marks the alert taken (conditional, so two instances alert once) and answers true.
   */
  async recordBalance(roomId: string, balanceKwhCenti: number, nowMs: number): Promise<boolean> {
    await this.db.execute('UPDATE dorm_rooms SET balance_kwh_centi = ?, balance_at_ms = ? WHERE id = ?', [
      balanceKwhCenti,
      nowMs,
      roomId,
    ]);
    // Back above the threshold: the next fall below alerts again.
    await this.db.execute(
      'UPDATE dorm_rooms SET low_alerted_at_ms = NULL WHERE id = ? AND low_alerted_at_ms IS NOT NULL AND balance_kwh_centi >= low_kwh_centi',
      [roomId],
    );
    const taken = await this.db.execute(
      'UPDATE dorm_rooms SET low_alerted_at_ms = ? WHERE id = ? AND low_alerted_at_ms IS NULL AND balance_kwh_centi < low_kwh_centi',
      [nowMs, roomId],
    );
    return taken === 1;
  }
}
