// A core's way out on SIGTERM (core/src/shutdown.ts, docs/operations.md § Upgrade without downtime): while
// it drains, readiness answers 503 naming the shutdown check so a load balancer takes it out, and it still
// serves; closing then answers the request in flight instead of cutting it. The rolling restart behind
// HAProxy is tests/cluster/cores-balancer.test.ts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStudent, startTestCore } from '../../tests/kit/index.ts';

test('when a core drains, then readiness says not ready (shutdown down) while requests are still served, and a request in flight at close is answered', async () => {
  const t = await startTestCore('sqlite');
  try {
    const ready = await fetch(`${t.core.url}/health/ready`);
    assert.equal(ready.status, 200);
    const draining = t.core.drain(1_500);
    const during = await fetch(`${t.core.url}/health/ready`);
    assert.equal(during.status, 503);
    const body = (await during.json()) as { checks: Record<string, string> };
    assert.equal(body.checks.shutdown, 'down');
    assert.equal(body.checks.database, 'ok');
    assert.equal((await fetch(`${t.core.url}/health/live`)).status, 200);
    // Still serving while the balancer takes it out.
    const cardNo = await openStudent(t.client);
    await draining;
    // A request the server holds when the close begins is answered, not cut: sent until one is caught in flight.
    for (let attempt = 0; ; attempt++) {
      assert.ok(attempt < 50, 'no request was caught in flight');
      let settled = false;
      const inFlight = t.client.getCard(cardNo).finally(() => {
        settled = true;
      });
      while (t.core.shutdown.requestsInFlight === 0 && !settled) await new Promise((r) => setImmediate(r));
      if (settled) {
        await inFlight;
        continue;
      }
      const closing = t.core.close();
      assert.equal((await inFlight).cardNo, cardNo);
      await closing;
      break;
    }
  } finally {
    await t.client.close();
    await t.stop().catch(() => {});
  }
});
