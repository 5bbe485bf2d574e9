import type { BusBooking, BusBookingStatus, BusNoShow, BusRoute, BusRun } from '../contract/bus.ts';
import { type Database, isDuplicateKey, isRetryable, type Tx } from '../db/database.ts';

export type BookOutcome = 'booked' | 'barred' | 'person_limit' | 'sold_out' | 'already_booked';

class Refused extends Error {
  constructor(readonly outcome: BookOutcome) {
    super(outcome);
  }
}

const attemptsMax = 5;

function toRun(r: Record<string, unknown>): BusRun {
  return {
    id: String(r.id),
    routeId: String(r.route_id),
    routeName: String(r.route_name),
    departsAtMs: Number(r.departs_at_ms),
    seats: Number(r.seats),
    booked: Number(r.booked),
    boarded: Number(r.boarded),
    status: String(r.status) as BusRun['status'],
  };
}

function toRoute(r: { id: string; name: string; stops: string; fare_fen: number | null }): BusRoute {
  return {
    id: r.id,
    name: r.name,
    stops: JSON.parse(r.stops) as string[],
    fareFen: r.fare_fen === null ? null : Number(r.fare_fen),
  };
}

function toBooking(r: Record<string, unknown>): BusBooking {
  return {
    id: String(r.id),
    runId: String(r.run_id),
    cardNo: String(r.card_no),
    status: String(r.status) as BusBookingStatus,
    departsAtMs: Number(r.departs_at_ms),
    routeName: String(r.route_name),
    createdAtMs: Number(r.created_at_ms),
  };
}

const runColumns = `SELECT r.id, r.route_id, t.name AS route_name, r.departs_at_ms, r.seats, r.booked, r.status,
  (SELECT COUNT(*) FROM bus_rides x WHERE x.run_id = r.id AND x.status = 'boarded') AS boarded
  FROM bus_runs r JOIN bus_routes t ON t.id = r.route_id`;
const bookingColumns = `SELECT b.id, b.run_id, b.card_no, b.status, b.created_at_ms, r.departs_at_ms, t.name AS route_name
  FROM bus_bookings b JOIN bus_runs r ON r.id = b.run_id JOIN bus_routes t ON t.id = r.route_id`;

/** The bus tables (sql/053): the only place with their SQL. */
export class BusRepository {
  constructor(private readonly db: Database) {}

  async insertRoute(route: BusRoute, atMs: number): Promise<void> {
    await this.db.execute(
      'INSERT INTO bus_routes (id, name, stops, fare_fen, created_at_ms) VALUES (?, ?, ?, ?, ?)',
      [route.id, route.name, JSON.stringify(route.stops), route.fareFen, atMs],
    );
  }

  /** False when there is no such route. */
  async updateRoute(route: BusRoute): Promise<boolean> {
    const changed = await this.db.execute(
      'UPDATE bus_routes SET name = ?, stops = ?, fare_fen = ? WHERE id = ?',
      [route.name, JSON.stringify(route.stops), route.fareFen, route.id],
    );
    return changed === 1 || (await this.route(route.id)) !== undefined;
  }

  async routes(): Promise<BusRoute[]> {
    const rows = await this.db.select<{ id: string; name: string; stops: string; fare_fen: number | null }>(
      'SELECT id, name, stops, fare_fen FROM bus_routes ORDER BY name, id',
    );
    return rows.map(toRoute);
  }

  async route(id: string): Promise<BusRoute | undefined> {
    const rows = await this.db.select<{ id: string; name: string; stops: string; fare_fen: number | null }>(
      'SELECT id, name, stops, fare_fen FROM bus_routes WHERE id = ?',
      [id],
    );
    return rows[0] && toRoute(rows[0]);
  }

  /**
   * Moves or resizes a scheduled run; the seats never below those booked (one conditional UPDATE, so a
   * booking racing it is counted first or refused). Answers 'seats_taken' or 'closed' when it may not.
   */
  async updateRun(id: string, departsAtMs: number, seats: number): Promise<'ok' | 'seats_taken' | 'closed'> {
    const changed = await this.db.execute(
      "UPDATE bus_runs SET departs_at_ms = ?, seats = ? WHERE id = ? AND status = 'scheduled' AND booked <= ?",
      [departsAtMs, seats, id, seats],
    );
    if (changed === 1) return 'ok';
    const run = await this.run(id);
    return run?.status === 'scheduled' ? 'seats_taken' : 'closed';
  }

  async insertRun(run: { id: string; routeId: string; departsAtMs: number; seats: number }, atMs: number) {
    await this.db.execute(
      "INSERT INTO bus_runs (id, route_id, departs_at_ms, seats, booked, status, created_at_ms) VALUES (?, ?, ?, ?, 0, 'scheduled', ?)",
      [run.id, run.routeId, run.departsAtMs, run.seats, atMs],
    );
  }

  async run(id: string): Promise<BusRun | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(`${runColumns} WHERE r.id = ?`, [id]);
    return rows[0] && toRun(rows[0]);
  }

  async runs(fromMs: number, toMs: number): Promise<BusRun[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `${runColumns} WHERE r.departs_at_ms >= ? AND r.departs_at_ms < ? ORDER BY r.departs_at_ms, r.id LIMIT 500`,
      [fromMs, toMs],
    );
    return rows.map(toRun);
  }

  async bookingByRequest(personId: string, requestId: string): Promise<BusBooking | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `${bookingColumns} WHERE b.person_id = ? AND b.request_id = ?`,
      [personId, requestId],
    );
    return rows[0] && toBooking(rows[0]);
  }

  async booking(id: string): Promise<(BusBooking & { personId: string }) | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `${bookingColumns.replace('SELECT b.id,', 'SELECT b.person_id, b.id,')} WHERE b.id = ?`,
      [id],
    );
    const r = rows[0];
    return r && { ...toBooking(r), personId: String(r.person_id) };
  }

  async bookingsOf(personId: string, limit: number): Promise<BusBooking[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `${bookingColumns} WHERE b.person_id = ? ORDER BY r.departs_at_ms DESC, b.id DESC LIMIT ?`,
      [personId, limit],
    );
    return rows.map(toBooking);
  }

  /**
   * Books a seat: the person's day is reserved first (at most `personDayMax`), then the run's seat (at
   * most its seats, before departure), then the one-per-person-and-run row, all in one transaction that
   * a refusal rolls back whole. Each reservation is a conditional UPDATE: concurrent bookings queue on
   * the row lock and each sees the count the one before left.
   */
  async book(b: {
    id: string;
    runId: string;
    personId: string;
    cardNo: string;
    requestId: string;
    dayNo: number;
    personDayMax: number;
    nowMs: number;
  }): Promise<BookOutcome> {
    await this.ensurePersonDay(b.personId, b.dayNo);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(async (tx) => {
          // The no-show bar, read under lock: the no-show job setting it waits for this booking, or this
          // booking for the job, never both past each other.
          const bars = await this.db.select<{ barred_until_ms: number }>(
            `SELECT barred_until_ms FROM bus_person_bars WHERE person_id = ?${this.db.forUpdate}`,
            [b.personId],
            tx,
          );
          if (bars[0] && Number(bars[0].barred_until_ms) > b.nowMs) throw new Refused('barred');
          if (!(await this.reservePersonDay(b.personId, b.dayNo, b.personDayMax, tx)))
            throw new Refused('person_limit');
          const seat = await this.db.execute(
            `UPDATE bus_runs SET booked = booked + 1
              WHERE id = ? AND status = 'scheduled' AND booked < seats AND departs_at_ms > ?`,
            [b.runId, b.nowMs],
            tx,
          );
          if (seat !== 1) throw new Refused('sold_out');
          try {
            await this.db.execute(
              'INSERT INTO bus_run_seats (run_id, person_id, booking_id) VALUES (?, ?, ?)',
              [b.runId, b.personId, b.id],
              tx,
            );
          } catch (error) {
            if (isDuplicateKey(error)) throw new Refused('already_booked');
            throw error;
          }
          await this.db.execute(
            "INSERT INTO bus_bookings (id, run_id, person_id, card_no, request_id, status, created_at_ms) VALUES (?, ?, ?, ?, ?, 'booked', ?)",
            [b.id, b.runId, b.personId, b.cardNo, b.requestId, b.nowMs],
            tx,
          );
          return 'booked' as const;
        });
      } catch (error) {
        if (error instanceof Refused) return error.outcome;
        if (attempt < attemptsMax && isRetryable(error)) continue;
        throw error;
      }
    }
  }

  /**
   * Makes the person's day row (at 0) before the booking's transaction, so that the transaction's
   * reservation only ever updates a row that is there. Reserving by UPDATE-then-INSERT inside it took
   * gap locks on MariaDB, and a person's concurrent bookings deadlocked each other there.
   */
  private async ensurePersonDay(personId: string, dayNo: number): Promise<void> {
    try {
      await this.db.execute('INSERT INTO bus_person_days (person_id, day_no, booked) VALUES (?, ?, 0)', [
        personId,
        dayNo,
      ]);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  /** Takes one of the person's bookings for the day; false at the limit. */
  private async reservePersonDay(personId: string, dayNo: number, max: number, tx: Tx): Promise<boolean> {
    const reserved = await this.db.execute(
      'UPDATE bus_person_days SET booked = booked + 1 WHERE person_id = ? AND day_no = ? AND booked < ?',
      [personId, dayNo, max],
      tx,
    );
    return reserved === 1;
  }

  /** Cancels a booked seat and gives back the run's seat and the person's day; false if not booked. */
  async cancelBooking(id: string, dayNo: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const rows = await this.db.select<{ run_id: string; person_id: string }>(
        `SELECT run_id, person_id FROM bus_bookings WHERE id = ? AND status = 'booked'${this.db.forUpdate}`,
        [id],
        tx,
      );
      const row = rows[0];
      if (!row) return false;
      await this.db.execute("UPDATE bus_bookings SET status = 'cancelled' WHERE id = ?", [id], tx);
      await this.db.execute(
        'DELETE FROM bus_run_seats WHERE run_id = ? AND person_id = ?',
        [row.run_id, row.person_id],
        tx,
      );
      await this.db.execute('UPDATE bus_runs SET booked = booked - 1 WHERE id = ?', [row.run_id], tx);
      await this.db.execute(
        'UPDATE bus_person_days SET booked = booked - 1 WHERE person_id = ? AND day_no = ? AND booked > 0',
        [row.person_id, dayNo],
        tx,
      );
      return true;
    });
  }

  /** Cancels a run and its bookings; answers the bookings cancelled (to tell their riders). */
  async cancelRun(
    id: string,
  ): Promise<{ cancelled: boolean; bookings: { id: string; personId: string; cardNo: string }[] }> {
    return this.db.transaction(async (tx) => {
      const changed = await this.db.execute(
        "UPDATE bus_runs SET status = 'cancelled' WHERE id = ? AND status = 'scheduled'",
        [id],
        tx,
      );
      if (changed !== 1) return { cancelled: false, bookings: [] };
      const rows = await this.db.select<{ id: string; person_id: string; card_no: string }>(
        "SELECT id, person_id, card_no FROM bus_bookings WHERE run_id = ? AND status = 'booked' ORDER BY id",
        [id],
        tx,
      );
      await this.db.execute(
        "UPDATE bus_bookings SET status = 'cancelled' WHERE run_id = ? AND status = 'booked'",
        [id],
        tx,
      );
      await this.db.execute('DELETE FROM bus_run_seats WHERE run_id = ?', [id], tx);
      return {
        cancelled: true,
        bookings: rows.map((r) => ({ id: r.id, personId: r.person_id, cardNo: r.card_no })),
      };
    });
  }

  /**
   * Bookings still open on runs that left before `beforeMs` become no-shows; in the same transaction,
   * each of their riders with `rule.max` no-shows on runs that left since `rule.sinceMs` is barred from
   * booking until `rule.barredUntilMs`. Answers how many were marked and who was barred.
   */
  async markNoShows(
    beforeMs: number,
    rule: { max: number; sinceMs: number; barredUntilMs: number },
  ): Promise<{ marked: number; barred: string[] }> {
    return this.db.transaction(async (tx) => {
      const due = await this.db.select<{ id: string; person_id: string }>(
        `SELECT b.id, b.person_id FROM bus_bookings b JOIN bus_runs r ON r.id = b.run_id
          WHERE b.status = 'booked' AND r.departs_at_ms < ? ORDER BY b.id${this.db.forUpdate}`,
        [beforeMs],
        tx,
      );
      let marked = 0;
      for (const row of due)
        marked += await this.db.execute(
          "UPDATE bus_bookings SET status = 'no_show' WHERE id = ? AND status = 'booked'",
          [row.id],
          tx,
        );
      const barred: string[] = [];
      for (const personId of [...new Set(due.map((r) => r.person_id))].sort()) {
        const counted = await this.db.select<{ n: number }>(
          `SELECT COUNT(*) AS n FROM bus_bookings b JOIN bus_runs r ON r.id = b.run_id
            WHERE b.person_id = ? AND b.status = 'no_show' AND r.departs_at_ms >= ?`,
          [personId, rule.sinceMs],
          tx,
        );
        if (Number(counted[0]?.n ?? 0) < rule.max) continue;
        const raised = await this.db.execute(
          'UPDATE bus_person_bars SET barred_until_ms = ? WHERE person_id = ? AND barred_until_ms < ?',
          [rule.barredUntilMs, personId, rule.barredUntilMs],
          tx,
        );
        if (raised === 0 && !(await this.barOf(personId, tx)))
          await this.db.execute(
            'INSERT INTO bus_person_bars (person_id, barred_until_ms) VALUES (?, ?)',
            [personId, rule.barredUntilMs],
            tx,
          );
        barred.push(personId);
      }
      return { marked, barred };
    });
  }

  private async barOf(personId: string, tx?: Tx): Promise<number | undefined> {
    const rows = await this.db.select<{ barred_until_ms: number }>(
      'SELECT barred_until_ms FROM bus_person_bars WHERE person_id = ?',
      [personId],
      tx,
    );
    return rows[0] ? Number(rows[0].barred_until_ms) : undefined;
  }

  /** Missed bookings on runs that left in [fromMs, toMs), latest first. */
  async noShows(fromMs: number, toMs: number): Promise<BusNoShow[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `${bookingColumns} WHERE b.status = 'no_show' AND r.departs_at_ms >= ? AND r.departs_at_ms < ?
        ORDER BY r.departs_at_ms DESC, b.id LIMIT 500`,
      [fromMs, toMs],
    );
    return rows.map((r) => {
      const b = toBooking(r);
      return {
        bookingId: b.id,
        runId: b.runId,
        routeName: b.routeName,
        departsAtMs: b.departsAtMs,
        cardNo: b.cardNo,
      };
    });
  }

  /** The cards holding a booked seat on a run (for its readers' offline table). */
  async bookedCardNos(runId: string): Promise<string[]> {
    const rows = await this.db.select<{ card_no: string }>(
      "SELECT card_no FROM bus_bookings WHERE run_id = ? AND status = 'booked' ORDER BY card_no",
      [runId],
    );
    return rows.map((r) => r.card_no);
  }

  async countsOf(runId: string): Promise<Record<BusBookingStatus, number>> {
    const rows = await this.db.select<{ status: BusBookingStatus; n: number }>(
      'SELECT status, COUNT(*) AS n FROM bus_bookings WHERE run_id = ? GROUP BY status',
      [runId],
    );
    const counts: Record<BusBookingStatus, number> = { booked: 0, cancelled: 0, ridden: 0, no_show: 0 };
    for (const r of rows) counts[r.status] = Number(r.n);
    return counts;
  }
}
