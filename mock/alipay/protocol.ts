import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { TRADE_FEN_MAX, yuanToFen } from './orders.ts';

/**
 * The gateway's wire: the apps it knows, the system parameters and biz_content schemas of each
 * method, the stand-in's control bodies, and the `{code, msg, sub_code, sub_msg}` answers.
 */
export interface AppRegistration {
  appId: string;
  /** The app's public key (PEM, or the bare base64 the console shows): requests are verified with it. */
  appPublicKey: string;
  /** Which id oauth.token answers: newer apps get `open_id`, older ones the 2088… `user_id`. */
  idMode?: 'user_id' | 'open_id';
  /** The merchant's partner id (2088…), the notifications' seller_id. */
  sellerId?: string;
  /**
   * Public-key certificate mode: the stand-in issues the app a certificate for its public key
   * (`appCertOf`), requests must carry its app_cert_sn and the root's alipay_root_cert_sn, and answers
   * carry alipay_cert_sn. Key mode when absent.
   */
  certMode?: boolean;
}

export interface TemplateMessage {
  appId: string;
  toUser: string;
  userTemplateId: string;
  page: string | undefined;
  data: Record<string, { value: string }>;
}

export const templateMessageBiz = z.object({
  to_user_id: z.string().min(1).optional(),
  to_open_id: z.string().min(1).optional(),
  user_template_id: z.string().min(1),
  form_id: z.string().optional(),
  page: z.string().optional(),
  data: z.string().min(2),
});

export interface App extends AppRegistration {
  publicKey: KeyObject;
  /** In cert mode: the app certificate the stand-in issued and its SN. */
  appCert?: { pem: string; sn: string };
  idMode: 'user_id' | 'open_id';
  sellerId: string;
}

/** One gateway answer: the response key, its JSON object, or an HTML page, or a bare status. */
export type Reply =
  | { kind: 'json'; key: string; body: Record<string, unknown> }
  | { kind: 'html'; status: number; html: string; headers?: Record<string, string> };

export const SYSTEM_PARAMS = [
  'app_id',
  'method',
  'charset',
  'sign_type',
  'sign',
  'timestamp',
  'version',
] as const;

export const outTradeNo = z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'out_trade_no 格式错误');
export const amount = z.string().refine((text) => {
  const fen = yuanToFen(text);
  return fen !== undefined && fen >= 1 && fen <= TRADE_FEN_MAX;
}, '金额格式错误');
export const createBiz = z.object({
  out_trade_no: outTradeNo,
  total_amount: amount,
  subject: z.string().min(1).max(256),
  buyer_id: z
    .string()
    .regex(/^2088\d{12}$/)
    .optional(),
  buyer_open_id: z.string().min(1).max(128).optional(),
  product_code: z.string().max(64).optional(),
});
export const tradeRef = z
  .object({ out_trade_no: outTradeNo.optional(), trade_no: z.string().max(64).optional() })
  .refine(
    (ref) => ref.out_trade_no !== undefined || ref.trade_no !== undefined,
    'out_trade_no 和 trade_no 不能同时为空',
  );
export const refundBiz = z
  .object({
    out_trade_no: outTradeNo.optional(),
    trade_no: z.string().max(64).optional(),
    refund_amount: amount,
    out_request_no: z
      .string()
      .regex(/^[A-Za-z0-9_]{1,64}$/)
      .optional(),
    refund_reason: z.string().max(256).optional(),
  })
  .refine(
    (ref) => ref.out_trade_no !== undefined || ref.trade_no !== undefined,
    'out_trade_no 和 trade_no 不能同时为空',
  );
export const wapBiz = z.object({
  out_trade_no: outTradeNo,
  total_amount: amount,
  subject: z.string().min(1).max(256),
  product_code: z.string().max(64).optional(),
});
export const alipayCertBiz = z.object({ alipay_cert_sn: z.string().min(1) });
export const billBiz = z.object({
  bill_type: z.enum(['trade', 'signcustomer']),
  bill_date: z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/),
});
export const faultsBody = z.strictObject({
  delayMs: z.number().int().min(0).max(3_600_000).optional(),
  duplicate: z.boolean().optional(),
  outOfOrder: z.boolean().optional(),
  badSignature: z.boolean().optional(),
  amountMismatch: z.boolean().optional(),
  badResponseSignature: z.boolean().optional(),
  gatewayDown: z.boolean().optional(),
});
export const authCodeBody = z.strictObject({
  appId: z.string().min(1),
  userId: z
    .string()
    .regex(/^2088\d{12}$/)
    .optional(),
});
export const tradePayBody = z.strictObject({
  appId: z.string().min(1),
  tradeNo: z.string().min(1).max(64).optional(),
  outTradeNo: z.string().min(1).max(64).optional(),
});

export const failure = (code: string, msg: string, subCode: string, subMsg: string) => ({
  code,
  msg,
  sub_code: subCode,
  sub_msg: subMsg,
});
export const business = (subCode: string, subMsg: string) =>
  failure('40004', 'Business Failed', subCode, subMsg);
export const invalid = (subCode: string, subMsg: string) =>
  failure('40002', 'Invalid Arguments', subCode, subMsg);
export const ok = (fields: Record<string, unknown>) => ({ code: '10000', msg: 'Success', ...fields });

export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Parses biz_content with the method's schema; a bad one is ACQ.INVALID_PARAMETER. */
export const bizOf = <T>(
  schema: z.ZodType<T>,
  params: Record<string, string>,
): { ok: true; value: T } | { ok: false; body: Record<string, string> } => {
  const parsed = schema.safeParse(parseJson(params.biz_content));
  return parsed.success
    ? { ok: true, value: parsed.data }
    : {
        ok: false,
        body: business('ACQ.INVALID_PARAMETER', `参数无效: ${parsed.error.issues[0]?.message ?? ''}`),
      };
};
