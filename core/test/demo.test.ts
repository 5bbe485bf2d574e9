import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestCore } from '@campus-card/tests/kit';
import { demoClassCode, seedDemo } from '../scripts/demo-data.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';

test('when npm start seeds the demo twice on SQLite, then the second run adds nothing, the books balance and every student is in a class news can target', async () => {
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
    // #19: demo students have classes, so the backoffice's class picker lists them with recipients.
    const student = first.identities[0] as (typeof first.identities)[number];
    assert.equal((await t.core.content.audienceProfile(student.personNo)).classCode, demoClassCode(0));
    const classes = (await t.core.content.audienceOptions()).classes;
    assert.equal(classes.length, 12);
    assert.equal(
      classes.reduce((sum, c) => sum + c.people, 0),
      first.students.length,
    );
    const reached = await t.core.content.audienceCount({ type: 'class', value: demoClassCode(0) });
    assert.equal(reached.people, 5);
  } finally {
    await t.stop();
  }
});
