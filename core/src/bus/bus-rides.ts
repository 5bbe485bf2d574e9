import type { CardService } from '../cards/card-service.ts';
import type {
  BusRide,
  BusRideAnswer,
  BusRideCheck,
  BusRideRefusal,
  BusRidesOfCardPage,
  BusRidesOfCardQuery,
  BusRunTable,
} from '../contract/bus.ts';
import { CoreError } from '../errors.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import type { BusRepository } from './bus-repository.ts';
import type { BusRideRepository, RideRow } from './bus-ride-repository.ts';

export interface BusRideOptions {
  /** Person types that ride free without a booking (BUS_FREE_PERSON_TYPES). */
  freePersonTypes: readonly string[];
  /** Rides one card may take offline on one run; more are exceptions LIMIT_EXCEEDED at upload. */
  offlineRidesPerCardMax: number;
}

export const busRideOptionsDefault: BusRideOptions = {
  freePersonTypes: ['staff'],
  offlineRidesPerCardMax: 1,
};

/** The ledger's refusals of a fare, as a bus reader shows them. */
function refusalOfLedger(code: string): BusRideRefusal {
  switch (code) {
    case 'CARD_LOST':
    case 'CARD_FROZEN':
    case 'CARD_CANCELLED':
    case 'INSUFFICIENT_FUNDS':
      return code;
    case 'CARD_VERSION_STALE':
      return 'CREDENTIAL_REVOKED';
    case 'DAILY_LIMIT_EXCEEDED':
    case 'LIMIT_EXCEEDED':
      return 'LIMIT_EXCEEDED';
    default:
      return 'NOT_PERMITTED';
  }
}

/** What an uploaded offline ride record comes to (the device-records domain books the record). */
export type OfflineRideVerdict =
  | { verdict: 'duplicate' }
  | { verdict: 'refused'; reason: BusRideRefusal }
  | { verdict: 'boarded' }
  /** A fare: the offline payment path charges it, then `recordOfflineFare` stores the ride. */
  | { verdict: 'charge' };

/**
 * The ride check at a bus reader (#15): a booked seat is boarded once, a free person type rides free, any
 * other rider pays the route's fare through the ledger under the reader's operation id. Every definite
 * answer is stored under (device, sequence) before it is given, so a retry answers the same and an
 * offline record under that sequence cannot turn a refusal into a ride.
 */
export class BusRides {
  constructor(
    private readonly bus: BusRepository,
    private readonly rides: BusRideRepository,
    private readonly cards: CardService,
    private readonly ledger: LedgerService,
    private readonly options: BusRideOptions = busRideOptionsDefault,
  ) {}

  async check(request: BusRideCheck, nowMs: number = Date.now()): Promise<BusRideAnswer> {
    const stored = await this.rides.ride(request.deviceId, request.sequence);
    if (stored) return this.answerOf(stored, request);
    const base: RideRow = {
      deviceId: request.deviceId,
      sequence: request.sequence,
      runId: request.runId,
      cardNo: request.cardNo,
      personId: null,
      kind: null,
      status: 'refused',
      reason: null,
      amountFen: 0,
      operationId: null,
      source: 'online',
      occurredAtMs: nowMs,
    };
    const refuse = async (reason: BusRideRefusal): Promise<BusRideAnswer> => {
      if (!(await this.rides.insert({ ...base, reason }))) return this.storedAnswer(request);
      return { decision: 'deny', reason };
    };
    const card = await this.cardOf(request.cardNo);
    // A code that verified for a card the core does not know (signed with a leaked key): refused for good.
    if (card === undefined) return refuse('NOT_PERMITTED');
    if (card.status !== 'active') return refuse(`CARD_${card.status.toUpperCase()}` as BusRideRefusal);
    if (card.version !== request.cardVersion) return refuse('CREDENTIAL_REVOKED');
    const run = await this.bus.run(request.runId);
    if (run?.status !== 'scheduled') return refuse('RUN_CLOSED');
    const rider = { ...base, personId: card.personId };
    const boarded = await this.rides.boardBooked(rider);
    if (boarded === 'boarded')
      return { decision: 'allow', kind: 'booked', chargedFen: 0, balanceAfterFen: null };
    if (boarded === 'already_boarded') return { decision: 'deny', reason: 'ALREADY_BOARDED' };
    if (boarded === 'duplicate') return this.storedAnswer(request);
    if (this.options.freePersonTypes.includes(card.personType)) {
      if (!(await this.rides.insert({ ...rider, kind: 'free', status: 'boarded' })))
        return this.storedAnswer(request);
      return { decision: 'allow', kind: 'free', chargedFen: 0, balanceAfterFen: null };
    }
    const route = await this.bus.route(run.routeId);
    if (!route || route.fareFen === null || request.merchantId === null) return refuse('NO_SEAT');
    return this.chargeFare(request, route.fareFen, rider);
  }

  /**
   * The answer given to the online check under this (device, sequence), or null when none is stored (yet).
   * The same frame retried at another gateway finds its code used by its own first try (the replay guard
   * is shared): the gateway asks here first and gives the first answer again, charging nothing more.
   */
  async answered(deviceId: string, sequence: number): Promise<BusRideAnswer | null> {
    const stored = await this.rides.ride(deviceId, sequence);
    if (stored?.source !== 'online') return null;
    if (stored.status === 'refused') return { decision: 'deny', reason: stored.reason ?? 'NOT_PERMITTED' };
    let balanceAfterFen: number | null = null;
    if (stored.kind === 'fare' && stored.operationId !== null) {
      const op = await this.ledger.operation(stored.operationId).catch((error: unknown) => {
        if (error instanceof CoreError && error.code === 'OPERATION_NOT_FOUND') return undefined;
        throw error;
      });
      const balance = op?.result.status === 'ok' ? op.result.balance : undefined;
      if (balance) balanceAfterFen = balance.main + balance.subsidy;
    }
    return {
      decision: 'allow',
      kind: stored.kind ?? 'booked',
      chargedFen: stored.amountFen,
      balanceAfterFen,
    };
  }

  /** The fare through the ledger: idempotent by the reader's operation id, so a retry is charged once. */
  private async chargeFare(request: BusRideCheck, fareFen: number, rider: RideRow): Promise<BusRideAnswer> {
    const operationId = `dev:${request.deviceId}:${request.sequence}`;
    const answer = await this.ledger.pay({
      id: operationId,
      cardNo: request.cardNo,
      merchantId: request.merchantId ?? '',
      deviceId: request.deviceId,
      amount: fareFen,
      cardVersion: request.cardVersion,
      ...(request.codeId === undefined ? {} : { codeId: request.codeId }),
    });
    if (answer.status === 'rejected') {
      // Refused for capacity before anything was applied: no answer is stored, the reader retries.
      if (answer.code === 'OVERLOADED') throw new CoreError('OVERLOADED', 'the ledger is at capacity');
      const reason = refusalOfLedger(answer.code);
      await this.rides.insert({ ...rider, reason, operationId });
      return { decision: 'deny', reason };
    }
    await this.rides.insert({
      ...rider,
      kind: 'fare',
      status: 'boarded',
      amountFen: answer.amount,
      operationId,
    });
    const balance = answer.balance;
    return {
      decision: 'allow',
      kind: 'fare',
      chargedFen: answer.amount,
      balanceAfterFen: balance ? balance.main + balance.subsidy : null,
    };
  }

  private async storedAnswer(request: BusRideCheck): Promise<BusRideAnswer> {
    const stored = await this.rides.ride(request.deviceId, request.sequence);
    if (!stored) throw new Error('a ride stored under this sequence is gone');
    return this.answerOf(stored, request);
  }

  /** The answer a stored ride gave; a fare asks the ledger again (idempotent) for the balance after. */
  private async answerOf(stored: BusRide & { operationId: string | null }, request: BusRideCheck) {
    if (stored.status === 'refused')
      return { decision: 'deny', reason: stored.reason ?? 'NOT_PERMITTED' } satisfies BusRideAnswer;
    if (stored.kind !== 'fare' || request.merchantId === null)
      return {
        decision: 'allow',
        kind: stored.kind ?? 'booked',
        chargedFen: stored.amountFen,
        balanceAfterFen: null,
      } satisfies BusRideAnswer;
    return this.chargeFare(request, stored.amountFen, {
      ...stored,
      personId: null,
      operationId: stored.operationId,
    });
  }

  /** The card, or undefined when the core has no such card. */
  private async cardOf(cardNo: string) {
    return this.cards.get(cardNo).catch((error: unknown) => {
      if (error instanceof CoreError && error.code === 'CARD_NOT_FOUND') return undefined;
      throw error;
    });
  }

  /** What a reader needs to decide offline on a run (protocol § 7.26). */
  async table(runId: string): Promise<BusRunTable> {
    const run = await this.bus.run(runId);
    if (!run) throw new CoreError('BUS_RUN_NOT_FOUND', 'no such run');
    const route = await this.bus.route(run.routeId);
    return {
      runId,
      departsAtMs: run.departsAtMs,
      fareFen: route?.fareFen ?? null,
      freePersonTypes: [...this.options.freePersonTypes],
      offlineRidesPerCardMax: this.options.offlineRidesPerCardMax,
      bookedCardNos: run.status === 'scheduled' ? await this.bus.bookedCardNos(runId) : [],
    };
  }

  /** A card's rides let on, newest first, a page at a time (the rider's own history in the app). */
  async ridesOfCard(q: BusRidesOfCardQuery): Promise<BusRidesOfCardPage> {
    let before: { occurredAtMs: number; deviceId: string; sequence: number } | undefined;
    if (q.before !== undefined) {
      const [atMs = '0', deviceId = '', sequence = '0'] = q.before.split(':');
      before = { occurredAtMs: Number(atMs), deviceId, sequence: Number(sequence) };
    }
    const rows = await this.rides.ridesOfCard(q.cardNo, q.limit + 1, before);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(({ deviceId: _d, sequence: _s, ...ride }) => ride),
      next: rows.length > q.limit && last ? `${last.occurredAtMs}:${last.deviceId}:${last.sequence}` : null,
    };
  }

  ridesOf(runId: string): Promise<BusRide[]> {
    return this.rides.ridesOf(runId, 500);
  }

  /**
   * An offline ride record (device-checked MAC and code): a definite online refusal under its sequence
   * stays a refusal, a ride answered online is a duplicate, a card's offline rides on a run are capped
   * (reserved before anything is stored), and a ride without a fare must be a booked seat or a free type.
   */
  async offlineRide(r: {
    deviceId: string;
    sequence: number;
    runId: string;
    cardNo: string;
    amountFen: number;
    takenAtMs: number;
  }): Promise<OfflineRideVerdict> {
    const stored = await this.rides.ride(r.deviceId, r.sequence);
    if (stored?.status === 'refused') return { verdict: 'refused', reason: stored.reason ?? 'NOT_PERMITTED' };
    if (stored) return { verdict: 'duplicate' };
    if (!(await this.bus.run(r.runId))) return { verdict: 'refused', reason: 'RUN_CLOSED' };
    if (!(await this.rides.reserveOfflineRide(r.runId, r.cardNo, this.options.offlineRidesPerCardMax)))
      return { verdict: 'refused', reason: 'LIMIT_EXCEEDED' };
    if (r.amountFen > 0) return { verdict: 'charge' };
    const card = await this.cardOf(r.cardNo);
    if (card === undefined) {
      await this.rides.releaseOfflineRide(r.runId, r.cardNo);
      return { verdict: 'refused', reason: 'NOT_PERMITTED' };
    }
    const ride: RideRow = {
      deviceId: r.deviceId,
      sequence: r.sequence,
      runId: r.runId,
      cardNo: r.cardNo,
      personId: card.personId,
      kind: null,
      status: 'refused',
      reason: null,
      amountFen: 0,
      operationId: null,
      source: 'offline',
      occurredAtMs: r.takenAtMs,
    };
    const boarded = await this.rides.boardBooked({ ...ride, personId: card.personId });
    if (boarded === 'boarded' || boarded === 'duplicate') return { verdict: 'boarded' };
    if (boarded === 'no_booking' && this.options.freePersonTypes.includes(card.personType)) {
      await this.rides.insert({ ...ride, kind: 'free', status: 'boarded' });
      return { verdict: 'boarded' };
    }
    await this.rides.releaseOfflineRide(r.runId, r.cardNo);
    return { verdict: 'refused', reason: boarded === 'already_boarded' ? 'ALREADY_BOARDED' : 'NO_SEAT' };
  }

  /** Stores an offline fare the offline payment path charged (or made an exception of). */
  async recordOfflineFare(r: {
    deviceId: string;
    sequence: number;
    runId: string;
    cardNo: string;
    amountFen: number;
    takenAtMs: number;
    operationId: string | null;
  }): Promise<void> {
    await this.rides.insert({
      deviceId: r.deviceId,
      sequence: r.sequence,
      runId: r.runId,
      cardNo: r.cardNo,
      personId: null,
      kind: 'fare',
      status: 'boarded',
      reason: null,
      amountFen: r.amountFen,
      operationId: r.operationId,
      source: 'offline',
      occurredAtMs: r.takenAtMs,
    });
  }
}
