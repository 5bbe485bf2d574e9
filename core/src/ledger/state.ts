/**
 * Rows as the batch executor holds them while their database locks are held. The business rules
 * in apply.ts work on these plain objects only, so they are testable without a database.
 */
import type { HoldView } from '../contract/ledger.ts';
import type { PlaceSeen, RiskState } from './risk-step-up.ts';

export interface CardRow {
  cardNo: string;
  personId: string;
  status: 'active' | 'lost' | 'frozen' | 'cancelled';
  version: number;
  mainAccountId: string;
  subsidyAccountId: string;
  dailyLimit: number;
  pinFreeLimit: number;
  spentDay: number;
  spentDayAmount: number;
  lastPayDeviceId: string | null;
  lastPayAtMs: number | null;
  /** Whether the card has a PIN: the risk step-up asks only for a PIN the holder can give. */
  pinSet: boolean;
  /** The risk step-up's counters (risk-step-up.ts). */
  risk: RiskState;
  /** Of the merchants the batch names, those the card has paid at before, and when (card_places). */
  places: Map<string, PlaceSeen>;
}

export interface AccountRow {
  id: string;
  kind: 'wallet_main' | 'wallet_subsidy' | 'merchant' | 'system';
  allowOverdraft: boolean;
  debitsPosted: number;
  creditsPosted: number;
  debitsPending: number;
  creditsPending: number;
}

export interface MerchantRow {
  id: string;
  accountId: string;
  status: 'active' | 'disabled';
}

/** A device as the ledger checks it (the devices table belongs to core/src/devices; read, never written here). */
export interface DeviceRow {
  id: string;
  status: 'active' | 'disabled';
  keyVersion: number;
  /** When it was last disabled and, if since, re-enabled (database clock); null: unknown or never. */
  disabledAtMs: number | null;
  reenabledAtMs: number | null;
}

/** A hold as stored: its wire shape is the contract's. */
export type HoldRow = HoldView;

/** A payment as a refund sees it: what was paid, from which wallet, and how much is refunded. */
export interface PaymentRow {
  id: string;
  kind: string;
  outcome: string;
  cardNo: string | null;
  merchantId: string | null;
  amount: number;
  subsidyAmount: number;
  refundedAmount: number;
}

export interface TransferRow {
  id: string;
  operationId: string;
  debitAccountId: string;
  creditAccountId: string;
  amount: number;
  pending: boolean;
  createdAtMs: number;
}

export interface OperationRow {
  id: string;
  kind: string;
  outcome: string;
  cardNo: string | null;
  merchantId: string | null;
  deviceId: string | null;
  referenceId: string | null;
  amount: number;
  subsidyAmount: number;
  requestExtra: string | null;
  mainAfter: number | null;
  subsidyAfter: number | null;
  answerExtra: string | null;
  createdDay: number;
  createdAtMs: number;
  /** Shared with the PaymentRow a refund in the same batch may update before the insert. */
  payment: PaymentRow | null;
}

export function available(account: AccountRow): number {
  return account.creditsPosted - account.debitsPosted - account.debitsPending;
}
