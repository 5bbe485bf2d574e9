import { z } from 'zod';
import { cardNo, fen, personNo, pin } from './fields.ts';

/** Fees (缴费, #16, docs/funds.md): items, each person's bill, payments, receipts and refunds. */
export const feeCategories = [
  'tuition',
  'accommodation',
  'exam',
  'textbook',
  'makeup_exam',
  'certificate',
  'other',
] as const;
export type FeeCategory = (typeof feeCategories)[number];

export const feeCode = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, 'an item code is 1–32 characters of A-Z a-z 0-9 _ -');
export const feePaymentId = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{8,48}$/, 'a payment id is 8–48 characters of A-Z a-z 0-9 _ . -');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day is YYYY-MM-DD');

/** Who is charged: named people (each with an amount, or the item's), or everyone of a department, class or grade. */
export const feeAudience = z.union([
  z.strictObject({
    persons: z
      .array(z.strictObject({ personNo, amount: fen.optional() }))
      .min(1)
      .max(20_000),
  }),
  z.strictObject({ department: z.string().min(1).max(64) }),
  z.strictObject({ classCode: z.string().min(1).max(16) }),
  /** Students whose number starts with the enrolment year, e.g. 2024. */
  z.strictObject({ grade: z.string().regex(/^\d{4}$/) }),
]);

export const newFeeItem = z.strictObject({
  code: feeCode,
  name: z.string().min(1).max(64),
  category: z.enum(feeCategories),
  /** Each person's amount where the audience does not say otherwise. */
  amount: fen,
  dueDay: day,
  allowPartial: z.boolean().default(false),
  audience: feeAudience,
  source: z.enum(['import', 'finance', 'manual']).default('manual'),
  createdBy: z.string().max(64).optional(),
});
export type NewFeeItem = z.input<typeof newFeeItem>;

/** A CSV sheet: 项目编号,项目名称,类别,学号,金额(元),截止日期,允许分期 — one line per person; items grouped by code. */
export const feeImport = z.strictObject({
  csv: z.string().min(1).max(400_000),
  createdBy: z.string().max(64).optional(),
});

export const feeCardPayment = z.strictObject({
  id: feePaymentId,
  cardNo,
  amount: fen,
  /** The card's PIN, above its PIN-free limit. */
  pin: pin.optional(),
});
export type FeeCardPayment = z.infer<typeof feeCardPayment>;

export const feeRefund = z.strictObject({
  id: feePaymentId,
  amount: fen,
  reason: z.string().min(1).max(200),
});

export interface FeeItem {
  id: string;
  code: string;
  name: string;
  category: FeeCategory;
  dueDay: string;
  allowPartial: boolean;
  merchantId: string;
  source: 'import' | 'finance' | 'manual';
  createdAtMs: number;
}

export type FeeBillStatus = 'unpaid' | 'partial' | 'paid' | 'waived';

export interface FeeBill {
  id: string;
  itemId: string;
  item: Pick<FeeItem, 'code' | 'name' | 'category' | 'dueDay' | 'allowPartial'>;
  personId: string;
  personNo: string;
  name: string;
  department: string | null;
  amountDue: number;
  amountPaid: number;
  status: FeeBillStatus;
  createdAtMs: number;
}

export interface FeePayment {
  id: string;
  billId: string;
  cardNo: string;
  amount: number;
  channel: 'card' | 'wechat' | 'alipay';
  status: 'pending' | 'paid' | 'refused';
  failureCode: string | null;
  refundedAmount: number;
  receiptNo: string;
  createdAtMs: number;
}

/** A printable receipt: who paid what for which item, with the amount in figures. */
export interface FeeReceipt {
  receiptNo: string;
  paymentId: string;
  itemName: string;
  itemCode: string;
  personNo: string;
  name: string;
  amount: number;
  refundedAmount: number;
  channel: FeePayment['channel'];
  paidAtMs: number;
}

export interface FeeProgress {
  item: FeeItem;
  bills: number;
  paidBills: number;
  partialBills: number;
  unpaidBills: number;
  amountDue: number;
  amountPaid: number;
}
