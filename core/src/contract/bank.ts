/**
 * Bank 圈存 on the wire (docs/funds.md § Bank): binding a bank card, loading the card from it,
 * auto top-up settings, transfers as the backoffice sees them. Shared by the core's routes, its
 * client, the BFF and the pages; nothing here imports from node.
 */
import { z } from 'zod';
import { cardNo, fen, mobilePhone } from './fields.ts';

/** A bank card number: 12–19 digits (sent once to the bank, never stored). */
export const bankCardNumber = z.string().regex(/^\d{12,19}$/, 'a bank card number is 12–19 digits');
/** A mainland ID number: 17 digits and a check character. */
export const idNumber = z.string().regex(/^\d{17}[\dXx]$/, 'an ID number is 17 digits and a digit or X');
export const smsCode = z.string().regex(/^\d{6}$/, 'the SMS code is 6 digits');
export const bankIdempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'an idempotency key is 8–64 characters of A-Z a-z 0-9 _ -');
export const bankBindingId = z.string().regex(/^[0-9A-Z]{26}$/, 'a binding id is 26 letters or digits');
export const bankTransferId = z
  .string()
  .regex(/^bk[0-9A-Z]{26}$/, 'a transfer id is bk and 26 letters or digits');

export const bindStartBody = z.strictObject({
  cardNo,
  bankCardNumber,
  idNumber,
  phone: mobilePhone,
});
export const bindConfirmBody = z.strictObject({ cardNo, bindingId: bankBindingId, smsCode });
export const loadBody = z.strictObject({
  cardNo,
  amount: fen,
  idempotencyKey: bankIdempotencyKey,
  /** Where the student asked: the app (default) or a self-service kiosk. */
  origin: z.enum(['app', 'kiosk']).optional(),
});
export const autoTopUpBody = z
  .strictObject({
    cardNo,
    enabled: z.boolean(),
    /** Below this main balance (fen) one load is made. */
    threshold: z.number().int().min(0).max(100_000_00),
    amount: fen,
    /** At most this much (fen) loaded automatically per Shanghai month. */
    monthlyCap: fen,
  })
  .refine((b) => b.monthlyCap >= b.amount, {
    message: 'the monthly cap is at least one load',
    path: ['monthlyCap'],
  });

export const bankTransferStatuses = [
  'pending',
  'uncertain',
  'confirmed',
  'credited',
  'unapplied',
  'failed',
  'reversed',
] as const;
export type BankTransferStatus = (typeof bankTransferStatuses)[number];

export interface BankBindingView {
  id: string;
  cardNo: string;
  status: 'pending' | 'active' | 'removed';
  masked: string;
  phoneTail: string | null;
  boundAtMs: number | null;
}

export interface BankTransferView {
  id: string;
  cardNo: string;
  direction: 'load' | 'payout';
  origin: 'app' | 'auto' | 'kiosk' | 'refund';
  amount: number;
  status: BankTransferStatus;
  bankSerial: string | null;
  failureCode: string | null;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface AutoTopUpView {
  cardNo: string;
  enabled: boolean;
  threshold: number;
  amount: number;
  monthlyCap: number;
  /** Loaded automatically so far this Shanghai month, fen. */
  monthUsed: number;
  lastDay: string | null;
}

export interface BankMismatchView {
  billDate: string;
  transferId: string;
  kind: 'missing_ours' | 'missing_theirs' | 'amount_differs' | 'state_differs';
  ours: string | null;
  theirs: string | null;
  foundAtMs: number;
}

/** What one auto top-up trigger did. */
export type AutoTopUpOutcome =
  | { outcome: 'loaded' | 'failed' | 'uncertain'; transfer: BankTransferView }
  | { outcome: 'not_needed' | 'off' | 'already_today' | 'cap_reached' };
