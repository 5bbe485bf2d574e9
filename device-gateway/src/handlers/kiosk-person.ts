// A person without a phone at the kiosk (protocol § 7.25): identification by ID number + PIN, a loss
// report and its cancellation with the card's PIN, and fee bills listed and paid from the card. The fee
// payment's id is kiosk-<device>-<sequence>, so a frame sent again pays once and is answered the same.

import type { ErrorCode } from '@campus-card/core/client';
import { CoreError } from '@campus-card/core/client';
import type { FeeBill } from '@campus-card/core/contract';
import type { KioskSessions } from '../kiosk-sessions.ts';
import type {
  KioskAccount,
  KioskCancelLoss,
  KioskCancelLossResult,
  KioskFees,
  KioskFeesRequest,
  KioskIdentifyById,
  KioskLossResult,
  KioskReportLoss,
  Refusal,
} from '../protocol/index.ts';
import type { KioskFeeBill } from '../protocol/messages/kiosk-person.ts';
import { kioskFeeBillsMax } from '../protocol/messages/kiosk-person.ts';
import { assertLive, Busy, type HandlerDeps, type RequestContext, wireFen } from './context.ts';
import { balanceOf, openKioskSession, refusedAccount } from './kiosk.ts';
import { refusalOfCore } from './refusals.ts';

const feeNameBytesMax = 64;

/** A core failure that may pass (overloaded: the kiosk retries the same frame) or a refusal to show. */
function refusalOf(error: unknown): Refusal {
  if (error instanceof CoreError) {
    if (error.code === 'OVERLOADED') throw new Busy();
    if (error.code !== 'INTERNAL_ERROR') return refusalOfCore(error.code);
  }
  return 'SERVICE_UNAVAILABLE';
}

/** The ID number and PIN typed at the kiosk; answered like a code, with a session for the card. */
export async function identifyByIdAtKiosk(
  deps: HandlerDeps,
  sessions: KioskSessions,
  ctx: RequestContext,
  request: KioskIdentifyById,
  nowMs: number,
): Promise<KioskAccount> {
  let cardNo: string;
  try {
    ({ cardNo } = await deps.core.kioskIdentifyById({ idNumber: request.idNumber, pin: request.pin }));
  } catch (error) {
    // A number the core cannot read is, to the person, a number and PIN that do not match.
    if (error instanceof CoreError && error.code === 'VALIDATION_FAILED')
      return refusedAccount('PIN_INVALID');
    return refusedAccount(refusalOf(error));
  }
  return openKioskSession(deps, sessions, ctx, cardNo, nowMs, 'id_number');
}

/** 挂失 of the session's card; reporting a lost card again changes nothing and says so. */
export async function reportLossAtKiosk(
  deps: HandlerDeps,
  sessions: KioskSessions,
  ctx: RequestContext,
  request: KioskReportLoss,
  nowMs: number,
): Promise<KioskLossResult> {
  const refused = (reason: Refusal): KioskLossResult => ({
    kind: 'kiosk_loss_result',
    reason,
    status: 'refused',
  });
  const cardNo = (await sessions.sessionOf(request.sessionToken, ctx.deviceId, nowMs))?.cardNo;
  if (!cardNo) return refused('KIOSK_SESSION_EXPIRED');
  await assertLive(ctx);
  try {
    const change = await deps.core.changeCard(
      cardNo,
      'report_loss',
      { type: 'device', id: ctx.deviceRef },
      '自助机挂失',
    );
    return {
      kind: 'kiosk_loss_result',
      reason: 'NONE',
      status: change.changed ? 'reported' : 'already_lost',
    };
  } catch (error) {
    // A cancelled card cannot be reported lost: the core says so as an invalid transition.
    if (error instanceof CoreError && error.code === 'INVALID_TRANSITION') return refused('CARD_CANCELLED');
    return refused(refusalOf(error));
  }
}

/**
 * 解挂 of the session's card with the card's PIN, typed again (KIOSK_CANCEL_LOSS). The core applies the
 * app's rules (docs/funds.md § Kiosk identification): the PIN; a loss the holder reported (in the app or
 * at a kiosk) may be cancelled so, one a parent or the card centre reported only by a person who
 * identified here with their ID number; a frozen or cancelled card stays as it is. Recorded in the card's
 * history with actor `device` and reason 自助机解挂. A card that is not lost answers not_lost.
 */
export async function cancelLossAtKiosk(
  deps: HandlerDeps,
  sessions: KioskSessions,
  ctx: RequestContext,
  request: KioskCancelLoss,
  nowMs: number,
): Promise<KioskCancelLossResult> {
  const refused = (reason: Refusal): KioskCancelLossResult => ({
    kind: 'kiosk_cancel_loss_result',
    reason,
    status: 'refused',
  });
  const session = await sessions.sessionOf(request.sessionToken, ctx.deviceId, nowMs);
  if (!session) return refused('KIOSK_SESSION_EXPIRED');
  await assertLive(ctx);
  try {
    const change = await deps.core.kioskCancelLoss({
      cardNo: session.cardNo,
      pin: request.pin,
      deviceRef: ctx.deviceRef,
      identifiedBy: session.by,
    });
    return {
      kind: 'kiosk_cancel_loss_result',
      reason: 'NONE',
      status: change.changed ? 'cancelled' : 'not_lost',
    };
  } catch (error) {
    if (error instanceof CoreError) {
      // No PIN set, or a loss that is not the holder's to undo here: the app or the card centre.
      if (error.code === 'PIN_REQUIRED' || error.code === 'IDENTITY_REQUIRED')
        return refused('NOT_PERMITTED');
      if (error.code === 'INVALID_TRANSITION') {
        const status = error.details?.status;
        if (status === 'frozen') return refused('CARD_FROZEN');
        if (status === 'cancelled') return refused('CARD_CANCELLED');
        return refused('NOT_PERMITTED');
      }
    }
    return refused(refusalOf(error));
  }
}

/** The refusals of a fee payment: the bill's own (paid, more than owed, a part) or the card's. */
function feeRefusal(code: string): Refusal {
  if (code.startsWith('FEE_') || code === 'ID_REUSED') return 'FEE_REFUSED';
  return refusalOfCore(code as ErrorCode);
}

function fitName(name: string): string {
  let out = '';
  for (const char of name) {
    if (Buffer.byteLength(out + char, 'utf8') > feeNameBytesMax) break;
    out += char;
  }
  return out;
}

/** The bills still owed, the earliest due first, as the screen lists them. */
function owed(bills: readonly FeeBill[]): KioskFeeBill[] {
  return bills
    .filter((b) => b.amountDue > b.amountPaid)
    .sort((a, b) => a.item.dueDay.localeCompare(b.item.dueDay) || a.id.localeCompare(b.id))
    .slice(0, kioskFeeBillsMax)
    .map((b) => ({
      billId: b.id,
      name: fitName(b.item.name),
      owedFen: wireFen(b.amountDue - b.amountPaid),
      allowPartial: b.item.allowPartial,
    }));
}

/**
 * The session's owed fee bills; with a bill named, first pays it from the card (the card's PIN-free limit,
 * daily limit and PIN apply as at any till). Only a bill of the session's own person can be paid.
 */
export async function feesAtKiosk(
  deps: HandlerDeps,
  sessions: KioskSessions,
  ctx: RequestContext,
  request: KioskFeesRequest,
  nowMs: number,
): Promise<KioskFees> {
  const answer = (fields: Partial<KioskFees> & Pick<KioskFees, 'reason'>): KioskFees => ({
    kind: 'kiosk_fees',
    payment: 'none',
    amountFen: request.amountFen,
    balanceAfterFen: 0,
    reference: '',
    bills: [],
    ...fields,
  });
  const cardNo = (await sessions.sessionOf(request.sessionToken, ctx.deviceId, nowMs))?.cardNo;
  if (!cardNo)
    return answer({ reason: 'KIOSK_SESSION_EXPIRED', payment: request.billId === '' ? 'none' : 'refused' });
  try {
    const before = (await deps.core.cardFeeBills(cardNo)).items;
    if (request.billId === '') return answer({ reason: 'NONE', bills: owed(before) });
    if (!before.some((b) => b.id === request.billId))
      return answer({ reason: 'FEE_REFUSED', payment: 'refused', bills: owed(before) });
    await assertLive(ctx);
    const id = `kiosk-${ctx.deviceRef}-${ctx.sequence}`.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 48);
    let refusal: Refusal | undefined;
    let reference = '';
    try {
      const payment = await deps.core.payFeeByCard(request.billId, {
        id,
        cardNo,
        amount: request.amountFen,
        ...(request.pin === '' ? {} : { pin: request.pin }),
      });
      if (payment.status === 'paid') reference = payment.receiptNo;
      else refusal = feeRefusal(payment.failureCode ?? 'FEE_ALREADY_PAID');
    } catch (error) {
      if (error instanceof CoreError && error.code === 'OVERLOADED') throw new Busy();
      if (!(error instanceof CoreError) || error.code === 'INTERNAL_ERROR') throw error;
      refusal = feeRefusal(error.code);
    }
    const [after, balanceAfterFen] = await Promise.all([
      deps.core.cardFeeBills(cardNo),
      balanceOf(deps, cardNo),
    ]);
    return answer({
      reason: refusal ?? 'NONE',
      payment: refusal ? 'refused' : 'paid',
      balanceAfterFen,
      reference,
      bills: owed(after.items),
    });
  } catch (error) {
    return answer({ reason: refusalOf(error), payment: request.billId === '' ? 'none' : 'refused' });
  }
}
