import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminRoles } from '@campus-card/core/client';
import { can } from '../src/admin/rights.ts';
import { adminRoutes } from '../src/admin/routes.ts';
import { type Admins, openCard, signedInAdmins } from './admin-support.ts';
import { startWorld, type TestWorld } from './support.ts';

describe('admin rights: every role against every admin route', () => {
  let world: TestWorld;
  let tokens: Admins;
  let cardNo: string;
  before(async () => {
    world = await startWorld();
    tokens = await signedInAdmins(world);
    cardNo = await openCard(world, '计算机学院');
  });
  after(() => world.stop());

  // Path parameters filled with real or well-formed values; POST bodies are empty, so a route the
  // role may use answers 400 (its input is checked after the right) and changes nothing.
  const pathOf = (path: string) =>
    `/api/admin/v1${path.replace(':cardNo', cardNo).replace(':id', '0000000000000000000000000A')}`;

  test('when no session is given, then every signed-in admin route answers 401', async () => {
    for (const route of adminRoutes) {
      const reply = await world.request(
        route.method,
        pathOf(route.path),
        route.method === 'POST' ? { body: {} } : {},
      );
      assert.equal(reply.status, 401, `${route.method} ${route.path}`);
      assert.equal(reply.body.code, 'UNAUTHENTICATED');
    }
  });

  test('when each role calls each route, then exactly the routes its rights allow get through and the rest are 403 FORBIDDEN', async () => {
    // Goal: the rights table is what the API enforces, for every role × every route.
    // Ending the session goes last, so every other route is called with a live session. Each role has its
    // own session, so the roles run side by side.
    const endsSession = (r: (typeof adminRoutes)[number]) => r.method === 'DELETE' && r.path === '/session';
    const sessionEnd = adminRoutes.filter(endsSession);
    let allowed = 0;
    let refused = 0;
    const callEveryRoute = async (role: (typeof adminRoles)[number]) => {
      for (const route of [...adminRoutes.filter((r) => !endsSession(r)), ...sessionEnd]) {
        const reply = await world.request(route.method, pathOf(route.path), {
          token: tokens[role],
          ...(route.method === 'POST' ? { body: {} } : {}),
        });
        const label = `${role} ${route.method} ${route.path} → ${reply.status} ${JSON.stringify(reply.body)}`;
        if (route.right === null || can(role, route.right)) {
          allowed += 1;
          assert.ok(![401, 403, 500].includes(reply.status), label);
        } else {
          refused += 1;
          assert.equal(reply.status, 403, label);
          assert.equal(reply.body.code, 'FORBIDDEN', label);
        }
      }
    };
    await Promise.all(adminRoles.map(callEveryRoute));
    assert.equal(allowed + refused, adminRoles.length * adminRoutes.length);
    assert.ok(refused > 0 && allowed > 0);
    // Every role's session was ended by the last route it called.
    const me = await world.request('GET', '/api/admin/v1/me', { token: tokens.super_admin });
    assert.equal(me.status, 401);
  });
});
