import Router from 'koa-router';
import { z } from 'zod';
import { personNo, rowId } from '../../contract/fields.ts';
import type { GuardianService } from '../../guardians/guardian-service.ts';
import { parseBody, parseValue } from '../middleware.ts';
import { openid } from './bindings.ts';

const idPath = z.object({ id: rowId });
const linkBody = z.strictObject({ parentOpenid: openid, personNo });
const listQuery = z.union([z.strictObject({ parentOpenid: openid }), z.strictObject({ personNo })]);
const patchBody = z
  .strictObject({
    showBalance: z.boolean().optional(),
    showSpending: z.boolean().optional(),
    lowBalanceAlert: z.number().int().min(0).max(100_000_000).nullable().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'change at least one field');

/** Parent links for the BFF: make one (after the BFF checked the child's invitation), list, change, remove. */
export function guardianRoutes(guardians: GuardianService): Router {
  const router = new Router({ prefix: '/v1/guardian-links' });
  router.post('/', async (ctx) => {
    const body = parseBody(ctx, linkBody);
    const link = await guardians.link(body.parentOpenid, body.personNo);
    ctx.status = link.created ? 201 : 200;
    ctx.body = link;
  });
  router.get('/', async (ctx) => {
    const q = parseValue({ ...ctx.query }, listQuery);
    ctx.body = {
      items:
        'parentOpenid' in q ? await guardians.ofParent(q.parentOpenid) : await guardians.ofPerson(q.personNo),
    };
  });
  router.get('/:id', async (ctx) => {
    ctx.body = await guardians.get(parseValue(ctx.params, idPath).id);
  });
  router.patch('/:id', async (ctx) => {
    const { id } = parseValue(ctx.params, idPath);
    const patch = parseBody(ctx, patchBody);
    ctx.body = await guardians.update(id, {
      ...(patch.showBalance === undefined ? {} : { showBalance: patch.showBalance }),
      ...(patch.showSpending === undefined ? {} : { showSpending: patch.showSpending }),
      ...(patch.lowBalanceAlert === undefined ? {} : { lowBalanceAlert: patch.lowBalanceAlert }),
    });
  });
  router.delete('/:id', async (ctx) => {
    ctx.body = await guardians.remove(parseValue(ctx.params, idPath).id);
  });
  return router;
}
