import type { BusRide, BusRideKind, BusRideOfCard, BusRideRefusal } from '../contract/bus.ts';
import { type Database, isDuplicateKey, isRetryable } from '../db/database.ts';

/** One ride as it is stored, under the reader's (device, sequence). */
export interface RideRow {
  deviceId: string;
  sequence: number;
  runId: string;
  cardNo: string;
  personId: string | null;
  kind: BusRideKind | null;
  status: 'boarded' | 'refused';
  reason: BusRideRefusal | null;
  amountFen: number;
  operationId: string | null;
  source: 'online' | 'offline';
  occurredAtMs: number;
}

export type BoardOutcome = 'boarded' | 'already_boarded' | 'no_booking' | 'duplicate';

class Rollback extends Error {
  constructor(readonly outcome: BoardOutcome) {
    super(outcome);
  }
}

const attemptsMax = 5;

function toRide(
  r: Record<string, unknown>,
): BusRide & { personId: string | null; operationId: string | null } {
  return {
    deviceId: String(r.device_id),
    sequence: Number(r.sequence),
    runId: String(r.run_id),
    cardNo: String(r.card_no),
    personId: r.person_id === null ? null : String(r.person_id),
    kind: r.ride_kind === null ? null : (String(r.ride_kind) as BusRideKind),
    status: String(r.status) as BusRide['status'],
    reason: r.reason === null ? null : (String(r.reason) as BusRideRefusal),
    amountFen: Number(r.amount_fen),
    operationId: r.operation_id === null ? null : String(r.operation_id),
    source: String(r.source) as BusRide['source'],
    occurredAtMs: Number(r.occurred_at_ms),
  };
}

const rideColumns =
  'SELECT device_id, sequence, run_id, card_no, person_id, ride_kind, status, reason, amount_fen, operation_id, source, occurred_at_ms FROM bus_rides';

/** The rides (sql/054): the only place with their SQL and the offline ride counters'. */
export class BusRideRepository {
  constructor(private readonly db: Database) {}

  async ride(deviceId: string, sequence: number) {
    const rows = await this.db.select<Record<string, unknown>>(
      `${rideColumns} WHERE device_id = ? AND sequence = ?`,
      [deviceId, sequence],
    );
    return rows[0] && toRide(rows[0]);
  }

  async ridesOf(runId: string, limit: number): Promise<BusRide[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `${rideColumns} WHERE run_id = ? ORDER BY occurred_at_ms DESC, device_id, sequence DESC LIMIT ?`,
      [runId, limit],
    );
    return rows.map((r) => {
      const { personId: _p, operationId: _o, ...ride } = toRide(r);
      return ride;
    });
  }

  /**
   * A card's rides let on, newest first, with their run and route, after the cursor (occurredAtMs, device,
   * sequence) when given: the keyset of bus_rides_card (sql/056), so a page costs its rows only.
   */
  async ridesOfCard(
    cardNo: string,
    limit: number,
    before?: { occurredAtMs: number; deviceId: string; sequence: number },
  ): Promise<(BusRideOfCard & { deviceId: string; sequence: number })[]> {
    const after = before
      ? ' AND (r.occurred_at_ms < ? OR (r.occurred_at_ms = ? AND (r.device_id < ? OR (r.device_id = ? AND r.sequence < ?))))'
      : '';
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT r.device_id, r.sequence, r.run_id, r.ride_kind, r.amount_fen, r.source, r.occurred_at_ms,
              u.departs_at_ms, o.name AS route_name, o.stops
         FROM bus_rides r
         JOIN bus_runs u ON u.id = r.run_id
         JOIN bus_routes o ON o.id = u.route_id
        WHERE r.card_no = ? AND r.status = 'boarded'${after}
        ORDER BY r.occurred_at_ms DESC, r.device_id DESC, r.sequence DESC
        LIMIT ?`,
      [
        cardNo,
        ...(before
          ? [before.occurredAtMs, before.occurredAtMs, before.deviceId, before.deviceId, before.sequence]
          : []),
        limit,
      ],
    );
    return rows.map((r) => {
      const stops = JSON.parse(String(r.stops)) as string[];
      return {
        deviceId: String(r.device_id),
        sequence: Number(r.sequence),
        runId: String(r.run_id),
        routeName: String(r.route_name),
        fromStop: stops[0] ?? '',
        toStop: stops[stops.length - 1] ?? '',
        departsAtMs: Number(r.departs_at_ms),
        kind: (r.ride_kind === null ? 'booked' : String(r.ride_kind)) as BusRideKind,
        amountFen: Number(r.amount_fen),
        source: String(r.source) as BusRideOfCard['source'],
        occurredAtMs: Number(r.occurred_at_ms),
      };
    });
  }

  /** Stores a ride; false when one is stored under this (device, sequence) already. */
  async insert(ride: RideRow): Promise<boolean> {
    try {
      await this.db.execute(
        `INSERT INTO bus_rides (device_id, sequence, run_id, card_no, person_id, ride_kind, status, reason, amount_fen, operation_id, source, occurred_at_ms, created_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          ride.deviceId,
          ride.sequence,
          ride.runId,
          ride.cardNo,
          ride.personId,
          ride.kind,
          ride.status,
          ride.reason,
          ride.amountFen,
          ride.operationId,
          ride.source,
          ride.occurredAtMs,
          Date.now(),
        ],
      );
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /**
   * Boards a booked rider: the booking turns `ridden` by one conditional UPDATE (concurrent checks of one
   * booking queue on its row and only the first finds it `booked`) and the ride is stored in the same
   * transaction, so a ride already stored under this (device, sequence) rolls the boarding back.
   * `no_booking`: the person holds no seat on the run (nothing written).
   */
  async boardBooked(ride: RideRow & { personId: string }): Promise<BoardOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(async (tx) => {
          const taken = await this.db.execute(
            "UPDATE bus_bookings SET status = 'ridden' WHERE run_id = ? AND person_id = ? AND status = 'booked'",
            [ride.runId, ride.personId],
            tx,
          );
          let outcome: BoardOutcome = 'boarded';
          if (taken !== 1) {
            const used = await this.db.select<{ n: number }>(
              "SELECT COUNT(*) AS n FROM bus_bookings WHERE run_id = ? AND person_id = ? AND status = 'ridden'",
              [ride.runId, ride.personId],
              tx,
            );
            if (Number(used[0]?.n ?? 0) === 0) return 'no_booking';
            outcome = 'already_boarded';
          }
          const row: RideRow =
            outcome === 'boarded'
              ? { ...ride, kind: 'booked', status: 'boarded', reason: null }
              : { ...ride, kind: null, status: 'refused', reason: 'ALREADY_BOARDED' };
          try {
            await this.db.execute(
              `INSERT INTO bus_rides (device_id, sequence, run_id, card_no, person_id, ride_kind, status, reason, amount_fen, operation_id, source, occurred_at_ms, created_at_ms)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, ?, ?, ?)`,
              [
                row.deviceId,
                row.sequence,
                row.runId,
                row.cardNo,
                row.personId,
                row.kind,
                row.status,
                row.reason,
                row.source,
                row.occurredAtMs,
                Date.now(),
              ],
              tx,
            );
          } catch (error) {
            if (isDuplicateKey(error)) throw new Rollback('duplicate');
            throw error;
          }
          return outcome;
        });
      } catch (error) {
        if (error instanceof Rollback) return error.outcome;
        if (attempt < attemptsMax && isRetryable(error)) continue;
        throw error;
      }
    }
  }

  /** Takes one of a card's offline rides on a run; false at the cap (nothing taken). */
  async reserveOfflineRide(runId: string, cardNo: string, max: number): Promise<boolean> {
    const ignore = this.db.dialect === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    await this.db.execute(`${ignore} INTO bus_offline_rides (run_id, card_no, rides) VALUES (?, ?, 0)`, [
      runId,
      cardNo,
    ]);
    const changed = await this.db.execute(
      'UPDATE bus_offline_rides SET rides = rides + 1 WHERE run_id = ? AND card_no = ? AND rides < ?',
      [runId, cardNo, max],
    );
    return changed === 1;
  }

  async releaseOfflineRide(runId: string, cardNo: string): Promise<void> {
    await this.db.execute(
      'UPDATE bus_offline_rides SET rides = rides - 1 WHERE run_id = ? AND card_no = ? AND rides > 0',
      [runId, cardNo],
    );
  }
}
