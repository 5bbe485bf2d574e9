import { z } from 'zod';

/** Request bodies as WeChat Pay validates them; anything else is 400 PARAM_ERROR. */
const fen = z.number().int().positive();

export const jsapiOrderBody = z.object({
  appid: z.string().min(1).max(32),
  mchid: z.string().min(1).max(32),
  description: z.string().min(1).max(127),
  out_trade_no: z
    .string()
    .min(6)
    .max(32)
    .regex(/^[0-9A-Za-z_\-|*]+$/),
  time_expire: z.string().datetime({ offset: true }).optional(),
  attach: z.string().max(128).optional(),
  notify_url: z.url({ protocol: /^https?$/ }).max(256),
  goods_tag: z.string().max(32).optional(),
  support_fapiao: z.boolean().optional(),
  amount: z.object({ total: fen, currency: z.literal('CNY').optional() }),
  payer: z.object({ openid: z.string().min(1).max(128) }),
});

export const closeBody = z.object({ mchid: z.string().min(1).max(32) });

export const refundBody = z
  .object({
    out_trade_no: z.string().min(6).max(32).optional(),
    transaction_id: z.string().min(1).max(32).optional(),
    out_refund_no: z.string().min(1).max(64),
    reason: z.string().max(80).optional(),
    notify_url: z
      .url({ protocol: /^https?$/ })
      .max(256)
      .optional(),
    funds_account: z.string().optional(),
    amount: z.object({ refund: fen, total: fen, currency: z.literal('CNY') }),
  })
  .refine((body) => (body.out_trade_no === undefined) !== (body.transaction_id === undefined), {
    message: 'out_trade_no 与 transaction_id 必须且只能填一个',
  });

export const tradeBillQuery = z.object({
  bill_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  bill_type: z.enum(['ALL', 'SUCCESS', 'REFUND']).optional(),
  tar_type: z.literal('GZIP').optional(),
});

/** What wx.requestPayment receives; the stand-in's pay action checks it as the WeChat client does. */
export const requestPaymentBody = z.object({
  appId: z.string().min(1),
  timeStamp: z.string().regex(/^\d+$/),
  nonceStr: z.string().min(1).max(32),
  package: z.string().startsWith('prepay_id='),
  signType: z.literal('RSA'),
  paySign: z.string().min(1),
});

export const faultsBody = z
  .object({
    duplicate: z.boolean(),
    delayMs: z.number().int().min(0).max(3_600_000),
    badSignature: z.boolean(),
    staleTimestamp: z.boolean(),
    tamperedCiphertext: z.boolean(),
    refundCloses: z.boolean(),
  })
  .partial()
  .strict();
