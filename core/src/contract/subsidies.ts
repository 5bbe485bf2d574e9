/**
 * Subsidy batches and clearings (补助, docs/funds.md): an import of payees previewed, approved by a
 * second admin above the threshold and posted to the subsidy wallets; a clearing of subsidy wallets.
 * The BFF's admin API passes the signed-in admin's id as actorId; the core trusts its callers.
 */
import { z } from 'zod';
import { rowId } from './fields.ts';

/** Largest .xlsx accepted, bytes (it arrives base64 in a JSON body under the import body limit). */
export const subsidyXlsxBytesMax = 4 * 1024 * 1024;

/** Who acts: the signed-in admin's id. */
export const subsidyActorIdSchema = z.string().min(1).max(64);
export const subsidyBatchPathSchema = z.object({ id: rowId });
const yuan = z.string().max(32);
const note = z.string().max(200).optional();

/** A row as the caller gives it: one line of the sheet. */
export const subsidyInputRowSchema = z.strictObject({
  personNo: z.string().max(64),
  /** Yuan with up to two decimals, as text ("12.50"); a number is taken as written. */
  amount: z.union([yuan, z.number().transform((n) => String(n))]),
  note,
});
export type SubsidyInputRow = z.infer<typeof subsidyInputRowSchema>;

/** Where a batch's payees come from: rows, a CSV, an .xlsx (base64), a department or a class at one amount. */
export const subsidySourceSchema = z.union([
  z.strictObject({ rows: z.array(subsidyInputRowSchema).min(1).max(20_000) }),
  z.strictObject({ csv: z.string().min(1).max(5_000_000) }),
  z.strictObject({
    xlsxBase64: z
      .string()
      .min(1)
      .max(Math.ceil(subsidyXlsxBytesMax / 3) * 4),
  }),
  z.strictObject({ department: z.string().min(1).max(64), amount: yuan, note }),
  z.strictObject({ classCode: z.string().min(1).max(16), amount: yuan, note }),
]);
export type SubsidySource = z.infer<typeof subsidySourceSchema>;

export const subsidyBatchStatuses = ['draft', 'approved', 'rejected', 'posting', 'posted'] as const;
export type SubsidyBatchStatus = (typeof subsidyBatchStatuses)[number];
export type SubsidyRowStatus = 'invalid' | 'pending' | 'posted' | 'failed';
/** Why a row cannot be paid, found at import (stable codes the backoffice translates). */
export type SubsidyRowError =
  | 'UNKNOWN_PERSON'
  | 'NO_ACTIVE_CARD'
  | 'BAD_AMOUNT'
  | 'DUPLICATE_ROW'
  | 'BAD_ROW';

/** POST /v1/subsidy-batches/preview */
export const subsidyPreviewRequestSchema = z.strictObject({ source: subsidySourceSchema });
/** POST /v1/subsidy-batches */
export const newSubsidyBatchSchema = z.strictObject({
  title: z.string().min(1).max(100),
  createdBy: subsidyActorIdSchema,
  source: subsidySourceSchema,
});
/** GET /v1/subsidy-batches */
export const subsidyBatchListQuerySchema = z.object({
  status: z.enum(subsidyBatchStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  beforeId: rowId.optional(),
});
/** GET /v1/subsidy-batches/:id: the batch with a page of its rows. */
export const subsidyRowsQuerySchema = z.object({
  errorsOnly: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  afterRowNo: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(200),
});
/** approve, post: who acts. */
export const subsidyActorSchema = z.strictObject({ actorId: subsidyActorIdSchema });
/** reject a batch, start a clearing: who acts and why. */
export const subsidyReasonSchema = z.strictObject({
  actorId: subsidyActorIdSchema,
  reason: z.string().min(1).max(200),
});
/** GET /v1/subsidy-clearings */
export const subsidyClearingListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export interface SubsidyRow {
  rowNo: number;
  personNo: string;
  name: string | null;
  cardNo: string | null;
  amount: number | null;
  amountText: string;
  note: string | null;
  error: SubsidyRowError | null;
  status: SubsidyRowStatus;
  /** The ledger's answer code when posting refused the row (CARD_LOST …). */
  resultCode: string | null;
}

/** What an import would pay, before anything is stored. */
export interface SubsidyPreview {
  rowCount: number;
  validCount: number;
  errorCount: number;
  totalAmount: number;
  rows: SubsidyRow[];
}

export interface SubsidyBatch {
  id: string;
  title: string;
  source: 'list' | 'group';
  status: SubsidyBatchStatus;
  rowCount: number;
  validCount: number;
  errorCount: number;
  totalAmount: number;
  postedCount: number;
  postedAmount: number;
  failedCount: number;
  /** Whether the total is above SUBSIDY_APPROVAL_THRESHOLD, so a second admin must approve. */
  approvalRequired: boolean;
  /** Rows the posting has answered, of the valid ones: the progress bar. */
  progress: { done: number; total: number };
  createdBy: string;
  approvedBy: string | null;
  rejectedBy: string | null;
  rejectReason: string | null;
  postedBy: string | null;
  createdAtMs: number;
  decidedAtMs: number | null;
  postingStartedAtMs: number | null;
  postedAtMs: number | null;
}

/** GET /v1/subsidy-batches/:id: the batch and one page of rows (nextRowNo: the next page's afterRowNo). */
export interface SubsidyBatchWithRows extends SubsidyBatch {
  rows: SubsidyRow[];
  nextRowNo: number | null;
}

export interface SubsidyClearing {
  id: string;
  reason: string;
  status: 'running' | 'done';
  cardCount: number;
  clearedCount: number;
  clearedAmount: number;
  createdBy: string;
  createdAtMs: number;
  finishedAtMs: number | null;
}
