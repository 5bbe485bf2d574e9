import Router from 'koa-router';
import {
  guardianLinkPath,
  guardianLinksQuery,
  linkGuardianBody,
  linkPatchBody,
} from '../../contract/guardians.ts';
import type { GuardianService } from '../../guardians/guardian-service.ts';
import { parseBody, parseValue } from '../middleware.ts';

/** Parent links for the BFF: make one (after the BFF checked the child's invitation), list, change, remove. */
export function guardianRoutes(guardians: GuardianService): Router {
  const router = new Router({ prefix: '/v1/guardian-links' });
  router.post('/', async (ctx) => {
    const body = parseBody(ctx, linkGuardianBody);
    const link = await guardians.link(body.parentOpenid, body.personNo);
    ctx.status = link.created ? 201 : 200;
    ctx.body = link;
  });
  router.get('/', async (ctx) => {
    const q = parseValue({ ...ctx.query }, guardianLinksQuery);
    ctx.body = {
      items:
        'parentOpenid' in q ? await guardians.ofParent(q.parentOpenid) : await guardians.ofPerson(q.personNo),
    };
  });
  router.get('/:id', async (ctx) => {
    ctx.body = await guardians.get(parseValue(ctx.params, guardianLinkPath).id);
  });
  router.patch('/:id', async (ctx) => {
    const { id } = parseValue(ctx.params, guardianLinkPath);
    const patch = parseBody(ctx, linkPatchBody);
    ctx.body = await guardians.update(id, {
      ...(patch.showBalance === undefined ? {} : { showBalance: patch.showBalance }),
      ...(patch.showSpending === undefined ? {} : { showSpending: patch.showSpending }),
      ...(patch.lowBalanceAlert === undefined ? {} : { lowBalanceAlert: patch.lowBalanceAlert }),
    });
  });
  router.delete('/:id', async (ctx) => {
    ctx.body = await guardians.remove(parseValue(ctx.params, guardianLinkPath).id);
  });
  return router;
}
