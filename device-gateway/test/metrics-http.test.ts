import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStudent, opId, redisUrl } from '@campus-card/tests/kit';
import type { Message } from '../src/protocol/index.ts';
import { phoneFor, registerDevice, startWorld, TestDevice, type TestWorld } from './support.ts';

/** The value of the one sample of `name` carrying every given label (in whatever order). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const lines = text
    .split('\n')
    .filter(
      (line) =>
        (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) &&
        Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)),
    );
  assert.ok(lines.length <= 1, `one sample of ${name}: ${lines.join('; ')}`);
  return lines[0] === undefined ? undefined : Number(lines[0].slice(lines[0].lastIndexOf(' ') + 1));
}

describe('gateway metrics and health over HTTP (GATEWAY_HEALTH_PORT)', () => {
  let world: TestWorld;
  let device: TestDevice;
  before(async () => {
    world = await startWorld({}, { GATEWAY_HEALTH_PORT: '0', REDIS_URL: redisUrl });
    const { deviceId, key } = await registerDevice(world);
    device = await TestDevice.connect(world.gateway.port, deviceId, key);
    assert.equal((await device.signIn()).message.kind, 'sign_in_accepted');
  });
  after(async () => {
    device.close();
    await world.stop().catch(() => {});
  });

  function payOf(text: string, amountFen: number): Message {
    return { kind: 'pay', code: { kind: 'qr', text }, amountFen, orderNo: 42, itemNo: 0 };
  }

  test('#18 when a till pays once approved and once declined, then /metrics shows sessions, payments by outcome and their times, blacklist version and in-flight, and no card number', async () => {
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    assert.equal((await device.request(payOf(phone.code(), 600))).message.kind, 'pay_approved');
    assert.deepEqual((await device.request(payOf(phone.code(), 600))).message, {
      kind: 'pay_declined',
      reason: 'INSUFFICIENT_FUNDS',
    });
    const url = world.gateway.healthUrl;
    assert.ok(url);
    const response = await fetch(`${url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assert.equal(sample(text, 'gateway_payments_total', { outcome: 'approved' }), 1);
    assert.equal(sample(text, 'gateway_payments_total', { outcome: 'INSUFFICIENT_FUNDS' }), 1);
    // Each payment's time, by result: one approved and one declined, each within the till's 5 s.
    for (const result of ['approved', 'declined'])
      assert.equal(sample(text, 'gateway_payment_seconds_bucket', { result, le: '5' }), 1, result);
    assert.equal(sample(text, 'gateway_payment_seconds_count', { result: 'approved' }), 1);
    assert.equal(sample(text, 'gateway_device_sessions'), 1);
    assert.equal(sample(text, 'gateway_connections'), 1);
    assert.equal(sample(text, 'gateway_payments_in_flight'), 0);
    assert.equal(sample(text, 'gateway_payments_in_flight_max'), 400);
    assert.equal(sample(text, 'gateway_blacklist_version'), world.gateway.blacklist.version);
    assert.equal(sample(text, 'gateway_events_total', { event: 'requests.pay' }), 2);
    assert.equal(sample(text, 'gateway_events_total', { event: 'sign_ins' }), 1);
    assert.match(text, /^process_resident_memory_bytes\{service="device-gateway"\} \d+/m);
    assert.ok(!text.includes(cardNo), 'no card number in the metrics');
  });

  test('#18 when the core database is closed, then /health/ready turns 503 naming the core, while /health/live stays 200', async () => {
    const url = world.gateway.healthUrl;
    const ready = await fetch(`${url}/health/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), {
      status: 'ready',
      checks: { listener: 'ok', core: 'ok', redis: 'ok' },
    });
    await world.core.core.db.close();
    // The core's own close() must not close it a second time.
    Object.assign(world.core.core.db, { close: async () => {} });
    const closed = await fetch(`${url}/health/ready`);
    assert.equal(closed.status, 503);
    assert.deepEqual(await closed.json(), {
      status: 'not_ready',
      checks: { listener: 'ok', core: 'down', redis: 'ok' },
    });
    assert.equal((await fetch(`${url}/health/live`)).status, 200);
    assert.equal((await fetch(`${url}/elsewhere`)).status, 404);
  });
});
