import type { Statement, TopUpMismatch } from '@campus-card/core/client';
import type { Context } from 'koa';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// Merchants and their daily settlement, and the WeChat Pay bill reconciliation, for finance. The core
// keeps the merchants, computes each statement twice (operations and journal) and records a settled
// day once (docs/api.md); these routes check the role, audit every write and every export.

const merchantId = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'a merchant id is 1–32 of A-Z a-z 0-9 _ -');
const idPath = z.object({ id: merchantId });
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day is YYYY-MM-DD');
const statementPath = z.object({ id: merchantId, day });
const dayPath = z.object({ day });
const format = z.enum(['json', 'csv']).default('json');
const categories = ['canteen', 'shop', 'shower', 'laundry', 'library', 'transport', 'other'] as const;
const createBody = z.strictObject({
  id: merchantId.optional(),
  name: z.string().trim().min(1).max(64),
  category: z.enum(categories),
  feeRateBp: z.number().int().min(0).max(10_000).default(0),
});
const statusBody = z.strictObject({ status: z.enum(['active', 'disabled']) });
const mismatchQuery = z.object({ billDate: day, format });

/** Comma-separated values as Excel opens them: UTF-8 with a byte-order mark, CRLF, quoted when needed. */
export function csv(
  header: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
): Buffer {
  const cell = (v: string | number | null) => {
    const text = v === null ? '' : String(v);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [header, ...rows].map((r) => r.map(cell).join(','));
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

const yuan = (fen: number) => (fen / 100).toFixed(2);
const kindText: Record<string, string> = {
  missing_ours: '我方无此订单',
  missing_theirs: '微信账单无此订单',
  amount_differs: '金额不符',
  state_differs: '状态不符',
};

function attach(ctx: Context, file: string, bytes: Buffer): Buffer {
  ctx.type = 'text/csv; charset=utf-8';
  ctx.set('content-disposition', `attachment; filename="${file}"`);
  return bytes;
}

function statementCsv(name: string, s: Statement): Buffer {
  return csv(
    [
      '商户编号',
      '商户名称',
      '日期',
      '笔数',
      '交易额(元)',
      '退款笔数',
      '退款额(元)',
      '手续费(元)',
      '结算额(元)',
      '账务核对额(元)',
      '对账',
      '已结算',
    ],
    [
      [
        s.merchantId,
        name,
        s.day,
        s.paymentCount,
        yuan(s.paymentAmount),
        s.refundCount,
        yuan(s.refundAmount),
        yuan(s.feeAmount),
        yuan(s.netAmount),
        yuan(s.journalNetAmount),
        s.reconciled ? '一致' : '不一致',
        s.settled ? '是' : '否',
      ],
    ],
  );
}

function mismatchCsv(items: readonly TopUpMismatch[]): Buffer {
  return csv(
    ['账单日期', '商户订单号', '差异类型', '我方', '微信', '发现时间(毫秒)'],
    items.map((m) => [m.billDate, m.outTradeNo, kindText[m.kind] ?? m.kind, m.ours, m.theirs, m.foundAtMs]),
  );
}

export const merchantRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/merchants',
    right: 'merchant.read',
    handle: async (_ctx, _admin, s) => ({ items: await s.core.merchants() }),
  },
  {
    method: 'POST',
    path: '/merchants',
    right: 'merchant.manage',
    handle: async (ctx, admin, s) => {
      const body = parseBody(ctx, createBody);
      const merchant = await s.core.createMerchant(body);
      await s.audit.record(admin, 'merchant.create', 'merchant', merchant.id, {
        name: merchant.name,
        category: merchant.category,
        feeRateBp: merchant.feeRateBp,
      });
      ctx.status = 201;
      return merchant;
    },
  },
  {
    method: 'POST',
    path: '/merchants/:id/status',
    right: 'merchant.manage',
    handle: async (ctx, admin, s) => {
      const { status } = parseBody(ctx, statusBody);
      const { id } = parseValue(ctx.params, idPath);
      const before = await s.core.getMerchant(id);
      if (before.status === status) return { ...before, changed: false };
      await s.core.setMerchantStatus(id, status);
      await s.audit.record(admin, 'merchant.status', 'merchant', id, { from: before.status, to: status });
      return { ...before, status, changed: true };
    },
  },
  {
    method: 'GET',
    path: '/merchants/:id/statements/:day',
    right: 'settlement.read',
    handle: async (ctx, admin, s) => {
      const { id, day } = parseValue(ctx.params, statementPath);
      const q = parseValue({ ...ctx.query }, z.object({ format }));
      const statement = await s.core.statement(id, day);
      if (q.format === 'json') return statement;
      const merchant = await s.core.getMerchant(id);
      const bytes = statementCsv(merchant.name, statement);
      await s.audit.record(admin, 'settlement.export', 'merchant', id, { day, format: 'csv' });
      return attach(ctx, `statement-${id}-${day}.csv`, bytes);
    },
  },
  {
    method: 'POST',
    path: '/settlements/:day',
    right: 'merchant.manage',
    handle: async (ctx, admin, s) => {
      const { day } = parseValue(ctx.params, dayPath);
      const statements = await s.core.settleDay(day);
      await s.audit.record(admin, 'settlement.run', 'settlement', day, {
        merchants: statements.length,
        netAmount: statements.reduce((sum, st) => sum + st.netAmount, 0),
      });
      return { items: statements };
    },
  },
  {
    method: 'GET',
    path: '/top-up-mismatches',
    right: 'settlement.read',
    handle: async (ctx, admin, s) => {
      const q = parseValue({ ...ctx.query }, mismatchQuery);
      const { items } = await s.core.topUpMismatches({ billDate: q.billDate, limit: 1000 });
      if (q.format === 'json') return { items };
      const bytes = mismatchCsv(items);
      await s.audit.record(admin, 'reconciliation.export', 'top_up_bill', q.billDate, {
        rows: items.length,
        format: 'csv',
      });
      return attach(ctx, `top-up-mismatches-${q.billDate}.csv`, bytes);
    },
  },
];
