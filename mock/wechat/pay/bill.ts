import { createHash, randomBytes } from 'node:crypto';
import { shanghaiTime } from './certificates.ts';
import type { Order, Refund } from './orders.ts';

/**
 * The trade bill (交易账单) in WeChat's CSV-like format: a header row, one row per payment or refund of
 * the day (Asia/Shanghai), every field prefixed with a backquote so spreadsheets keep long numbers as
 * text, then a totals header and row. Money is yuan with two decimals, made from integer fen by
 * string formatting only.
 */
const HEADER =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
const TOTALS_HEADER =
  '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';
/** 0.6%, WeChat's usual rate; the fee is kept in units of 0.00001 yuan (= fen × 6 / 1000 … × 1000). */
const FEE_PER_FEN_IN_HUNDRED_THOUSANDTHS = 6;

export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function feeYuan(hundredThousandths: number): string {
  return `${Math.floor(hundredThousandths / 100_000)}.${String(hundredThousandths % 100_000).padStart(5, '0')}`;
}

/** The Asia/Shanghai calendar date (YYYY-MM-DD) of an instant. */
export function shanghaiDate(ms: number): string {
  return shanghaiTime(new Date(ms)).slice(0, 10);
}

function row(fields: string[]): string {
  return fields.map((field) => `\`${field}`).join(',');
}

export function tradeBill(billDate: string, orders: readonly Order[], refunds: readonly Refund[]): string {
  const lines = [HEADER];
  let count = 0;
  let settledFen = 0;
  let refundedFen = 0;
  let feeUnits = 0;
  const ordersByNo = new Map(orders.map((order) => [order.input.out_trade_no, order]));
  for (const order of orders) {
    if (order.successAtMs === undefined || shanghaiDate(order.successAtMs) !== billDate) continue;
    const { input } = order;
    const fee = input.amount.total * FEE_PER_FEN_IN_HUNDRED_THOUSANDTHS;
    count += 1;
    settledFen += input.amount.total;
    feeUnits += fee;
    lines.push(
      row([
        shanghaiTime(new Date(order.successAtMs)).slice(0, 19).replace('T', ' '),
        input.appid,
        input.mchid,
        '0',
        '',
        order.transactionId ?? '',
        input.out_trade_no,
        input.payer.openid,
        'JSAPI',
        'SUCCESS',
        'OTHERS',
        input.amount.currency ?? 'CNY',
        yuan(input.amount.total),
        '0.00',
        '0',
        '0',
        '0.00',
        '0.00',
        '',
        '',
        input.description,
        input.attach ?? '',
        feeYuan(fee),
        '0.60%',
        yuan(input.amount.total),
        '0.00',
        '',
      ]),
    );
  }
  for (const refund of refunds) {
    if (refund.successAtMs === undefined || shanghaiDate(refund.successAtMs) !== billDate) continue;
    const order = ordersByNo.get(refund.outTradeNo);
    if (order === undefined) continue;
    const { input } = order;
    // A refund gives the fee back in proportion, shown as a negative fee.
    const fee = -refund.refundFen * FEE_PER_FEN_IN_HUNDRED_THOUSANDTHS;
    count += 1;
    refundedFen += refund.refundFen;
    feeUnits += fee;
    lines.push(
      row([
        shanghaiTime(new Date(refund.successAtMs)).slice(0, 19).replace('T', ' '),
        input.appid,
        input.mchid,
        '0',
        '',
        order.transactionId ?? '',
        input.out_trade_no,
        input.payer.openid,
        'JSAPI',
        'REFUND',
        'OTHERS',
        input.amount.currency ?? 'CNY',
        '0.00',
        '0.00',
        refund.refundId,
        refund.outRefundNo,
        yuan(refund.refundFen),
        '0.00',
        'ORIGINAL',
        'SUCCESS',
        input.description,
        input.attach ?? '',
        `-${feeYuan(-fee)}`,
        '0.60%',
        '0.00',
        yuan(refund.refundFen),
        '',
      ]),
    );
  }
  lines.push(TOTALS_HEADER);
  const totalFee = feeUnits < 0 ? `-${feeYuan(-feeUnits)}` : feeYuan(feeUnits);
  lines.push(
    row([
      String(count),
      yuan(settledFen),
      yuan(refundedFen),
      '0.00',
      totalFee,
      yuan(settledFen),
      yuan(refundedFen),
    ]),
  );
  return `${lines.join('\r\n')}\r\n`;
}

/** A bill ready to download: the text, its SHA1 (what the tradebill API announces) and a one-off token. */
export interface PreparedBill {
  token: string;
  mchid: string;
  text: string;
  sha1: string;
}

export function prepareBill(mchid: string, text: string): PreparedBill {
  return {
    token: randomBytes(16).toString('hex'),
    mchid,
    text,
    sha1: createHash('sha1').update(text).digest('hex'),
  };
}
