/**
 * 消费纠错 (#19): a student disputes a payment of their card; the card centre (for the merchant)
 * accepts it with a refund through the ledger or rejects it with a reason. One open dispute per
 * payment, enforced by the database (sql/090). Nothing here imports from node.
 */
import { z } from 'zod';
import { cardNo, fen, operationId, requestId, rowId } from './fields.ts';

export const disputeReasons = ['wrong_amount', 'charged_twice', 'not_mine', 'not_received', 'other'] as const;
export type DisputeReason = (typeof disputeReasons)[number];

/** open → accepted (refunded) or rejected; refunding is an accept whose refund is on its way. */
export const disputeStatuses = ['open', 'refunding', 'accepted', 'rejected'] as const;
export type DisputeStatus = (typeof disputeStatuses)[number];

export const disputeNoteCharsMax = 200;
const note = z.string().trim().min(1).max(disputeNoteCharsMax);

/** A card holder opens a dispute; the same card and request id answer the first dispute again. */
export const newDisputeSchema = z.strictObject({
  requestId,
  cardNo,
  paymentId: operationId,
  reason: z.enum(disputeReasons),
  note: note.optional(),
});
export type NewDispute = z.output<typeof newDisputeSchema>;

/** The card centre accepts with a refund of at most what is left of the payment. */
export const acceptDisputeSchema = z.strictObject({
  amount: fen,
  note: note.optional(),
  decidedBy: z.string().min(1).max(64),
});
export type AcceptDispute = z.output<typeof acceptDisputeSchema>;

export const rejectDisputeSchema = z.strictObject({
  reason: note,
  decidedBy: z.string().min(1).max(64),
});
export type RejectDispute = z.output<typeof rejectDisputeSchema>;

export const disputeListQuerySchema = z.object({
  status: z.enum(disputeStatuses).optional(),
  cardNo: cardNo.optional(),
  paymentId: operationId.optional(),
});
export type DisputeListQuery = z.output<typeof disputeListQuerySchema>;

export const disputeId = rowId;

export interface Dispute {
  id: string;
  paymentId: string;
  cardNo: string;
  merchantId: string;
  /** The payment's amount, fen. */
  paymentAmount: number;
  reason: DisputeReason;
  note: string | null;
  status: DisputeStatus;
  /** The refund the card centre granted (accepted) or is granting (refunding), fen. */
  refundAmount: number | null;
  /** The ledger operation of the refund, once accepted. */
  refundOperationId: string | null;
  /** Why it was rejected, or the card centre's note to an accept. */
  decisionNote: string | null;
  decidedBy: string | null;
  createdAtMs: number;
  decidedAtMs: number | null;
}
