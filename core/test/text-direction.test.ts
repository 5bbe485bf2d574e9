import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { CoreError } from '../src/client/index.ts';
import { textProblem } from '../src/text.ts';

async function refusal(promise: Promise<unknown>): Promise<CoreError | undefined> {
  return promise.then(
    () => undefined,
    (e: unknown) => e as CoreError,
  );
}

test('#12.14 class: when text carries a bidirectional override, embedding or isolate, then the text rule refuses it; Chinese, Latin and the marks LRM/RLM pass', () => {
  for (const control of [
    '\u202a',
    '\u202b',
    '\u202c',
    '\u202d',
    '\u202e',
    '\u2066',
    '\u2067',
    '\u2068',
    '\u2069',
  ])
    for (const lineBreaks of [true, false])
      assert.equal(
        textProblem(`一食堂${control}窗口`, { lineBreaks }),
        'text direction controls are not allowed',
      );
  for (const fine of ['一食堂 2 号窗口', 'Café No.1 (北区)', '第一行\n第二行', 'a\u200eb\u200fc'])
    assert.equal(textProblem(fine, { lineBreaks: true }), undefined, JSON.stringify(fine));
});

for (const dialect of dialects) {
  describe(`text direction controls at the core's edge (${dialect})`, () => {
    let t: TestCore;
    before(async () => {
      t = await startTestCore(dialect);
    });
    after(() => t.stop());

    test('#12.14 class: when a merchant or a person is named with a right-to-left override (a name that reads backwards on bills and receipts), then 400 VALIDATION_FAILED and nothing is stored', async () => {
      const spoofed = '北区浴室\u202e00.01¥ 退款';
      const merchant = await refusal(t.client.createMerchant({ name: spoofed, category: 'canteen' }));
      assert.ok(merchant instanceof CoreError);
      assert.equal(merchant.code, 'VALIDATION_FAILED');
      assert.match(merchant.message, /^name: text direction controls/);

      const personNo = `D${Date.now().toString(36)}${process.pid}`.slice(0, 32);
      const person = await refusal(t.client.openCard({ personNo, name: '王\u2067小明', type: 'student' }));
      assert.equal(person?.code, 'VALIDATION_FAILED');
      // Nothing was stored: the same person opens cleanly, and the plain merchant name is accepted.
      assert.equal((await t.client.openCard({ personNo, name: '王小明', type: 'student' })).status, 'active');
      assert.equal(
        (await t.client.createMerchant({ name: '北区浴室', category: 'canteen' })).name,
        '北区浴室',
      );
    });
  });
}
