import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { dialects, startTestCore, type TestCore } from '@campus-card/tests/kit';

let serial = 0;
const personNo = () => `K${process.pid}${Date.now().toString(36)}${++serial}`.slice(0, 32);

for (const dialect of dialects) {
  describe(`binding a phone is not a reissue (${dialect})`, () => {
    let t: TestCore;
    before(async () => {
      t = await startTestCore(dialect, {
        HOLD_SWEEP_INTERVAL_MS: '3600000',
        PII_KEY: randomBytes(32).toString('hex'),
      });
    });
    after(() => t.stop());

    test('#19.3 when an account binds and unbinds, then the card history says bound and unbound, the version bumps each time, and the reissue count stays 0 until a real reissue', async () => {
      const no = personNo();
      const card = await t.client.openCard({
        personNo: no,
        name: '赵绑定',
        type: 'student',
        idNumber: '11010519491231002X',
      });
      const bound = await t.client.bind({
        openid: `openid-kind-${no}`,
        personNo: no,
        name: '赵绑定',
        secret: '31002X',
      });
      assert.equal(bound.cardVersion, card.version + 1, 'binding still kills older credentials');
      await t.client.unbind(`openid-kind-${no}`);
      const after = await t.client.getCard(card.cardNo);
      assert.equal(after.version, card.version + 2);
      assert.equal(after.reissueCount, 0, 'binding and unbinding are not reissues');
      const kinds = (await t.client.cardHistory(card.cardNo)).map((e) => e.kind);
      assert.deepEqual(kinds, ['opened', 'bound', 'unbound']);
      await t.client.changeCard(card.cardNo, 'reissue', { type: 'admin', id: 'test-admin' }, '丢卡补办');
      assert.equal((await t.client.getCard(card.cardNo)).reissueCount, 1, 'a real reissue counts');
    });
  });
}
