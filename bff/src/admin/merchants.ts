import {
  campusId,
  day,
  merchantCategorySchema,
  merchantId,
  merchantStatusChangeSchema,
} from '@campus-card/core/contract';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// Merchants and their daily settlement, and the payment platforms' bill reconciliation, for finance;
// the rules (audit of every write and export, the sheets) are in services/merchant-admin.ts.

const idPath = z.object({ id: merchantId });
const statementPath = z.object({ id: merchantId, day });
const dayPath = z.object({ day });
const format = z.enum(['json', 'csv', 'xlsx']).default('json');
const createBody = z.strictObject({
  id: merchantId.optional(),
  name: z.string().trim().min(1).max(64),
  category: merchantCategorySchema,
  feeRateBp: z.number().int().min(0).max(10_000).default(0),
  /** Its campus (docs/campuses.md); null: centre-wide. A campus admin must name their own. */
  campusId: campusId.nullable().default(null),
});
const settleQuery = z.object({ campusId: campusId.optional() });
const statusBody = merchantStatusChangeSchema;
const mismatchQuery = z.object({ billDate: day, format, channel: z.enum(['wechat', 'alipay']).optional() });

export const merchantRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/merchants',
    right: 'merchant.read',
    handle: (_ctx, _admin, s) => s.merchants.list(),
  },
  {
    method: 'POST',
    path: '/merchants',
    right: 'merchant.manage',
    handle: async (ctx, admin, s) => {
      const input = parseBody(ctx, createBody);
      await s.campuses.known(input.campusId);
      const merchant = await s.merchants.create(admin, input);
      ctx.status = 201;
      return merchant;
    },
  },
  {
    method: 'POST',
    path: '/merchants/:id/status',
    right: 'merchant.manage',
    handle: (ctx, admin, s) => {
      const { status } = parseBody(ctx, statusBody);
      return s.merchants.setStatus(admin, parseValue(ctx.params, idPath).id, status);
    },
  },
  {
    method: 'GET',
    path: '/merchants/:id/statements/:day',
    right: 'settlement.read',
    handle: (ctx, admin, s) => {
      const { id, day } = parseValue(ctx.params, statementPath);
      return s.merchants.statement(admin, id, day, parseValue({ ...ctx.query }, z.object({ format })).format);
    },
  },
  {
    method: 'POST',
    path: '/settlements/:day',
    right: 'merchant.manage',
    handle: (ctx, admin, s) =>
      s.merchants.settleDay(
        admin,
        parseValue(ctx.params, dayPath).day,
        parseValue({ ...ctx.query }, settleQuery).campusId,
      ),
  },
  {
    method: 'GET',
    path: '/top-up-mismatches',
    right: 'settlement.read',
    handle: (ctx, admin, s) => s.merchants.mismatches(admin, parseValue({ ...ctx.query }, mismatchQuery)),
  },
];
