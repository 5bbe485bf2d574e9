import type { ErrorCode } from '../errors.ts';
import type { OperationKind } from './operations.ts';

export interface Balances {
  /** Available main wallet balance, fen. */
  main: number;
  /** Available subsidy wallet balance, fen. */
  subsidy: number;
}

/** What an accepted operation answers (and answers again to every retry). */
export interface Accepted {
  status: 'ok';
  id: string;
  kind: OperationKind;
  amount: number;
  subsidyAmount: number;
  mainAmount: number;
  cardNo?: string;
  balance?: Balances;
  holdId?: string;
  expiresAtMs?: number;
  releasedAmount?: number;
  /** Offline payments: the part the wallets could not pay, booked against SYS-OFFLINE-RECEIVABLE. */
  receivableAmount?: number;
  /** Offline payments with a receivable part: why (INSUFFICIENT_FUNDS, CARD_LOST …). */
  shortfall?: ErrorCode;
  createdAtMs: number;
}

/** What a refused operation answers; it moved nothing, and a retry is refused the same way. */
export interface Rejected {
  status: 'rejected';
  id: string;
  kind: OperationKind;
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export type Outcome = Accepted | Rejected;

/** An outcome plus whether it is a replay of one already stored. */
export type Answer = Outcome & { replayed: boolean };
