import { CoreError } from '@campus-card/core/client';
import type { BusRideAnswer } from '@campus-card/core/contract';
import {
  type BusRideCheck,
  type BusRideRefusal,
  type BusRideResult,
  type BusRunTable,
  type BusRunTableRequest,
  balanceNotTold,
  busRideRefusals,
  type PersonType,
  personTypes,
  type Refusal,
} from '../protocol/index.ts';
import { assertLive, Busy, type HandlerDeps, type RequestContext, verifyCode, wireFen } from './context.ts';

/** A card refusal found before the core is asked (the code, the blacklist, the person type), for a bus rider. */
function refusalOfCode(reason: Refusal): BusRideRefusal {
  switch (reason) {
    case 'CARD_LOST':
    case 'CARD_FROZEN':
    case 'CARD_CANCELLED':
    case 'CREDENTIAL_REVOKED':
    case 'NOT_PERMITTED':
    case 'SERVICE_UNAVAILABLE':
      return reason;
    default:
      return 'CODE_INVALID';
  }
}

function deny(reason: BusRideRefusal): BusRideResult {
  return {
    kind: 'bus_ride_result',
    decision: 'deny',
    rideKind: 'none',
    reason,
    chargedFen: 0,
    balanceAfterFen: 0,
  };
}

function resultOf(answer: BusRideAnswer): BusRideResult {
  if (answer.decision === 'deny')
    return deny(Object.hasOwn(busRideRefusals, answer.reason) ? answer.reason : 'NOT_PERMITTED');
  return {
    kind: 'bus_ride_result',
    decision: 'allow',
    rideKind: answer.kind,
    reason: 'NONE',
    chargedFen: answer.chargedFen,
    balanceAfterFen: answer.balanceAfterFen === null ? balanceNotTold : wireFen(answer.balanceAfterFen),
  };
}

/** Code refusals a retried frame meets where its first try used the code. */
const retryRefusals: ReadonlySet<Refusal> = new Set(['CODE_REPLAYED', 'CODE_EXPIRED']);

/** The core's stored answer to this (device, sequence), if the first try got one. */
async function firstAnswer(deps: HandlerDeps, ctx: RequestContext): Promise<BusRideResult | undefined> {
  try {
    const { answer } = await deps.core.busRideAnswered(ctx.deviceRef, ctx.sequence);
    return answer === null ? undefined : resultOf(answer);
  } catch {
    return undefined;
  }
}

/**
 * BUS_RIDE_CHECK (protocol § 7.26): the card's code is verified here as for a payment, then the core decides
 * the ride on this run under the frame's (device, sequence): a booked seat boarded once, a free person type,
 * or the route's fare charged to the reader's merchant. The core stores every definite answer before it is
 * given, and the same frame retried anywhere gets it again; only SERVICE_UNAVAILABLE lets the reader fall
 * back on its offline table.
 */
export async function checkBusRide(
  deps: HandlerDeps,
  ctx: RequestContext,
  request: BusRideCheck,
): Promise<BusRideResult> {
  const verified = await verifyCode(deps, ctx, request.code);
  if (!verified.ok) {
    // A retry of this frame that reached another gateway (or this one after a restart) finds its code used
    // (or, late, expired) by its own first try: the answer stored under (device, sequence) is the answer.
    if (retryRefusals.has(verified.reason)) {
      const first = await firstAnswer(deps, ctx);
      if (first !== undefined) return first;
    }
    return deny(refusalOfCode(verified.reason));
  }
  await assertLive(ctx);
  try {
    const answer = await deps.core.checkBusRide({
      deviceId: ctx.deviceRef,
      sequence: ctx.sequence,
      runId: request.runId,
      cardNo: verified.card.cardNo,
      cardVersion: verified.card.cardVersion,
      ...(verified.codeId === undefined ? {} : { codeId: verified.codeId }),
      merchantId: ctx.merchantId,
    });
    return resultOf(answer);
  } catch (error) {
    if (error instanceof CoreError && error.code === 'OVERLOADED') throw new Busy();
    // A run id that is no run (or not an id at all): the reader fetches the current run.
    if (error instanceof CoreError && ['BUS_RUN_NOT_FOUND', 'VALIDATION_FAILED'].includes(error.code))
      return deny('RUN_CLOSED');
    return deny('SERVICE_UNAVAILABLE');
  }
}

const protocolTypes = new Set(Object.keys(personTypes));

/**
 * BUS_RUN_TABLE_REQUEST: the run's booked cards and rules, for deciding offline. An unknown run answers
 * departsAtMs 0 and an empty table: the reader refuses every ride on it offline (RUN_CLOSED).
 */
export async function busRunTable(deps: HandlerDeps, request: BusRunTableRequest): Promise<BusRunTable> {
  try {
    const table = await deps.core.busRunTable(request.runId);
    return {
      kind: 'bus_run_table',
      runId: request.runId,
      departsAtMs: table.departsAtMs,
      fareFen: table.fareFen ?? 0,
      offlineRidesPerCardMax: table.offlineRidesPerCardMax,
      freePersonTypes: table.freePersonTypes.filter((t): t is PersonType => protocolTypes.has(t)),
      bookedCardNos: table.bookedCardNos,
    };
  } catch (error) {
    if (
      error instanceof CoreError &&
      ['BUS_RUN_NOT_FOUND', 'VALIDATION_FAILED', 'NOT_FOUND'].includes(error.code)
    )
      return {
        kind: 'bus_run_table',
        runId: request.runId,
        departsAtMs: 0,
        fareFen: 0,
        offlineRidesPerCardMax: 0,
        freePersonTypes: [],
        bookedCardNos: [],
      };
    throw error;
  }
}
