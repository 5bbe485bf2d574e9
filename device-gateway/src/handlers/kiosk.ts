// The self-service kiosk (protocol § 7.24): identify with a code, then 圈存 from the bound bank card or
// a cash top-up the banknote acceptor counted. A load's idempotency key is (device, sequence): the bank
// transfer's key kiosk-<device>-<sequence> and the cash top-up's ledger id dev:<device>:<sequence>, so a
// retried frame, on this or another gateway instance, credits once.

import { randomBytes } from 'node:crypto';
import { CoreError } from '@campus-card/core/client';
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

/** How long a kiosk session lasts after the code was shown; each load extends it. */
const sessionTtlMs = 5 * 60_000;
const sessionsMax = 10_000;
const displayNameBytesMax = 64;
const entriesShown = 5;

/**
 * Kiosk sessions of this gateway instance: the token the device names in its loads, bound to the card
 * and to the one kiosk that identified it. A kiosk keeps its connection (and so its instance) for a
 * session; a token unknown here is KIOSK_SESSION_EXPIRED and the person shows the code again.
 */
/** How the person of a kiosk session identified: a code shown, or their ID number and the card's PIN. */
export type KioskIdentifiedBy = 'code' | 'id_number';

export class KioskSessions {
  private readonly byToken = new Map<
    string,
    { cardNo: string; deviceId: number; expiresAtMs: number; by: KioskIdentifiedBy }
  >();

  open(cardNo: string, deviceId: number, nowMs: number, by: KioskIdentifiedBy = 'code'): Uint8Array {
    if (this.byToken.size >= sessionsMax) this.sweep(nowMs);
    if (this.byToken.size >= sessionsMax) this.byToken.delete(this.byToken.keys().next().value as string);
    const token = randomBytes(16);
    this.byToken.set(Buffer.from(token).toString('hex'), {
      cardNo,
      deviceId,
      expiresAtMs: nowMs + sessionTtlMs,
      by,
    });
    return token;
  }

  /** The session's card, for the kiosk that opened it, while it lasts. */
  cardOf(token: Uint8Array, deviceId: number, nowMs: number): string | undefined {
    return this.sessionOf(token, deviceId, nowMs)?.cardNo;
  }

  /** The session's card and how its person identified, for the kiosk that opened it, while it lasts. */
  sessionOf(
    token: Uint8Array,
    deviceId: number,
    nowMs: number,
  ): { cardNo: string; by: KioskIdentifiedBy } | undefined {
    const key = Buffer.from(token).toString('hex');
    const session = this.byToken.get(key);
    if (!session || session.deviceId !== deviceId || session.expiresAtMs <= nowMs) return undefined;
    session.expiresAtMs = nowMs + sessionTtlMs;
    return { cardNo: session.cardNo, by: session.by };
  }

  private sweep(nowMs: number): void {
    for (const [key, s] of this.byToken) if (s.expiresAtMs <= nowMs) this.byToken.delete(key);
  }
}

const noToken = new Uint8Array(16);

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
  if (!verified.ok) return refusedAccount(verified.reason);
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
      sessionToken: sessions.open(cardNo, ctx.deviceId, nowMs, by),
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
  const cardNo = sessions.cardOf(request.sessionToken, ctx.deviceId, nowMs);
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
  let cardNo = sessions.cardOf(request.sessionToken, ctx.deviceId, nowMs);
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
  const cardNo = sessions.cardOf(request.sessionToken, ctx.deviceId, nowMs);
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
