import type { Statement, TopUpMismatch } from '@campus-card/core/client';
import {
  day,
  merchantCategorySchema,
  merchantId,
  merchantStatusChangeSchema,
} from '@campus-card/core/contract';
import { csvDocument, type SheetRows, writeXlsx } from '@campus-card/core/sheets';
import type { Context } from 'koa';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// Merchants and their daily settlement, and the WeChat Pay bill reconciliation, for finance. The core
// keeps the merchants, computes each statement twice (operations and journal) and records a settled
// day once (docs/api.md); these routes check the role, audit every write and every export.

const idPath = z.object({ id: merchantId });
const statementPath = z.object({ id: merchantId, day });
const dayPath = z.object({ day });
const format = z.enum(['json', 'csv', 'xlsx']).default('json');
const createBody = z.strictObject({
  id: merchantId.optional(),
  name: z.string().trim().min(1).max(64),
  category: merchantCategorySchema,
  feeRateBp: z.number().int().min(0).max(10_000).default(0),
});
const statusBody = merchantStatusChangeSchema;
const mismatchQuery = z.object({ billDate: day, format, channel: z.enum(['wechat', 'alipay']).optional() });

/** Comma-separated values as Excel opens them (the core's one CSV writer, @campus-card/core/sheets). */
export function csv(header: readonly string[], rows: SheetRows): Buffer {
  return Buffer.from(csvDocument(header, rows), 'utf8');
}

const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A table as the download asked for it, CSV or .xlsx, named `<base>.<format>`. */
export async function sheetFile(
  ctx: Context,
  base: string,
  format: 'csv' | 'xlsx',
  table: { header: readonly string[]; rows: SheetRows },
): Promise<Buffer> {
  ctx.set('content-disposition', `attachment; filename="${base}.${format}"`);
  if (format === 'xlsx') {
    ctx.type = xlsxType;
    return writeXlsx(base, table.header, table.rows);
  }
  ctx.type = 'text/csv; charset=utf-8';
  return csv(table.header, table.rows);
}

const yuan = (fen: number) => (fen / 100).toFixed(2);
const kindText: Record<string, string> = {
  missing_ours: '我方无此订单',
  missing_theirs: '支付平台账单无此订单',
  amount_differs: '金额不符',
  state_differs: '状态不符',
};
const channelText: Record<'wechat' | 'alipay', string> = { wechat: '微信支付', alipay: '支付宝' };

function statementTable(name: string, s: Statement) {
  return {
    header: [
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
    rows: [
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
  };
}

function mismatchTable(items: readonly TopUpMismatch[]) {
  return {
    header: ['账单日期', '商户订单号', '渠道', '差异类型', '我方', '支付平台', '发现时间(毫秒)'],
    rows: items.map((m) => [
      m.billDate,
      m.outTradeNo,
      m.channel ? channelText[m.channel] : '',
      kindText[m.kind] ?? m.kind,
      m.ours,
      m.theirs,
      m.foundAtMs,
    ]),
  };
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
      await s.audit.record(admin, 'settlement.export', 'merchant', id, { day, format: q.format });
      return sheetFile(ctx, `statement-${id}-${day}`, q.format, statementTable(merchant.name, statement));
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
      const all = (await s.core.topUpMismatches({ billDate: q.billDate, limit: 1000 })).items;
      // A channel keeps the rows of our orders of that channel (one we never made has no channel).
      const items = q.channel ? all.filter((m) => m.channel === q.channel) : all;
      if (q.format === 'json') return { items };
      await s.audit.record(admin, 'reconciliation.export', 'top_up_bill', q.billDate, {
        rows: items.length,
        format: q.format,
      });
      return sheetFile(ctx, `top-up-mismatches-${q.billDate}`, q.format, mismatchTable(items));
    },
  },
];
