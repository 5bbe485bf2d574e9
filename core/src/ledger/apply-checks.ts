import type { ErrorCode } from '../errors.ts';
import { shanghaiDay } from '../time.ts';
import type { BatchEffects, BatchState } from './apply.ts';
import { account } from './apply-journal.ts';
import { parseDeviceRef } from './devices.ts';
import { available, type CardRow, type DeviceRow, type MerchantRow } from './state.ts';

// The checks the ledger's rules are made of. Each either passes or throws a Refusal, before any change
// (applyOperation asserts it); the order they are called in is the order of refusal codes in docs/ledger.md.

export class Refusal {
  constructor(
    readonly code: ErrorCode,
    readonly message: string,
    readonly details?: Record<string, unknown>,
  ) {}
}

export function refuse(code: ErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new Refusal(code, message, details);
}

export function usableForDebit(s: BatchState, cardNo: string, cardVersion: number | undefined): CardRow {
  const card = s.cards.get(cardNo);
  if (!card) refuse('CARD_NOT_FOUND', 'no such card');
  if (card.status === 'lost') refuse('CARD_LOST', 'the card is reported lost');
  if (card.status === 'frozen') refuse('CARD_FROZEN', 'the card is frozen');
  if (card.status === 'cancelled') refuse('CARD_CANCELLED', 'the card is cancelled');
  // Only the card's current version is good: an older one was superseded, a newer one was never issued.
  if (cardVersion !== undefined && cardVersion !== card.version) {
    refuse('CARD_VERSION_STALE', 'the credential is not for the card as it is now', {
      cardVersion: card.version,
    });
  }
  return card;
}

/**
 * An online request's device, under the lock the batch holds on its row: disabled, or named under a key
 * that was replaced (`<id>-<keyVersion>` with an older version), is DEVICE_DISABLED. A request that
 * passed the gateway's check just before the disable is refused here. A name that is no registered
 * device (a service's own) is not checked.
 */
export function usableDevice(s: BatchState, ref: string | undefined): void {
  const device = deviceOf(s, ref);
  if (!device) return;
  if (device.row.status !== 'active') refuse('DEVICE_DISABLED', 'the device is disabled');
  if (device.row.keyVersion !== device.keyVersion)
    refuse('DEVICE_DISABLED', 'the device was re-keyed; its old key is refused');
}

/**
 * An offline record's device: records taken before the device was disabled are its honest offline
 * sales and are charged; one taken at or after the disable (and, once re-enabled, before the re-enable)
 * is DEVICE_DISABLED. A device disabled with no recorded time (before sql/022) refuses all of them.
 */
export function offlineDevice(s: BatchState, ref: string | undefined, takenAtMs: number): void {
  const device = deviceOf(s, ref)?.row;
  if (!device) return;
  const from = device.disabledAtMs;
  const inside =
    device.status === 'disabled'
      ? from === null || takenAtMs >= from
      : from !== null &&
        device.reenabledAtMs !== null &&
        takenAtMs >= from &&
        takenAtMs < device.reenabledAtMs;
  if (inside) refuse('DEVICE_DISABLED', 'the record was taken while the device was disabled');
}

function deviceOf(
  s: BatchState,
  ref: string | undefined,
): { row: DeviceRow; keyVersion: number } | undefined {
  const parsed = ref === undefined ? undefined : parseDeviceRef(ref);
  const row = parsed && s.devices.get(parsed.deviceId);
  return row && parsed ? { row, keyVersion: parsed.keyVersion } : undefined;
}

/** A code consumed by an accepted payment or hold, in an earlier batch or earlier in this one, pays no more. */
export function unusedCode(s: BatchState, codeId: string | undefined): void {
  if (codeId !== undefined && s.codeUses.has(codeId))
    refuse('CODE_REPLAYED', 'this pay code was already used for a payment');
}

export function consumeCode(
  s: BatchState,
  fx: BatchEffects,
  codeId: string | undefined,
  operationId: string,
  card: CardRow,
): void {
  if (codeId === undefined) return;
  s.codeUses.set(codeId, operationId);
  fx.codeUses.push({ codeId, operationId, cardNo: card.cardNo });
}

export function usableForCredit(s: BatchState, cardNo: string): CardRow {
  const card = s.cards.get(cardNo);
  if (!card) refuse('CARD_NOT_FOUND', 'no such card');
  if (card.status === 'cancelled') refuse('CARD_CANCELLED', 'the card is cancelled');
  return card;
}

export function usableMerchant(s: BatchState, merchantId: string): MerchantRow {
  const merchant = s.merchants.get(merchantId);
  if (!merchant) refuse('MERCHANT_NOT_FOUND', 'no such merchant');
  if (merchant.status !== 'active') refuse('MERCHANT_DISABLED', 'the merchant is disabled');
  return merchant;
}

/** Today's spending so far (Asia/Shanghai day), after checking the payment fits the daily limit. */
export function checkDailyLimit(card: CardRow, nowMs: number, amount: number): number {
  const spent = card.spentDay === shanghaiDay(nowMs) ? card.spentDayAmount : 0;
  if (spent + amount > card.dailyLimit) {
    refuse('LIMIT_EXCEEDED', `the card's daily limit of ${card.dailyLimit} fen would be exceeded`, {
      dailyLimit: card.dailyLimit,
      spentToday: spent,
    });
  }
  return spent;
}

/** Subsidy wallet first, then the main wallet, all or nothing. */
export function splitDraw(
  s: BatchState,
  card: CardRow,
  amount: number,
): { fromSubsidy: number; fromMain: number } {
  const fromSubsidy = Math.min(Math.max(available(account(s, card.subsidyAccountId)), 0), amount);
  const fromMain = amount - fromSubsidy;
  if (fromMain > available(account(s, card.mainAccountId)))
    refuse('INSUFFICIENT_FUNDS', 'the balance is too low');
  return { fromSubsidy, fromMain };
}
