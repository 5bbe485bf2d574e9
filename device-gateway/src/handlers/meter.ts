import { CoreError } from '@campus-card/core/client';
import type {
  MeterRefused,
  MeterSettled,
  MeterStart,
  MeterStarted,
  MeterStop,
  MeterUsage,
  MeterUsageAck,
} from '../protocol/index.ts';
import { type HandlerDeps, operationId, type RequestContext, verifyCode, wireFen } from './context.ts';
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

/** METER_START: a hold on the card through the core's two-phase transfer. */
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
  const verified = await verifyCode(deps, ctx, request.code);
  if (!verified.ok) return { kind: 'meter_refused', reason: verified.reason };
  try {
    const answer = await deps.core.hold({
      id: operationId(ctx),
      cardNo: verified.card.cardNo,
      merchantId: ctx.merchantId,
      deviceId: ctx.deviceRef,
      amount: request.holdFen,
      timeoutMs: deps.meterHoldTimeoutMs,
      ...(meter === undefined ? {} : { minBalance: meter.minBalanceFen }),
      cardVersion: verified.card.cardVersion,
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

/** METER_USAGE: recorded on the hold, so a meter that goes silent settles at its last report. */
export async function reportMeterUsage(
  deps: HandlerDeps,
  ctx: RequestContext,
  request: MeterUsage,
): Promise<MeterUsageAck> {
  const hold = await deps.core.getHold(request.holdId);
  if (hold.deviceId !== ctx.deviceRef) throw new Error(`hold ${request.holdId} is another device's`);
  if (hold.status !== 'pending') {
    return { kind: 'meter_usage_ack', state: 'hold_closed', usageFen: hold.usageAmount, remainingFen: 0 };
  }
  const usageFen = priced(deps, ctx, request.usageUnits, hold.amount);
  const after = await deps.core.reportUsage(request.holdId, usageFen);
  return {
    kind: 'meter_usage_ack',
    state: after.usageAmount >= after.amount ? 'hold_exhausted' : 'running',
    usageFen: after.usageAmount,
    remainingFen: after.amount - after.usageAmount,
  };
}

/** METER_STOP: settles the exact metered amount and releases the rest of the hold. */
export async function stopMeter(
  deps: HandlerDeps,
  ctx: RequestContext,
  request: MeterStop,
): Promise<MeterSettled> {
  const hold = await deps.core.getHold(request.holdId);
  if (hold.deviceId !== ctx.deviceRef) throw new Error(`hold ${request.holdId} is another device's`);
  const answer = await deps.core.postHold(request.holdId, {
    id: operationId(ctx),
    amount: priced(deps, ctx, request.usageUnits, hold.amount),
  });
  if (answer.status === 'rejected') {
    // Already settled (an expiry, or an earlier stop): answer with what the hold settled at.
    const settled = await deps.core.getHold(request.holdId);
    const charged = settled.resolvedAmount ?? 0;
    return {
      kind: 'meter_settled',
      chargedFen: charged,
      releasedFen: settled.amount - charged,
      balanceAfterFen: 0,
    };
  }
  const balance = answer.balance ?? { main: 0, subsidy: 0 };
  return {
    kind: 'meter_settled',
    chargedFen: answer.amount,
    releasedFen: answer.releasedAmount ?? hold.amount - answer.amount,
    balanceAfterFen: wireFen(balance.main + balance.subsidy),
  };
}
