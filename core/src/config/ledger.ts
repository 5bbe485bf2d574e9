import { z } from 'zod';
import { topUpAmountCeiling } from '../contract/fields.ts';

const fen = z.coerce.number().int().nonnegative();

/** The ledger and the cards' money: batching, amounts and caps (fen), holds, subsidy approval. */
export const ledgerSettings = {
  batchSizeMax: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .describe('LEDGER_BATCH_SIZE_MAX: operations per database transaction'),
  executorsMax: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .optional()
    .describe('LEDGER_EXECUTORS: transactions in flight at once (default 3 on MySQL, 1 on SQLite)'),
  queueDepthMax: z.coerce
    .number()
    .int()
    .min(1)
    .describe('LEDGER_QUEUE_DEPTH_MAX: operations waiting before OVERLOADED'),
  paymentAmountMax: fen.describe('PAYMENT_AMOUNT_MAX: largest single payment or hold, fen'),
  topUpAmountMax: fen
    .max(topUpAmountCeiling)
    .describe('TOP_UP_AMOUNT_MAX: largest single top-up, fen (at most the contract ceiling)'),
  dailyLimitDefault: fen.describe('DAILY_LIMIT_DEFAULT: spending cap per card per Asia/Shanghai day, fen'),
  dailyLimitMax: fen.describe('DAILY_LIMIT_MAX: the highest daily cap a card may set, fen'),
  pinFreeLimitDefault: fen.describe('PIN_FREE_LIMIT_DEFAULT: largest payment without a PIN, fen'),
  payIntervalMsMin: z.coerce
    .number()
    .int()
    .nonnegative()
    .describe('PAY_INTERVAL_MS_MIN: minimum time between two payments of one card at one device'),
  pinStepUpPaymentsMin: z.coerce
    .number()
    .int()
    .min(0)
    .max(20)
    .describe(
      'PIN_STEP_UP_PAYMENTS: high payments within PIN_STEP_UP_WINDOW_MS after which a card with a PIN needs it for its next payment (0: off)',
    ),
  pinStepUpNewPlacesMin: z.coerce
    .number()
    .int()
    .min(0)
    .max(20)
    .describe('PIN_STEP_UP_NEW_PLACES: of those payments, how many at places new to the card'),
  pinStepUpBurstMin: z.coerce
    .number()
    .int()
    .min(0)
    .max(20)
    .describe(
      'PIN_STEP_UP_BURST: the high payment that would be this many within the window, wherever, needs the PIN itself and steps the card up (0: off)',
    ),
  pinStepUpAmountMin: fen.describe('PIN_STEP_UP_AMOUNT_MIN: a payment counts as high from this amount, fen'),
  pinStepUpWindowMs: z.coerce
    .number()
    .int()
    .min(60_000)
    .max(86_400_000)
    .describe('PIN_STEP_UP_WINDOW_MS: how long after the first high payment the others count'),
  holdTimeoutMsMax: z.coerce
    .number()
    .int()
    .positive()
    .describe('HOLD_TIMEOUT_MS_MAX: longest a hold may stay pending'),
  holdSweepIntervalMs: z.coerce
    .number()
    .int()
    .positive()
    .multipleOf(1_000)
    .describe('HOLD_SWEEP_INTERVAL_MS: how often expired holds are settled (whole seconds)'),
  subsidyApprovalThreshold: fen.describe(
    'SUBSIDY_APPROVAL_THRESHOLD: a subsidy batch totalling more than this (fen) needs a second admin to approve it before posting',
  ),
};
