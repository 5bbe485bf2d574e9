// The self-service kiosk (protocol § 7.24): identify with a code, then 圈存 from the bound bank card or
// a cash top-up the banknote acceptor counted. A load's idempotency key is (device, sequence): the bank
// transfer's key kiosk-<device>-<sequence> and the cash top-up's ledger id dev:<device>:<sequence>, so a
// retried frame, on this or another gateway instance, credits once.

import { CoreError } from '@campus-card/core/client';
import type { KioskIdentifiedBy, KioskSessions } from '../kiosk-sessions.ts';
import type {
  KioskAccount,
  KioskBankLoad,
  KioskCashTopUp,
  KioskIdentify,
  KioskLoadResult,
  KioskUtilityPay,
  KioskUtilityResult,
  Refusal,
} from '../protocol/index.ts';
import type { KioskEntry } from '../protocol/messages/kiosk.ts';
import {
  assertLive,
  Busy,
  type HandlerDeps,
  operationId,
  type RequestContext,
  verifyCode,
  wireFen,
} from './context.ts';
import { refusalOfCore } from './refusals.ts';

const displayNameBytesMax = 64;
const entriesShown = 5;

const noToken = new Uint8Array(16);

/** Code refusals a retried identify meets where its first try (maybe at another gateway) used the code. */
const retryRefusals: ReadonlySet<Refusal> = new Set(['CODE_REPLAYED', 'CODE_EXPIRED']);

export function refusedAccount(reason: Refusal): KioskAccount {
  return {
    kind: 'kiosk_account',
    reason,
    sessionToken: noToken,
    displayName: '',
    mainFen: 0,
    subsidyFen: 0,
    bankTail: '',
    entries: [],
  };
}

function maskName(name: string): string {
  const chars = [...name];
  const masked =
    chars.length <= 1 ? name : chars.length === 2 ? `${chars[0]}*` : `${chars[0]}*${chars.at(-1)}`;
  let out = '';
  for (const char of masked) {
    if (Buffer.byteLength(out + char, 'utf8') > displayNameBytesMax) break;
    out += char;
  }
  return out;
}

export async function identifyAtKiosk(
  deps: HandlerDeps,
  sessions: KioskSessions,
  ctx: RequestContext,
  request: KioskIdentify,
  nowMs: number,
): Promise<KioskAccount> {
  const verified = await verifyCode(deps, ctx, request.code);
  if (!verified.ok) {
    // The same frame retried at another gateway (or here after its answer was lost) finds its code used
    // by its first try: the session that try opened is the answer, while it lasts.
    if (retryRefusals.has(verified.reason)) {
      const token = await sessions.openedBy(ctx, ctx.deviceId, nowMs);
      const session = token && (await sessions.sessionOf(token, ctx.deviceId, nowMs));
      if (token && session) return kioskAccount(deps, session.cardNo, token);
    }
    return refusedAccount(verified.reason);
  }
  return openKioskSession(deps, sessions, ctx, verified.card.cardNo, nowMs);
}

/** The identified card's account and a new session for it at this kiosk (by a code, or an ID number + PIN). */
export async function openKioskSession(
  deps: HandlerDeps,
  sessions: KioskSessions,
  ctx: RequestContext,
  cardNo: string,
  nowMs: number,
  by: KioskIdentifiedBy = 'code',
): Promise<KioskAccount> {
  return kioskAccount(deps, cardNo, () => sessions.open({ cardNo, by }, ctx.deviceId, ctx, nowMs));
}

/** The card's account for the kiosk's screen, with the session's token (opened once the card may use it). */
async function kioskAccount(
  deps: HandlerDeps,
  cardNo: string,
  token: Uint8Array | (() => Promise<Uint8Array>),
): Promise<KioskAccount> {
  try {
    const [card, binding, recent] = await Promise.all([
      deps.core.getCard(cardNo),
      deps.core.bankBinding(cardNo),
      deps.core.cardTransactions(cardNo, { limit: entriesShown }),
    ]);
    if (card.status === 'cancelled') return refusedAccount('CARD_CANCELLED');
    const entries: KioskEntry[] = recent.items
      .filter((t) => t.amount !== 0)
      .map((t) => ({
        atMs: t.createdAtMs,
        direction: t.amount < 0 ? 'out' : 'in',
        amountFen: wireFen(Math.abs(t.amount)),
      }));
    return {
      kind: 'kiosk_account',
      reason: 'NONE',
      sessionToken: typeof token === 'function' ? await token() : token,
      displayName: maskName(card.name),
      mainFen: wireFen(card.balance.main),
      subsidyFen: wireFen(card.balance.subsidy),
      bankTail: binding.binding?.masked.slice(-4) ?? '',
      entries,
    };
  } catch (error) {
    if (error instanceof CoreError && error.code !== 'OVERLOADED' && error.code !== 'INTERNAL_ERROR')
      return refusedAccount(refusalOfCore(error.code));
    return refusedAccount('SERVICE_UNAVAILABLE');
  }
}

function refusedLoad(reason: Refusal, amountFen: number): KioskLoadResult {
  return {
    kind: 'kiosk_load_result',
    reason,
    status: 'refused',
    amountFen,
    balanceAfterFen: 0,
    reference: '',
  };
}

export async function balanceOf(deps: HandlerDeps, cardNo: string): Promise<number> {
  const card = await deps.core.getCard(cardNo);
  return wireFen(card.balance.main + card.balance.subsidy);
}

export async function loadFromBankAtKiosk(
  deps: HandlerDeps,
  sessions: KioskSessions,
  ctx: RequestContext,
  request: KioskBankLoad,
  nowMs: number,
): Promise<KioskLoadResult> {
  const cardNo = (await sessions.sessionOf(request.sessionToken, ctx.deviceId, nowMs))?.cardNo;
  if (!cardNo) return refusedLoad('KIOSK_SESSION_EXPIRED', request.amountFen);
  await assertLive(ctx);
  try {
    const transfer = await deps.core.bankLoad({
      cardNo,
      amount: request.amountFen,
      idempotencyKey: `kiosk-${ctx.deviceRef}-${ctx.sequence}`.replace(/[^A-Za-z0-9_-]/g, '_'),
      origin: 'kiosk',
    });
    const balanceAfterFen = await balanceOf(deps, cardNo);
    if (transfer.status === 'credited')
      return {
        kind: 'kiosk_load_result',
        reason: 'NONE',
        status: 'credited',
        amountFen: transfer.amount,
        balanceAfterFen,
        reference: transfer.id,
      };
    if (transfer.status === 'failed' || transfer.status === 'reversed' || transfer.status === 'unapplied')
      return { ...refusedLoad('BANK_REFUSED', transfer.amount), balanceAfterFen, reference: transfer.id };
    // No answer from the bank yet: settled by the core's resolve job, credited or reversed, never both.
    return {
      kind: 'kiosk_load_result',
      reason: 'NONE',
      status: 'pending',
      amountFen: transfer.amount,
      balanceAfterFen,
      reference: transfer.id,
    };
  } catch (error) {
    if (error instanceof CoreError) {
      if (error.code === 'BANK_NOT_BOUND') return refusedLoad('BANK_NOT_BOUND', request.amountFen);
      if (error.code === 'OVERLOADED') throw new Busy();
      if (error.code !== 'INTERNAL_ERROR' && error.code !== 'BANK_UNAVAILABLE')
        return refusedLoad(refusalOfCore(error.code), request.amountFen);
    }
    return refusedLoad('SERVICE_UNAVAILABLE', request.amountFen);
  }
}

/**
 * Banknotes the acceptor counted. A frame retried after its session expired (the answer was lost, the
 * person walked away) still finds its top-up: the operation id names the frame, not the session.
 */
export async function cashTopUpAtKiosk(
  deps: HandlerDeps,
  sessions: KioskSessions,
  ctx: RequestContext,
  request: KioskCashTopUp,
  nowMs: number,
): Promise<KioskLoadResult> {
  const id = operationId(ctx);
  let cardNo = (await sessions.sessionOf(request.sessionToken, ctx.deviceId, nowMs))?.cardNo;
  if (!cardNo) {
    const earlier = await deps.core.kioskCashEntry(id).catch(() => undefined);
    if (!earlier) return refusedLoad('KIOSK_SESSION_EXPIRED', request.amountFen);
    cardNo = earlier.cardNo;
  }
  await assertLive(ctx);
  let answer: Awaited<ReturnType<HandlerDeps['core']['kioskCashTopUp']>>;
  try {
    answer = await deps.core.kioskCashTopUp({
      id,
      deviceRef: ctx.deviceRef,
      cardNo,
      amount: request.amountFen,
      notes: request.notes,
    });
  } catch (error) {
    if (error instanceof CoreError && error.code === 'OVERLOADED') throw new Busy();
    return refusedLoad('SERVICE_UNAVAILABLE', request.amountFen);
  }
  if (answer.status !== 'ok') {
    if (answer.code === 'OVERLOADED') throw new Busy();
    // The notes stay in the escrow and go back to the person (protocol § 7.23).
    return refusedLoad(refusalOfCore(answer.code), request.amountFen);
  }
  const balance = answer.balance
    ? wireFen(answer.balance.main + answer.balance.subsidy)
    : await balanceOf(deps, cardNo);
  return {
    kind: 'kiosk_load_result',
    reason: 'NONE',
    status: 'credited',
    amountFen: answer.amount,
    balanceAfterFen: balance,
    reference: id.slice(0, 40),
  };
}

function refusedUtility(reason: Refusal, amountFen: number, reference = ''): KioskUtilityResult {
  return {
    kind: 'kiosk_utility_result',
    reason,
    status: 'refused',
    amountFen,
    balanceAfterFen: 0,
    reference,
  };
}

/** A refusal of the meter or network system, or of the card, in the protocol's reasons. */
function utilityRefusal(code: string): Refusal {
  if (['ROOM_NOT_FOUND', 'NETWORK_ACCOUNT_NOT_FOUND', 'PACKAGE_INVALID'].includes(code))
    return 'UTILITY_REFUSED';
  if (code === 'UTILITY_UNAVAILABLE') return 'SERVICE_UNAVAILABLE';
  return refusalOfCore(code as Parameters<typeof refusalOfCore>[0]);
}

/**
 * Dorm electricity or the network fee from the card (helper F's two-phase purchase, docs/funds.md): the
 * order id kiosk-<device>-<sequence> is the purchase's idempotency key, so a frame sent again pays once.
 * The network account is the identified person's own.
 */
export async function payUtilityAtKiosk(
  deps: HandlerDeps,
  sessions: KioskSessions,
  ctx: RequestContext,
  request: KioskUtilityPay,
  nowMs: number,
): Promise<KioskUtilityResult> {
  const cardNo = (await sessions.sessionOf(request.sessionToken, ctx.deviceId, nowMs))?.cardNo;
  if (!cardNo) return refusedUtility('KIOSK_SESSION_EXPIRED', request.amountFen);
  if (request.service === 'electricity' && request.target === '')
    return refusedUtility('UTILITY_REFUSED', request.amountFen);
  await assertLive(ctx);
  const id = `kiosk-${ctx.deviceRef}-${ctx.sequence}`.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 48);
  try {
    const target =
      request.service === 'network' ? (await deps.core.getCard(cardNo)).personNo : request.target;
    const order = await deps.core.purchaseUtility({
      id,
      service: request.service,
      target,
      ...(request.packageId ? { packageId: request.packageId } : {}),
      cardNo,
      amount: request.amountFen,
    });
    const balanceAfterFen = await balanceOf(deps, cardNo);
    if (order.status === 'completed' || order.status === 'credited')
      return {
        kind: 'kiosk_utility_result',
        reason: 'NONE',
        status: 'completed',
        amountFen: order.amount,
        balanceAfterFen,
        reference: order.id,
      };
    if (order.status === 'refused' || order.status === 'failed')
      return {
        ...refusedUtility(utilityRefusal(order.failureCode ?? 'UTILITY_UNAVAILABLE'), order.amount, order.id),
        balanceAfterFen,
      };
    // Held while the system's answer is awaited: charged once it confirms, released otherwise.
    return {
      kind: 'kiosk_utility_result',
      reason: 'NONE',
      status: 'pending',
      amountFen: order.amount,
      balanceAfterFen,
      reference: order.id,
    };
  } catch (error) {
    if (error instanceof CoreError) {
      if (error.code === 'OVERLOADED') throw new Busy();
      return refusedUtility(utilityRefusal(error.code), request.amountFen);
    }
    return refusedUtility('SERVICE_UNAVAILABLE', request.amountFen);
  }
}
