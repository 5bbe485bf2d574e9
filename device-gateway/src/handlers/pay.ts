import { CoreError, personTypeAllowed } from '@campus-card/core/client';
import type { CardCredential } from '@campus-card/core/credential';
import { codeHashOf } from '../declines.ts';
import type { MealCapReservation } from '../meal-caps.ts';
import { busyRetryKey } from '../pin-retries.ts';
import type { Pay, PayApproved, PayDeclined, PayWithPin, Refusal } from '../protocol/index.ts';
import {
  assertLive,
  Busy,
  DeviceRevoked,
  type HandlerDeps,
  operationId,
  type RequestContext,
  verifyCode,
  wireFen,
} from './context.ts';
import { refusalOfCore } from './refusals.ts';

/**
 * What the device's configuration refuses before the core is asked: above its payment maximum (0: no
 * payments here), or outside every meal window when it has some. The core's own limits apply after.
 */
export function configRefusal(ctx: RequestContext, amountFen: number, nowMs: number): Refusal | undefined {
  if (ctx.config.configVersion === 0) return undefined;
  const s = ctx.config.settings;
  if (amountFen > s.paymentMaxFen) return 'AMOUNT_OUT_OF_RANGE';
  if (s.mealWindows.length > 0) {
    const localMinute = Math.floor((nowMs / 60_000 + s.utcOffsetMinutes) % 1_440);
    const minute = localMinute < 0 ? localMinute + 1_440 : localMinute;
    if (!s.mealWindows.some((w) => minute >= w.startMinute && minute < w.endMinute)) return 'OUTSIDE_WINDOW';
  }
  return undefined;
}

/**
 * The meal window this payment falls in, when it caps what one card spends there: the counter's key
 * (merchant, card, the device's local day, window start), the cap and how long the counter must live.
 */
export function mealCapOf(
  ctx: RequestContext,
  cardNo: string,
  amountFen: number,
  nowMs: number,
): MealCapReservation | undefined {
  if (ctx.config.configVersion === 0 || ctx.merchantId === null) return undefined;
  const s = ctx.config.settings;
  const localMinutes = Math.floor(nowMs / 60_000 + s.utcOffsetMinutes);
  const day = Math.floor(localMinutes / 1_440);
  const minute = localMinutes - day * 1_440;
  const window = s.mealWindows.find((w) => minute >= w.startMinute && minute < w.endMinute);
  if (window === undefined || window.perCardMaxFen === 0) return undefined;
  return {
    key: `${ctx.merchantId}:${cardNo}:${day}:${window.startMinute}`,
    operationId: operationId(ctx),
    amountFen,
    capFen: window.perCardMaxFen,
    ttlMs: (window.endMinute - minute + 5) * 60_000,
  };
}

/** A verified card kept for its retry: the code's id, and the card's centre when it is another's. */
type Kept = CardCredential & { codeId?: string; centreId?: string };

/**
 * The answer of a payment the core already made under this (device, sequence), if it is this one;
 * `unknown` when the core could not say (unreachable, or not within the request's deadline).
 */
async function originalAnswer(
  deps: HandlerDeps,
  ctx: RequestContext,
  amountFen: number,
): Promise<PayApproved | PayDeclined | undefined | 'unknown'> {
  let op: Awaited<ReturnType<HandlerDeps['core']['getOperation']>>;
  try {
    op = await deps.core.getOperation(operationId(ctx));
  } catch (error) {
    if (error instanceof CoreError && error.code === 'OPERATION_NOT_FOUND') return undefined;
    return 'unknown';
  }
  if (!['payment', 'foreign_sale'].includes(op.kind) || op.amount !== amountFen) return undefined;
  const result = op.result;
  if (result.status === 'rejected') return { kind: 'pay_declined', reason: refusalOfCore(result.code) };
  const balance = result.balance ?? { main: 0, subsidy: 0 };
  return {
    kind: 'pay_approved',
    chargedFen: result.amount,
    subsidyFen: result.subsidyAmount,
    balanceAfterFen: wireFen(balance.main + balance.subsidy),
  };
}

/**
 * PAY and PAY_WITH_PIN: verify the code, then one idempotent core payment keyed by (device, sequence). The
 * PIN arrived sealed; it goes to the core, which checks it against the card's hash and never stores it.
 */
export async function pay(
  deps: HandlerDeps,
  ctx: RequestContext,
  request: Pay | PayWithPin,
): Promise<PayApproved | PayDeclined> {
  if (ctx.merchantId === null) return declined(deps, ctx, request, 'NOT_PERMITTED');
  const refused = configRefusal(ctx, request.amountFen, Date.now());
  if (refused !== undefined) return declined(deps, ctx, request, refused);
  // Needed only off the approved path (a retry, BUSY, a PIN asked for), so hashed only there.
  const codeHash = () => codeHashOf(request.code);
  let verified = await verifyCode(deps, ctx, request.code, { foreign: true });
  if (!verified.ok && verified.reason === 'CODE_REPLAYED') {
    // A retry that reached another instance (or this one after a restart) finds its code used — by its
    // own first attempt. The core's operation under this (device, sequence) is the original answer.
    const original = await originalAnswer(deps, ctx, request.amountFen);
    if (original !== undefined && original !== 'unknown') return original;
    // The retry of this very request after the ledger answered it BUSY (protocol § 7.9), or the PIN retry
    // of a code this till sent moments ago and was asked the PIN for (protocol § 7.11).
    const kept =
      (await deps.pinRetries.take(ctx.deviceRef, busyRetryKey(codeHash(), ctx.sequence))) ??
      (request.kind === 'pay_with_pin' ? await deps.pinRetries.take(ctx.deviceRef, codeHash()) : undefined);
    if (kept !== undefined) {
      const { codeId, centreId, ...card } = kept as Kept;
      verified = personTypeAllowed(ctx.config.settings, card.personType)
        ? {
            ok: true,
            card,
            ...(codeId === undefined ? {} : { codeId }),
            ...(centreId === undefined ? {} : { centreId }),
          }
        : { ok: false, reason: 'NOT_PERMITTED' };
    } else if (original === 'unknown') {
      // Its first attempt may have been charged: no decline the till could take as final (protocol § 11.2).
      return { kind: 'pay_declined', reason: 'SERVICE_UNAVAILABLE' };
    }
  }
  if (!verified.ok) return declined(deps, ctx, request, verified.reason);
  const { card, codeId } = verified;
  // A card of another centre: authorised at its centre through our core (docs/federation.md).
  const centreId = 'centreId' in verified ? verified.centreId : undefined;
  /**
   * The code, which the replay guard here already counted, stays good for this request's own retry under
   * its sequence, which is then sent to the ledger under the same operation id.
   */
  const keepForRetry = () => {
    const keep: Kept = {
      ...card,
      ...(codeId === undefined ? {} : { codeId }),
      ...(centreId === undefined ? {} : { centreId }),
    };
    return deps.pinRetries.keep(ctx.deviceRef, busyRetryKey(codeHash(), ctx.sequence), keep);
  };
  /**
   * The ledger refused it for capacity (OVERLOADED) before applying anything: nothing charged, and the
   * session answers BUSY (protocol § 7.9); the retry is served with the code kept.
   */
  const busy = async (): Promise<never> => {
    await keepForRetry();
    throw new Busy();
  };
  await assertLive(ctx);
  // The window's per-card cap, reserved before the ledger is asked (a retry of this request reserves nothing more).
  const mealCap = mealCapOf(ctx, card.cardNo, request.amountFen, Date.now());
  if (mealCap !== undefined && !(await deps.mealCaps.reserve(mealCap)))
    return declined(deps, ctx, request, 'LIMIT_EXCEEDED');
  /** A definite refusal by the ledger: nothing was charged, so the window's room comes back. */
  const giveBack = async () => {
    if (mealCap !== undefined) await deps.mealCaps.release(mealCap.key, mealCap.operationId);
  };
  try {
    const payment = {
      id: operationId(ctx),
      cardNo: card.cardNo,
      merchantId: ctx.merchantId,
      deviceId: ctx.deviceRef,
      amount: request.amountFen,
      cardVersion: card.cardVersion,
      // The ledger charges each code once, whichever till or gateway instance presents it (CODE_REPLAYED).
      ...(codeId === undefined ? {} : { codeId }),
      ...(request.kind === 'pay_with_pin' ? { pin: request.pin } : {}),
    };
    const answer = await (centreId === undefined
      ? deps.core.pay(payment)
      : deps.core.payForeign({ ...payment, centreId }));
    if (answer.status === 'rejected') {
      if (answer.code === 'OVERLOADED') return await busy();
      await giveBack();
      // Disabled or re-keyed after the check above, refused by the ledger under its lock: as for a request
      // the session found revoked, no answer (protocol § 10.1).
      if (answer.code === 'DEVICE_DISABLED') throw new DeviceRevoked(ctx.deviceId);
      // The card holder types the PIN (again) and the till sends the same code: keep it for that one try.
      if (answer.code === 'PIN_REQUIRED' || answer.code === 'PIN_INVALID') {
        const keep: Kept = {
          ...card,
          ...(codeId === undefined ? {} : { codeId }),
          ...(centreId === undefined ? {} : { centreId }),
        };
        await deps.pinRetries.keep(ctx.deviceRef, codeHash(), keep);
      }
      return { kind: 'pay_declined', reason: refusalOfCore(answer.code) };
    }
    const balance = answer.balance ?? { main: 0, subsidy: 0 };
    return {
      kind: 'pay_approved',
      chargedFen: answer.amount,
      subsidyFen: answer.subsidyAmount,
      balanceAfterFen: wireFen(balance.main + balance.subsidy),
    };
  } catch (error) {
    if (error instanceof Busy) throw error;
    if (error instanceof CoreError && error.code === 'OVERLOADED') return await busy();
    // A foreign card's centre did not answer (docs/federation.md): nothing is recorded here, and the
    // device's retry under this sequence asks it again, which answers once whatever it did the first time.
    if (error instanceof CoreError && error.code === 'FEDERATION_UNAVAILABLE') return await busy();
    // The core refused the request itself (not this payment): nothing charged.
    if (error instanceof CoreError && error.code !== 'INTERNAL_ERROR') {
      await giveBack();
      return declined(deps, ctx, request, refusalOfCore(error.code));
    }
    // Unknown whether the ledger applied it, after the core client asked again under its id (its answers
    // lost, or the core failed inside): the reservation stays, and the device's retry of this very request
    // (protocol § 11.2) finds the operation or sends it under the same id, so it is charged at most once.
    await keepForRetry();
    return { kind: 'pay_declined', reason: 'SERVICE_UNAVAILABLE' };
  }
}

/**
 * A decline the ledger never saw, kept under (device, sequence) before the device hears it, so that an
 * offline record the device later stores under this sequence becomes an exception with this reason rather
 * than a charge (protocol § 12.3). SERVICE_UNAVAILABLE is no decline: the device may then go offline.
 */
async function declined(
  deps: HandlerDeps,
  ctx: RequestContext,
  request: Pay | PayWithPin,
  reason: Refusal,
): Promise<PayDeclined> {
  if (reason !== 'SERVICE_UNAVAILABLE') {
    await deps.declines.record(ctx.deviceRef, ctx.sequence, {
      reason,
      codeHash: codeHashOf(request.code),
      amountFen: request.amountFen,
    });
  }
  return { kind: 'pay_declined', reason };
}
