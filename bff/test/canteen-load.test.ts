import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CoreClient, CoreError } from '@campus-card/core/client';
import type { CanteenLoadAnswer } from '@campus-card/core/contract/insight';
import { openStudent } from '@campus-card/tests/kit';
import { advanceClockTo, setShanghaiTime } from '../../tests/clock.ts';
import { CanteenLoad } from '../src/services/canteen-load.ts';
import { requestId, signedInAdmins } from './admin-support.ts';
import { boundStudent, logIn } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

const dayMs = 86_400_000;

describe('the app canteen card: how busy each canteen window is now and in 30 minutes', () => {
  let world: TestWorld;
  let firstWindow = '';

  before(async () => {
    // Yesterday is learnt, today is forecast: both must be of one day type (Mon–Fri, or Sat–Sun),
    // so the day planted is never a Friday or a Sunday. 12:00:05 Shanghai opens the slot 12:00–12:15.
    let plantedAtMs = setShanghaiTime('12:00:05');
    const weekday = new Date(plantedAtMs + 8 * 3_600_000).getUTCDay();
    if (weekday === 5 || weekday === 0) plantedAtMs = advanceClockTo(plantedAtMs + dayMs);
    world = await startWorld(
      {},
      {
        coreEnv: {
          INSIGHT_DB_PATH: join(mkdtempSync(join(tmpdir(), 'cc-bff-canteen-')), 'insight.duckdb'),
          INSIGHT_INTERVAL_MS: '1000',
        },
      },
    );
    const client = world.core.client;
    const canteen = await client.createMerchant({ name: '第一食堂', category: 'canteen' });
    const windows = [];
    for (const [i, name] of ['1号窗口', '2号窗口'].entries()) {
      const window = await client.createMerchant({ name, category: 'canteen', parentId: canteen.id });
      await client.registerDevice({ id: `47${i + 1}`, kind: 'pos', merchantId: window.id });
      windows.push({ merchantId: window.id, deviceId: `47${i + 1}` });
    }
    const cards = await Promise.all(
      Array.from({ length: 20 }, () => openStudent(client, { dailyLimit: 100_000 })),
    );
    await Promise.all(
      cards.map((cardNo) => client.topUp({ id: requestId(), cardNo, amount: 10_000, channel: 'cash' })),
    );
    const pay = async (at: { merchantId: string; deviceId: string }, count: number) => {
      for (let done = 0; done < count; done += cards.length) {
        const answers = await Promise.all(
          cards
            .slice(0, Math.min(cards.length, count - done))
            .map((cardNo) => client.pay({ id: requestId(), cardNo, ...at, amount: 100 })),
        );
        for (const answer of answers) assert.equal(answer.status, 'ok', JSON.stringify(answer));
      }
    };
    const [first, second] = windows as [(typeof windows)[0], (typeof windows)[0]];
    firstWindow = first.merchantId;
    // The day before: window 1 has a queue at 12:00 and few at 12:30; window 2 a steady stream at 12:00.
    await pay(first, 55);
    await pay(second, 25);
    advanceClockTo(plantedAtMs + 30 * 60_000);
    await pay(first, 5);
    // Today, 12:00:05: the forecast learns the day before.
    advanceClockTo(plantedAtMs + dayMs);
    // The extract runs every second and copies what is new in pieces: wait until it has all of it.
    for (let i = 0; ; i++) {
      const load = await client.insightCanteenLoad();
      const at = (id: string) => load.items.find((x) => x.window === id);
      const one = at(first.deviceId);
      if (one?.nowExpected === 55 && one.in30Expected === 5 && at(second.deviceId)?.nowExpected === 25) break;
      assert.ok(i < 100, `the extract never copied the day before: ${JSON.stringify(load)}`);
      await sleep(200);
    }
  });
  after(() => world.stop());

  test('when a student opens the card, then each window is named by canteen and window with its level now and in 30 minutes against the default capacity', async () => {
    // Goal: the forecast reaches the app as words the page can show (levels, a bar), named, no ids.
    const student = await boundStudent(world);
    const reply = await world.request<CanteenLoadAnswer>('GET', '/api/v1/canteen-load', {
      token: student.accessToken,
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    // No capacity set: 60 payments per 15 minutes (55 of 60 is 繁忙, 25 适中, 5 空闲).
    assert.deepEqual(reply.body.items, [
      {
        canteen: '第一食堂',
        window: '1号窗口',
        now: { level: 'busy', expected: 55, capacity: 60, bar: 92 },
        in30: { level: 'quiet', expected: 5, capacity: 60, bar: 8 },
      },
      {
        canteen: '第一食堂',
        window: '2号窗口',
        now: { level: 'moderate', expected: 25, capacity: 60, bar: 42 },
        in30: { level: 'quiet', expected: 0, capacity: 60, bar: 0 },
      },
    ]);
  });

  test('when the card centre sets a window capacity in the backoffice, then that window is graded against it (55 of 50 拥挤), a bad value is refused, the change is audited, and only merchant.manage may set it', async () => {
    // Goal: each window's own capacity decides its level; the setting is validated and recorded.
    const tokens = await signedInAdmins(world);
    const put = (token: string | undefined, body: unknown, id = firstWindow) =>
      world.request<{ items: { merchantId: string; paymentsPer15Min: number }[]; code?: string }>(
        'PUT',
        `/api/admin/v1/window-capacities/${id}`,
        { token, body },
      );
    for (const bad of [0, 1_001, 12.5, '50'])
      assert.equal((await put(tokens.super_admin, { paymentsPer15Min: bad })).status, 400, String(bad));
    assert.equal((await put(tokens.auditor, { paymentsPer15Min: 50 })).status, 403);
    assert.equal((await put(tokens.super_admin, { paymentsPer15Min: 50 }, 'NOSUCHMERCHANT')).status, 404);
    const set = await put(tokens.super_admin, { paymentsPer15Min: 50 });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.deepEqual(
      set.body.items.map((c) => [c.merchantId, c.paymentsPer15Min]),
      [[firstWindow, 50]],
    );
    assert.equal((await put(tokens.super_admin, { paymentsPer15Min: 50 })).status, 200, 'the same again');
    const audit = await world.core.client.searchAudit({ action: 'merchant.window_capacity', limit: 10 });
    assert.deepEqual(
      audit.items.map((a) => [a.targetId, a.detail]),
      [[firstWindow, { by: 'super', before: null, after: 50 }]],
    );
    // The app's answer is kept a minute: a fresh service reads the capacity now.
    const answer = await new CanteenLoad(world.core.client).current();
    assert.deepEqual(answer.items[0]?.now, { level: 'crowded', expected: 55, capacity: 50, bar: 100 });
    assert.deepEqual(answer.items[1]?.now, { level: 'moderate', expected: 25, capacity: 60, bar: 42 });
    assert.equal(
      (await put(tokens.super_admin, { paymentsPer15Min: null })).status,
      200,
      'back to the default',
    );
    assert.deepEqual((await world.core.client.windowCapacities()).items, []);
  });

  test('when the caller has no session, then 401; when the caller is not bound to a card, then NOT_BOUND', async () => {
    const bare = await world.request('GET', '/api/v1/canteen-load');
    assert.equal(bare.status, 401);
    const unbound = await logIn(world);
    const reply = await world.request('GET', '/api/v1/canteen-load', { token: unbound.accessToken });
    assert.equal(reply.body.code, 'NOT_BOUND', JSON.stringify(reply.body));
  });
});

describe('the canteen card service without a core', () => {
  const forecast = {
    atMs: 1,
    items: [
      { window: '9', nowExpected: 3, in30Expected: 12, nowSoFar: 30 },
      { window: '8', nowExpected: 10, in30Expected: 40, nowSoFar: 0 },
    ],
  };
  const device = (merchantId: string) => ({
    id: '',
    kind: 'pos',
    merchantId,
    status: 'active',
    keyVersion: 1,
  });
  const merchant = (name: string, parentId: string | null) => ({ name, parentId });

  test('when insight is off (the core answers NOT_FOUND), then the answer is empty, so the card shows nothing', async () => {
    const core = {
      insightCanteenLoad: () => Promise.reject(new CoreError('NOT_FOUND', 'campus insight is off')),
    };
    assert.deepEqual((await new CanteenLoad(core as unknown as CoreClient).current()).items, []);
  });

  test('when two terminals stand at one window, then they are one row, now counting payments made beyond the forecast; one forecast serves a minute', async () => {
    let asked = 0;
    let nowMs = 0;
    const core = {
      insightCanteenLoad: () => {
        asked += 1;
        return Promise.resolve(forecast);
      },
      windowCapacities: () => Promise.resolve({ items: [] }),
      getDevice: (id: string) => Promise.resolve(device(id === '9' || id === '8' ? 'W' : '')),
      getMerchant: (id: string) =>
        Promise.resolve(id === 'W' ? merchant('清真窗口', 'C') : merchant('第三食堂', null)),
    };
    const load = new CanteenLoad(core as unknown as CoreClient, () => nowMs);
    const answer = await load.current();
    assert.deepEqual(answer.items, [
      {
        canteen: '第三食堂',
        window: '清真窗口',
        // now: 30 already paid at terminal 9 (more than its 3 expected) + 10 expected at terminal 8.
        now: { level: 'moderate', expected: 40, capacity: 60, bar: 67 },
        in30: { level: 'busy', expected: 52, capacity: 60, bar: 87 },
      },
    ]);
    nowMs = 59_999;
    await load.current();
    assert.equal(asked, 1);
    nowMs = 60_000;
    await load.current();
    assert.equal(asked, 2);
  });
});
