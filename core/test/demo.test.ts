import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestCore } from '@campus-card/tests/kit';
import { seedDemo } from '../scripts/demo-data.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';

test('when npm start seeds the demo twice on SQLite, then the second run adds nothing and the books balance', async () => {
  // Goal: the bare-machine start path works and is safe to repeat.
  const t = await startTestCore('sqlite');
  try {
    const first = await seedDemo(t.core);
    const count = async () =>
      (await t.core.db.select<{ n: number }>("SELECT COUNT(*) AS n FROM operations WHERE outcome = 'ok'"))[0]
        ?.n;
    const operations = await count();
    const second = await seedDemo(t.core);
    assert.deepEqual(second.students, first.students);
    assert.equal(await count(), operations);
    const card = await t.client.getCard(first.students[0] as string);
    assert.ok(card.balance.main > 0);
    assert.deepEqual((await checkLedger(t.core.db)).breaks, []);
  } finally {
    await t.stop();
  }
});
