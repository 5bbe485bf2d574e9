import { CoreError, type HoldRow } from '@campus-card/core/client';
import { holderOfHold } from '../meter-locks.ts';
import type {
  MeterRefused,
  MeterSettled,
  MeterStart,
  MeterStarted,
  MeterStop,
  MeterUsage,
  MeterUsageAck,
} from '../protocol/index.ts';
import {
  assertLive,
  type HandlerDeps,
  operationId,
  type RequestContext,
  verifyCode,
  wireFen,
} from './context.ts';
import { refusalOfCore } from './refusals.ts';

/**
 * The meter counts units, the server prices them (protocol § 7.16): floor(units × priceFen / priceUnits)
 * at the device's configured price, METER_FEN_PER_UNIT for a device without one; never above the hold.
 */
function priced(deps: HandlerDeps, ctx: RequestContext, usageUnits: number, holdFen: number): number {
  const meter = ctx.config.settings.meter;
  const fen =
    ctx.config.configVersion > 0 && meter.unit !== 'none'
      ? Math.floor((usageUnits * meter.priceFen) / meter.priceUnits)
      : usageUnits * deps.meterFenPerUnit;
  return Math.min(fen, holdFen);
}

const holdNotFound: MeterRefused = { kind: 'meter_refused', reason: 'HOLD_NOT_FOUND' };

/**
 * METER_START: a hold on the card through the core's two-phase transfer; at most one open hold per meter
 * (DEVICE_BUSY), checked before the code is verified so a busy meter does not use up the student's code.
 */
export async function startMeter(
  deps: HandlerDeps,
  ctx: RequestContext,
  request: MeterStart,
): Promise<MeterStarted | MeterRefused> {
  if (ctx.merchantId === null) return { kind: 'meter_refused', reason: 'NOT_PERMITTED' };
  const meter =
    ctx.config.configVersion > 0 && ctx.config.settings.meter.unit !== 'none'
      ? ctx.config.settings.meter
      : undefined;
  if (meter !== undefined && request.holdFen > meter.holdFen) {
    return { kind: 'meter_refused', reason: 'AMOUNT_OUT_OF_RANGE' };
  }
  const token = await reserveMeter(deps, ctx);
  if (token === undefined) return { kind: 'meter_refused', reason: 'DEVICE_BUSY' };
  let holdId: string | undefined;
  try {
    const started = await openHold(deps, ctx, request, meter?.minBalanceFen);
    if (started.kind === 'meter_started') holdId = started.holdId;
    return started;
  } finally {
    if (holdId === undefined) await deps.meters.release(ctx.deviceRef, token);
    else await deps.meters.opened(ctx.deviceRef, token, holdId, deps.meterHoldTimeoutMs);
  }
}

/** The meter for this start, or undefined while another start runs or a hold the core still has open. */
async function reserveMeter(deps: HandlerDeps, ctx: RequestContext): Promise<string | undefined> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const reservation = await deps.meters.reserve(ctx.deviceRef);
    if (reservation.ok) return reservation.token;
    if (reservation.holdId === undefined) return undefined;
    // The named hold may have closed without a stop (expired, settled by the sweeper): then it is free.
    const hold = await deps.core.getHold(reservation.holdId, ctx.deviceRef).catch((error: unknown) => {
      if (error instanceof CoreError && error.code === 'HOLD_NOT_FOUND') return undefined;
      throw error;
    });
    if (hold !== undefined && hold.status === 'pending') return undefined;
    await deps.meters.release(ctx.deviceRef, reservation.holder);
  }
  return undefined;
}

async function openHold(
  deps: HandlerDeps,
  ctx: RequestContext,
  request: MeterStart,
  minBalanceFen: number | undefined,
): Promise<MeterStarted | MeterRefused> {
  const merchantId = ctx.merchantId as string;
  const verified = await verifyCode(deps, ctx, request.code);
  if (!verified.ok) return { kind: 'meter_refused', reason: verified.reason };
  await assertLive(ctx);
  try {
    const answer = await deps.core.hold({
      id: operationId(ctx),
      cardNo: verified.card.cardNo,
      merchantId,
      deviceId: ctx.deviceRef,
      amount: request.holdFen,
      timeoutMs: deps.meterHoldTimeoutMs,
      ...(minBalanceFen === undefined ? {} : { minBalance: minBalanceFen }),
      cardVersion: verified.card.cardVersion,
      // The code that starts a meter is spent like a paying one: the ledger refuses it anywhere else (#12.3).
      ...(verified.codeId === undefined ? {} : { codeId: verified.codeId }),
    });
    if (answer.status === 'rejected') return { kind: 'meter_refused', reason: refusalOfCore(answer.code) };
    const balance = answer.balance ?? { main: 0, subsidy: 0 };
    return {
      kind: 'meter_started',
      holdId: answer.holdId ?? '',
      holdFen: answer.amount,
      balanceAfterFen: wireFen(balance.main + balance.subsidy),
    };
  } catch (error) {
    if (error instanceof CoreError) return { kind: 'meter_refused', reason: refusalOfCore(error.code) };
    return { kind: 'meter_refused', reason: 'SERVICE_UNAVAILABLE' };
  }
}

/** This device's hold, or undefined for an unknown id or another device's (the core answers both alike). */
async function deviceHold(
  deps: HandlerDeps,
  ctx: RequestContext,
  holdId: string,
): Promise<HoldRow | undefined> {
  try {
    return await deps.core.getHold(holdId, ctx.deviceRef);
  } catch (error) {
    if (error instanceof CoreError && error.code === 'HOLD_NOT_FOUND') return undefined;
    throw error;
  }
}

function numberIn(details: Record<string, unknown> | undefined, name: string): number | undefined {
  const value = details?.[name];
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

/**
 * METER_USAGE: recorded on the hold, so a meter that goes silent settles at its last report. A hold that is
 * not this device's is METER_REFUSED HOLD_NOT_FOUND, a definite answer (protocol § 7.16).
 */
export async function reportMeterUsage(
  deps: HandlerDeps,
  ctx: RequestContext,
  request: MeterUsage,
): Promise<MeterUsageAck | MeterRefused> {
  const hold = await deviceHold(deps, ctx, request.holdId);
  if (hold === undefined) return holdNotFound;
  if (hold.status !== 'pending') {
    await deps.meters.release(ctx.deviceRef, holderOfHold(hold.id));
    // What the hold settled at: the stop's figure, or the last report for an expiry.
    const settledFen = hold.resolvedAmount ?? hold.usageAmount;
    return { kind: 'meter_usage_ack', state: 'hold_closed', usageFen: settledFen, remainingFen: 0 };
  }
  await assertLive(ctx);
  try {
    const usageFen = priced(deps, ctx, request.usageUnits, hold.amount);
    const after = await deps.core.reportUsage(request.holdId, usageFen, ctx.deviceRef);
    return {
      kind: 'meter_usage_ack',
      state: after.usageAmount >= after.amount ? 'hold_exhausted' : 'running',
      usageFen: after.usageAmount,
      remainingFen: after.amount - after.usageAmount,
    };
  } catch (error) {
    if (!(error instanceof CoreError)) throw error;
    if (error.code === 'HOLD_NOT_FOUND') return holdNotFound;
    // Closed between the read and the report (an expiry, a stop on another connection).
    if (error.code === 'HOLD_ALREADY_RESOLVED' || error.code === 'HOLD_EXPIRED') {
      const usageFen = numberIn(error.details, 'chargedAmount') ?? numberIn(error.details, 'usageAmount');
      return {
        kind: 'meter_usage_ack',
        state: 'hold_closed',
        usageFen: usageFen ?? hold.usageAmount,
        remainingFen: 0,
      };
    }
    throw error;
  }
}

/**
 * METER_STOP: settles the exact metered amount and releases the rest of the hold. A stop for a hold already
 * settled (an expiry, an earlier stop under another sequence) answers what it settled at; one for a hold
 * that is not this device's is METER_REFUSED HOLD_NOT_FOUND.
 */
export async function stopMeter(
  deps: HandlerDeps,
  ctx: RequestContext,
  request: MeterStop,
): Promise<MeterSettled | MeterRefused> {
  const hold = await deviceHold(deps, ctx, request.holdId);
  if (hold === undefined) return holdNotFound;
  await assertLive(ctx);
  const answer = await deps.core.postHold(request.holdId, {
    id: operationId(ctx),
    amount: priced(deps, ctx, request.usageUnits, hold.amount),
    deviceId: ctx.deviceRef,
  });
  if (answer.status === 'rejected') {
    if (answer.code === 'HOLD_NOT_FOUND') return holdNotFound;
    if (answer.code === 'HOLD_ALREADY_RESOLVED' || answer.code === 'HOLD_EXPIRED') {
      await deps.meters.release(ctx.deviceRef, holderOfHold(hold.id));
      return settledBefore(deps, ctx, hold, answer.details);
    }
    // Any other refusal is definite too (protocol § 9: INTERNAL_ERROR only for a server fault).
    return { kind: 'meter_refused', reason: refusalOfCore(answer.code) };
  }
  await deps.meters.release(ctx.deviceRef, holderOfHold(hold.id));
  const balance = answer.balance ?? { main: 0, subsidy: 0 };
  return {
    kind: 'meter_settled',
    chargedFen: answer.amount,
    releasedFen: answer.releasedAmount ?? hold.amount - answer.amount,
    balanceAfterFen: wireFen(balance.main + balance.subsidy),
  };
}

/** What a hold closed earlier settled at, with the card's balance now (protocol § 7.16, silent meters). */
async function settledBefore(
  deps: HandlerDeps,
  ctx: RequestContext,
  hold: HoldRow,
  details: Record<string, unknown> | undefined,
): Promise<MeterSettled> {
  const charged = numberIn(details, 'chargedAmount') ?? numberIn(details, 'usageAmount');
  const released = numberIn(details, 'releasedAmount');
  const balance = details?.balance as { main?: unknown; subsidy?: unknown } | undefined;
  let balanceFen =
    typeof balance?.main === 'number' && typeof balance.subsidy === 'number'
      ? balance.main + balance.subsidy
      : undefined;
  let chargedFen = charged;
  if (chargedFen === undefined || balanceFen === undefined) {
    // An older core without the details: read the hold and the card.
    const settled = await deps.core.getHold(hold.id, ctx.deviceRef);
    chargedFen ??= settled.resolvedAmount ?? settled.usageAmount;
    const card = await deps.core.getCard(hold.cardNo);
    balanceFen ??= card.balance.main + card.balance.subsidy;
  }
  return {
    kind: 'meter_settled',
    chargedFen,
    releasedFen: released ?? hold.amount - chargedFen,
    balanceAfterFen: wireFen(balanceFen),
  };
}
