/**
 * The refund list (退款清单, docs/sync.md): close-outs' main balances owed to people, and their
 * payout by cash or bank transfer. Not a payment's refund to the wallets (ledger).
 */
import { z } from 'zod';
import { operationId } from './fields.ts';

export const payoutChannels = ['cash', 'bank'] as const;
export const payoutChannelSchema = z.enum(payoutChannels);
export type PayoutChannel = z.infer<typeof payoutChannelSchema>;

/** Why a card was closed out: the sync's graduated / left, or the card centre's (or anyone's) 销户. */
export const refundReasons = ['graduated', 'left', 'card_closed'] as const;
export type RefundReason = (typeof refundReasons)[number];

export const refundEntryStatusSchema = z.enum(['due', 'paid']);
export type RefundEntryStatus = z.infer<typeof refundEntryStatusSchema>;

/** GET /v1/refund-list: one page, due entries by createdAtMs, paid ones by paidAtMs, newest first. */
export const refundListQuerySchema = z.object({
  status: refundEntryStatusSchema.default('due'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** The last item's createdAtMs (due) or paidAtMs (paid), with its operationId: the next page. */
  beforeAtMs: z.coerce.number().int().nonnegative().optional(),
  beforeId: operationId.optional(),
});

/** POST /v1/refund-list/:operationId/payout: paid out by cash or bank, by whom. */
export const payoutSchema = z.strictObject({
  channel: payoutChannelSchema,
  /** Who paid it out (the admin's id). */
  actorId: z.string().min(1).max(64),
  note: z.string().trim().min(1).max(200).optional(),
});
export type PayoutInput = z.infer<typeof payoutSchema>;

/** A main-wallet balance a close-out moved to SYS-REFUND-PAYABLE, owed to the card's person (fen). */
export const refundEntrySchema = z.object({
  operationId: z.string(),
  cardNo: z.string(),
  personNo: z.string(),
  mainAmount: z.number().int(),
  subsidyAmount: z.number().int(),
  reason: z.string(),
  status: refundEntryStatusSchema,
  createdAtMs: z.number().int(),
  paidAtMs: z.number().int().nullable(),
  /** How it was paid out; null while due, and for entries marked paid before payouts were booked. */
  channel: payoutChannelSchema.nullable(),
  paidBy: z.string().nullable(),
  /** The ledger adjustment that moved the money; null while due and for a zero amount. */
  payoutOperationId: z.string().nullable(),
  note: z.string().nullable(),
});
export type RefundEntry = z.infer<typeof refundEntrySchema>;

/** A payout's answer: the entry, and false `changed` when it was already paid (a retry, or a race). */
export const payoutAnswerSchema = refundEntrySchema.extend({ changed: z.boolean() });
export type Payout = z.infer<typeof payoutAnswerSchema>;
