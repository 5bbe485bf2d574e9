// A school-bus reader (docs/protocol.md § 7.26): the driver picks the run at the depot and the reader
// fetches its table (booked cards, fare, free person types, per-card offline cap); each rider shows the
// card's code. Online the server decides (booked seat, free ride or fare); offline, or when the server
// answers SERVICE_UNAVAILABLE, the reader decides from its table and stores a bus_ride record, which it
// uploads at the depot when it reconnects.

import type { BusRideResult, BusRunTable } from '@campus-card/device-gateway/protocol';
import { type OfflineDecision, scannedCode, Terminal, type TerminalOptions } from './terminal.ts';

export class BusReader extends Terminal {
  /** The run the driver chose. */
  runId = '';
  table: BusRunTable | undefined;
  /** Rides each card took offline on this run (the table's cap applies). */
  private readonly offlineRides = new Map<string, number>();

  constructor(options: TerminalOptions) {
    super('gate', options);
  }

  static async connect(options: TerminalOptions, runId: string): Promise<BusReader> {
    const reader = new BusReader(options);
    await reader.connect();
    await reader.startRun(runId);
    return reader;
  }

  /** At the depot: take the run and its table for the road. */
  async startRun(runId: string): Promise<BusRunTable> {
    this.runId = runId;
    this.offlineRides.clear();
    const reply = await this.request({ kind: 'bus_run_table_request', runId });
    if (reply.kind !== 'bus_run_table') throw new Error(`BUS_RUN_TABLE_REQUEST answered ${reply.kind}`);
    this.table = reply;
    return reply;
  }

  async ride(scanned: string): Promise<BusRideResult | ({ readonly kind: 'offline' } & OfflineDecision)> {
    const code = scannedCode(scanned);
    if (this.online) {
      const reply = await this.request({ kind: 'bus_ride_check', runId: this.runId, code });
      if (reply.kind !== 'bus_ride_result') throw new Error(`BUS_RIDE_CHECK answered ${reply.kind}`);
      if (reply.reason !== 'SERVICE_UNAVAILABLE') return reply;
    }
    return { kind: 'offline', ...(await this.rideOffline(scanned)) };
  }

  /** The table's rules: a booked card rides on its seat, a free type free, others for the fare if any. */
  private async rideOffline(scanned: string): Promise<OfflineDecision> {
    const table = this.table;
    if (table === undefined || table.departsAtMs === 0) return { accepted: false, reason: 'RUN_CLOSED' };
    const booked = new Set(table.bookedCardNos);
    const free = new Set<string>(table.freePersonTypes);
    // amountOf runs only for a card the reader lets on: its ride counts against the cap there.
    return this.decideOffline(
      { recordKind: 'bus_ride', amountFen: 0, orderNo: 0, sessionId: this.runId, code: scannedCode(scanned) },
      (card) => {
        if ((this.offlineRides.get(card.cardNo) ?? 0) >= table.offlineRidesPerCardMax)
          return 'LIMIT_EXCEEDED';
        if (!booked.has(card.cardNo) && !free.has(card.personType) && table.fareFen === 0) return 'NO_SEAT';
        return null;
      },
      (card) => {
        this.offlineRides.set(card.cardNo, (this.offlineRides.get(card.cardNo) ?? 0) + 1);
        return booked.has(card.cardNo) || free.has(card.personType) ? 0 : table.fareFen;
      },
    );
  }
}
