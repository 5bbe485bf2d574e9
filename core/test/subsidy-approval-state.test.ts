// Goal: a batch says it needs a checker exactly when posting it would be refused for want of one, so
// the backoffice lists it in the approval queue and offers no 入账 (#19.2).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { CoreError } from '../src/client/index.ts';

let people = 0;
async function person(t: TestCore): Promise<string> {
  people += 1;
  const personNo = `Q${process.pid}${Date.now().toString(36)}${people}`.slice(0, 32);
  await t.client.openCard({ personNo, name: '复核补贴', type: 'student', department: '化学学院' });
  return personNo;
}

for (const dialect of dialects) {
  describe(`a subsidy batch's approvalRequired matches what posting it would do, on ${dialect}`, () => {
    let t: TestCore;
    before(async () => {
      t = await startTestCore(dialect, { SUBSIDY_APPROVAL_THRESHOLD: '10000' });
    });
    after(() => t.stop());

    const batchOf = (maker: string, personNo: string, yuan: string) =>
      t.client.createSubsidyBatch({
        title: `复核 ${yuan}`,
        createdBy: maker,
        source: { csv: `学号,金额\n${personNo},${yuan}\n` },
      });

    test("#19.2 when a maker has posted 60 元 today under a 100 元 threshold, then their next 60 元 draft reads approvalRequired in get and list, posting it is refused, and another maker's is not held back", async () => {
      const p = await person(t);
      const first = await batchOf('maker-q', p, '60');
      const second = await batchOf('maker-q', p, '60');
      const others = await batchOf('maker-r', p, '60');
      assert.equal(second.approvalRequired, false, 'before anything is posted each is under the threshold');
      await t.client.postSubsidyBatch(first.id, 'maker-q');
      await t.core.subsidies.settled(first.id);
      assert.equal((await t.client.subsidyBatch(second.id)).approvalRequired, true);
      const listed = (await t.client.subsidyBatches({ status: 'draft', limit: 50 })).items;
      assert.equal(listed.find((b) => b.id === second.id)?.approvalRequired, true);
      assert.equal(listed.find((b) => b.id === others.id)?.approvalRequired, false);
      await assert.rejects(
        t.client.postSubsidyBatch(second.id, 'maker-q'),
        (e: unknown) => e instanceof CoreError && e.code === 'APPROVAL_REQUIRED',
      );
      // A posted batch and an approved one no longer wait for anybody.
      assert.equal((await t.client.subsidyBatch(first.id)).approvalRequired, false);
      await t.client.approveSubsidyBatch(second.id, 'checker-q');
      assert.equal((await t.client.subsidyBatch(second.id)).approvalRequired, false);
    });
  });
}
