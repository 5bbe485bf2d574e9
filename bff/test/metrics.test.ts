import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startBff } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openSocket } from './live-socket.ts';
import { boundStudent } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

/** The value of the one sample of `name` carrying every given label (in whatever order). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const lines = text
    .split('\n')
    .filter(
      (line) =>
        line.startsWith(`${name}{`) &&
        Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)),
    );
  assert.ok(lines.length <= 1, `one sample of ${name}: ${lines.join('; ')}`);
  return lines[0] === undefined ? undefined : Number(lines[0].slice(lines[0].lastIndexOf(' ') + 1));
}

describe('BFF metrics and health', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld({ METRICS_PORT: '0' });
  });
  after(async () => {
    await world.stop().catch(() => {});
  });

  test('#18 when a bound student pays and reads the bill, then METRICS_PORT answers the exposition format by route template with no card number or openid, and the public port has no /metrics', async () => {
    const student = await boundStudent(world);
    const client = world.core.client;
    const m = await client.createMerchant({ name: '二食堂 3 号窗口', category: 'canteen' });
    const opId = (p: string) => `${p}-${process.pid}-${Date.now().toString(36)}`;
    await client.topUp({ id: opId('t'), cardNo: student.cardNo, amount: 5_000, channel: 'wechat' });
    const paid = await client.pay({ id: opId('p'), cardNo: student.cardNo, merchantId: m.id, amount: 800 });
    assert.equal(paid.status, 'ok');
    const bills = await world.request<{ items: { id: string }[] }>('GET', '/api/v1/transactions', {
      token: student.accessToken,
    });
    assert.equal(bills.status, 200, JSON.stringify(bills.body));
    const billId = bills.body.items[0]?.id;
    assert.ok(billId);
    assert.equal(
      (await world.request('GET', `/api/v1/transactions/${billId}`, { token: student.accessToken })).status,
      200,
    );

    assert.equal((await world.request('GET', '/metrics')).status, 404, 'not on the public port');
    const url = world.bff.metricsUrl;
    assert.ok(url);
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assert.match(text, /^process_resident_memory_bytes\{service="bff"\} \d+/m);
    assert.equal(
      sample(text, 'http_requests_total', { route: '/api/v1/transactions/:id', status: '200' }),
      1,
    );
    assert.equal(
      sample(text, 'http_request_duration_seconds_count', {
        route: '/api/v1/transactions/:id',
        status: '200',
      }),
      1,
    );
    assert.equal(sample(text, 'http_requests_total', { route: '/api/v1/binding', status: '201' }), 1);
    assert.match(text, /^bff_push_watchers\{service="bff"\} 0$/m);
    for (const secret of [student.cardNo, student.openid, billId, student.personNo]) {
      assert.ok(!text.includes(secret), `${secret} is not in the metrics`);
    }
  });

  test("#18 when a live view hears a payment, then bff_push_lag_seconds counts that push, its lag under the test's wait", async () => {
    const student = await boundStudent(world);
    const m = await world.core.client.createMerchant({ name: '二食堂 5 号窗口', category: 'canteen' });
    const ticket = await world.request<{ path: string }>('POST', '/api/v1/events/ticket', {
      token: student.accessToken,
    });
    assert.equal(ticket.status, 200);
    const url = world.bff.metricsUrl;
    assert.ok(url);
    const before = sample(await (await fetch(url)).text(), 'bff_push_lag_seconds_count', {}) ?? 0;
    const socket = await openSocket(world.bff.url, ticket.body.path);
    try {
      const startedAtMs = Date.now();
      await world.core.client.topUp({
        id: `t-lag-${Date.now()}`,
        cardNo: student.cardNo,
        amount: 2_000,
        channel: 'cash',
      });
      await world.core.client.pay({
        id: `p-lag-${Date.now()}`,
        cardNo: student.cardNo,
        merchantId: m.id,
        amount: 300,
      });
      await socket.next((x) => (x.activity as { kind?: string } | undefined)?.kind === 'payment', 5_000);
      const waitedS = (Date.now() - startedAtMs) / 1000;
      const text = await (await fetch(url)).text();
      assert.match(text, /^bff_push_watchers\{service="bff"\} 1$/m);
      // The top-up and the payment, each pushed once to the one view.
      assert.equal(sample(text, 'bff_push_lag_seconds_count', {}), before + 2);
      const sum = sample(text, 'bff_push_lag_seconds_sum', {}) ?? Number.NaN;
      assert.ok(sum >= 0 && sum <= 2 * waitedS + 1, `lag sum ${sum} s within the ${waitedS} s waited`);
    } finally {
      socket.ws.close();
    }
  });

  test('when the core does not answer (connection refused, or the socket closed with no answer), then a request is answered 503 UNAVAILABLE with its request id, never a 500', async () => {
    // A core that takes the connection and hangs up before answering, like one killed mid-request.
    const hangUp = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => hangUp.listen(0, '127.0.0.1', resolve));
    const { port } = hangUp.address() as { port: number };
    try {
      for (const coreUrl of ['http://127.0.0.1:9', `http://127.0.0.1:${port}`]) {
        const bff = await startBff(loadConfig({ ...world.env, CORE_URL: coreUrl, BFF_PORT: '0' }));
        try {
          const reply = await fetch(`${bff.url}/api/admin/v1/session`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-request-id': 'core-gone-1' },
            body: JSON.stringify({ username: 'super', password: 'whatever-password' }),
          });
          const body = (await reply.json()) as Record<string, unknown>;
          assert.equal(reply.status, 503, `${coreUrl}: ${JSON.stringify(body)}`);
          assert.deepEqual(body, {
            code: 'UNAVAILABLE',
            message: 'a service this needs did not answer',
            requestId: 'core-gone-1',
          });
        } finally {
          await bff.close();
        }
      }
    } finally {
      hangUp.close();
    }
  });

  test('#18 when the core database is closed, then /api/v1/health/ready turns 503 naming the core, while /health/live stays 200', async () => {
    const ready = await world.request('GET', '/api/v1/health/ready');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: 'ready', checks: { core: 'ok', kv: 'ok' } });
    await world.core.core.db.close();
    // The core's own close() must not close it a second time.
    Object.assign(world.core.core.db, { close: async () => {} });
    const closed = await world.request('GET', '/api/v1/health/ready');
    assert.equal(closed.status, 503);
    assert.deepEqual(closed.body, { status: 'not_ready', checks: { core: 'down', kv: 'ok' } });
    assert.equal((await world.request('GET', '/api/v1/health/live')).status, 200);
  });
});
