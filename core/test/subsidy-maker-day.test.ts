// Goal: a subsidy batch posted without a checker counts toward its maker's total for the Asia/Shanghai
// day, reserved before it starts, so splitting a large batch into small ones (or posting many at
// once) cannot move more than the approval threshold without a second admin.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { CoreError } from '../src/client/index.ts';

let people = 0;
async function person(t: TestCore): Promise<string> {
  people += 1;
  const personNo = `S${process.pid}${Date.now().toString(36)}${people}`.slice(0, 32);
  await t.client.openCard({ personNo, name: '拆分补助', type: 'student', department: '物理学院' });
  return personNo;
}

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    assert.ok(error instanceof CoreError, String(error));
    return error.code;
  }
}

for (const dialect of dialects) {
  describe(`subsidy batches count toward their maker's day, on ${dialect}`, () => {
    let t: TestCore;
    before(async () => {
      // 100 元: more than that in a day from one maker needs a second admin.
      t = await startTestCore(dialect, { SUBSIDY_APPROVAL_THRESHOLD: '10000' });
    });
    after(async () => {
      await t.stop();
    });

    const batchOf = async (maker: string, personNo: string, yuan: string) =>
      t.client.createSubsidyBatch({
        title: `补助 ${yuan}`,
        createdBy: maker,
        source: { csv: `学号,金额\n${personNo},${yuan}\n` },
      });

    test('#12.9 when one maker posts two 60 元 batches in a day under a 100 元 threshold, then the second needs a second admin, and another maker is not held back', async () => {
      const p = await person(t);
      const first = await batchOf('maker-a', p, '60');
      const second = await batchOf('maker-a', p, '60');
      assert.equal(first.approvalRequired, false);
      assert.equal(second.approvalRequired, false, 'each alone is under the threshold');
      assert.equal(await outcome(t.client.postSubsidyBatch(first.id, 'maker-a')), 'OK');
      await t.core.subsidies.settled(first.id);
      assert.equal(await outcome(t.client.postSubsidyBatch(second.id, 'maker-a')), 'APPROVAL_REQUIRED');
      assert.equal((await t.client.subsidyBatch(second.id)).status, 'draft');
      // Someone else's batch the same day is counted on their own total.
      const other = await batchOf('maker-b', p, '60');
      assert.equal(await outcome(t.client.postSubsidyBatch(other.id, 'maker-b')), 'OK');
      await t.core.subsidies.settled(other.id);
      // With a checker's approval the second one posts.
      await t.client.approveSubsidyBatch(second.id, 'checker-c');
      assert.equal(await outcome(t.client.postSubsidyBatch(second.id, 'maker-a')), 'OK');
      await t.core.subsidies.settled(second.id);
      assert.equal((await t.client.subsidyBatch(second.id)).status, 'posted');
    });

    test('#12.9 when 50 batches of 10 元 by one maker are posted at once, then those started total at most the threshold, and the rest wait for approval', async () => {
      const p = await person(t);
      const batches = [];
      for (let i = 0; i < 50; i++) batches.push(await batchOf('maker-burst', p, '10'));
      const results = await Promise.all(
        batches.map((b) => outcome(t.client.postSubsidyBatch(b.id, 'maker-burst'))),
      );
      assert.equal(results.filter((r) => r === 'OK').length, 10, JSON.stringify(results));
      assert.equal(results.filter((r) => r === 'APPROVAL_REQUIRED').length, 40);
      for (const b of batches) await t.core.subsidies.settled(b.id);
      assert.equal(
        (
          await t.client.getCard(
            (
              await t.client.subsidyBatch(batches[0]?.id as string, { limit: 1 })
            ).rows[0]?.cardNo as string,
          )
        ).balance.subsidy,
        10 * 1000,
      );
    });
  });
}
