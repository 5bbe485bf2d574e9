import type { KeyObject } from 'node:crypto';
import { fenToYuan, type Trade } from './orders.ts';
import type { App, Reply } from './protocol.ts';
import { beijingTime, rsa2Sign, signContent } from './signing.ts';

/**
 * The H5 cashier's pages (alipay.trade.wap.pay and /__mock/cashier): HTML with a strict CSP, and the
 * payer's signed way back to an allowed return_url.
 */
export const page = (origins: readonly string[], status: number, title: string, content: string): Reply => ({
  kind: 'html',
  status,
  headers: {
    'Content-Security-Policy':
      `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${origins.join(' ')}`.trimEnd(),
  },
  html: `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif;text-align:center;padding:2em"><h1>${escapeHtml(title)}</h1>${content}</body></html>`,
});

/** The payer's way back after the cashier: Alipay's synchronous return, signed like a notification. */
export const returnLocation = (platformKey: KeyObject, nowMs: number, app: App, trade: Trade): string => {
  const fields: Record<string, string> = {
    app_id: app.appId,
    method: 'alipay.trade.wap.pay.return',
    charset: 'utf-8',
    version: '1.0',
    timestamp: beijingTime(nowMs),
    seller_id: app.sellerId,
    trade_no: trade.tradeNo,
    out_trade_no: trade.outTradeNo,
    total_amount: fenToYuan(trade.totalFen),
  };
  const sign = rsa2Sign(platformKey, signContent(fields, ['sign', 'sign_type']));
  const url = new URL(trade.returnUrl ?? '');
  for (const [k, v] of Object.entries({ ...fields, sign_type: 'RSA2', sign })) url.searchParams.set(k, v);
  return url.toString();
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A return URL is allowed only on one of the configured origins, over http(s). */
export function returnAllowed(returnUrl: string, origins: readonly string[]): boolean {
  try {
    const url = new URL(returnUrl);
    return (url.protocol === 'http:' || url.protocol === 'https:') && origins.includes(url.origin);
  } catch {
    return false;
  }
}
