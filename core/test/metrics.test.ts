import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStudent, opId, redisUrl, startTestCore, type TestCore } from '@campus-card/tests/kit';

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

describe('core metrics and health on mysql', () => {
  let t: TestCore;
  before(async () => {
    t = await startTestCore('mysql', { REDIS_URL: redisUrl });
  });
  after(async () => {
    await t.stop().catch(() => {});
  });

  test('#18 when a card pays, then GET /metrics answers the exposition format with ledger and route-template figures and no card number', async () => {
    const m = await t.client.createMerchant({ name: '一食堂 1 号窗口', category: 'canteen' });
    const cardNo = await openStudent(t.client);
    assert.equal(
      (await t.client.topUp({ id: opId(), cardNo, amount: 10_000, channel: 'wechat' })).status,
      'ok',
    );
    assert.equal((await t.client.pay({ id: opId(), cardNo, merchantId: m.id, amount: 1_250 })).status, 'ok');
    await t.client.getCard(cardNo);
    const response = await fetch(`${t.core.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assert.match(text, /# TYPE ledger_batch_size histogram/);
    const batches = Number(/^ledger_batch_size_count\{[^}]*\} (\d+)$/m.exec(text)?.[1]);
    assert.ok(batches >= 2, `ledger batches counted: ${batches}`);
    assert.match(text, /^ledger_queue_depth\{[^}]*\} 0$/m);
    assert.match(text, /^process_resident_memory_bytes\{service="core"\} \d+/m);
    const cardRoute = { method: 'GET', route: '/v1/cards/:cardNo', status: '200', service: 'core' };
    assert.equal(sample(text, 'http_requests_total', cardRoute), 1);
    assert.equal(sample(text, 'http_request_duration_seconds_count', cardRoute), 1);
    assert.ok(!text.includes(cardNo), 'no card number in the metrics');
    // A path no route knows is one label, whatever was in it.
    await fetch(`${t.core.url}/no/such/${cardNo}`);
    const again = await (await fetch(`${t.core.url}/metrics`)).text();
    assert.ok(!again.includes(cardNo));
    assert.equal(sample(again, 'http_requests_total', { route: 'unmatched', status: '401' }), 1);
  });

  test('#18 when the database is reachable and migrated, then /health/ready is 200; a missing migration or a closed database makes it 503, while /health/live stays 200', async () => {
    const ready = await fetch(`${t.core.url}/health/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), {
      status: 'ready',
      checks: { database: 'ok', migrations: 'ok', redis: 'ok', shutdown: 'ok' },
    });

    const [last] = await t.core.db.select<{
      version: number;
      name: string;
      checksum: string;
      applied_at_ms: number;
    }>('SELECT version, name, checksum, applied_at_ms FROM schema_migrations ORDER BY version DESC LIMIT 1');
    assert.ok(last);
    await t.core.db.execute('DELETE FROM schema_migrations WHERE version = ?', [last.version]);
    const pending = await fetch(`${t.core.url}/health/ready`);
    assert.equal(pending.status, 503);
    assert.equal(((await pending.json()) as { checks: Record<string, string> }).checks.migrations, 'down');
    await t.core.db.execute(
      'INSERT INTO schema_migrations (version, name, checksum, applied_at_ms) VALUES (?, ?, ?, ?)',
      [last.version, last.name, last.checksum, last.applied_at_ms],
    );
    assert.equal((await fetch(`${t.core.url}/health/ready`)).status, 200);

    await t.core.db.close();
    // The core's own close() must not close it a second time.
    Object.assign(t.core.db, { close: async () => {} });
    const closed = await fetch(`${t.core.url}/health/ready`);
    assert.equal(closed.status, 503);
    assert.deepEqual(((await closed.json()) as { checks: Record<string, string> }).checks.database, 'down');
    assert.equal((await fetch(`${t.core.url}/health/live`)).status, 200);
  });
});
