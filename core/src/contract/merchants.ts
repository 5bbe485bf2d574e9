/**
 * Merchants and their daily settlement statements (docs/api.md "Merchants"): what the backoffice
 * (through the BFF) sends the core about a merchant, and what the core answers.
 */
import { z } from 'zod';
import { campusId } from './campuses.ts';
import { entityId } from './fields.ts';

export const merchantCategories = [
  'canteen',
  'shop',
  'shower',
  'laundry',
  'library',
  'transport',
  'other',
] as const;
export const merchantCategorySchema = z.enum(merchantCategories);
export type MerchantCategory = z.infer<typeof merchantCategorySchema>;

export const merchantStatusSchema = z.enum(['active', 'disabled']);
export type MerchantStatus = z.infer<typeof merchantStatusSchema>;

/** POST /v1/merchants: a merchant (a canteen window has its canteen as parent) and its settlement account. */
export const newMerchantSchema = z.strictObject({
  id: entityId.optional(),
  name: z.string().min(1).max(64),
  category: merchantCategorySchema,
  parentId: entityId.nullable().optional(),
  /** The card centre's fee on the merchant's sales, in basis points (0–100 %). */
  feeRateBp: z.number().int().min(0).max(10_000).optional(),
  /** The campus (校区) it belongs to (docs/campuses.md); absent or null: centre-wide. */
  campusId: campusId.nullable().optional(),
});
export type NewMerchant = z.infer<typeof newMerchantSchema>;

/** PUT /v1/merchants/:merchantId/status */
export const merchantStatusChangeSchema = z.strictObject({ status: merchantStatusSchema });

/** A merchant with its settlement account's balance (fen). */
export const merchantSchema = z.object({
  id: z.string(),
  name: z.string(),
  category: merchantCategorySchema,
  parentId: z.string().nullable(),
  accountId: z.string(),
  feeRateBp: z.number().int(),
  status: merchantStatusSchema,
  balance: z.number().int(),
  /** null: centre-wide. */
  campusId: z.string().nullable(),
});
export type Merchant = z.infer<typeof merchantSchema>;

/** A row of the merchant list (GET /v1/merchants, the backoffice's table). */
export const merchantListItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  category: merchantCategorySchema,
  feeRateBp: z.number().int(),
  status: merchantStatusSchema,
  /** null: centre-wide. */
  campusId: z.string().nullable(),
});
export type MerchantListItem = z.infer<typeof merchantListItemSchema>;

/**
 * A merchant's statement of one Asia/Shanghai day (fen), computed from the operations and checked
 * against the journal; `settled` once the day is recorded (POST /v1/settlements/:day).
 */
export const merchantStatementSchema = z.object({
  merchantId: z.string(),
  /** YYYY-MM-DD, Asia/Shanghai. */
  day: z.string(),
  paymentCount: z.number().int(),
  paymentAmount: z.number().int(),
  refundCount: z.number().int(),
  refundAmount: z.number().int(),
  feeAmount: z.number().int(),
  netAmount: z.number().int(),
  /** What the journal says the merchant account gained that day; equals paymentAmount - refundAmount. */
  journalNetAmount: z.number().int(),
  reconciled: z.boolean(),
  settled: z.boolean(),
});
export type MerchantStatement = z.infer<typeof merchantStatementSchema>;
