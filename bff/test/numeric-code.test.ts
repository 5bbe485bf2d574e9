import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  fromHex,
  generatePhoneKeyPair,
  makeNumericCode,
  toHex,
  webCryptoRandom,
} from '@campus-card/core/credential';
import { boundStudent } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

type Credential = {
  cardVersion: number;
  numericCode: { codeId: number; secret: string; cardVersion: number };
};

describe('numeric pay code in the credential answer', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.stop());

  async function credentialOf(token: string) {
    const keyPair = await generatePhoneKeyPair(webCryptoRandom);
    return world.request<Credential>('POST', '/api/v1/credential', {
      token,
      body: { publicKey: toHex(keyPair.publicKey) },
    });
  }

  test('when the phone asks for its credential, then the numeric code id and secret come with it and a code made from them pays', async () => {
    // Goal: the phone can make numeric codes offline from what the BFF returns, and the core takes them.
    const student = await boundStudent(world);
    const core = world.core.client;
    await core.topUp({ id: randomUUID(), cardNo: student.cardNo, amount: 1_000, channel: 'cash' });
    const merchant = await core.createMerchant({ name: '三食堂', category: 'canteen' });
    const reply = await credentialOf(student.accessToken);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const { numericCode } = reply.body;
    assert.match(numericCode.secret, /^[0-9a-f]{64}$/);
    assert.ok(Number.isInteger(numericCode.codeId) && numericCode.codeId > 0 && numericCode.codeId < 1e9);
    assert.equal(numericCode.cardVersion, reply.body.cardVersion);
    const renewed = await credentialOf(student.accessToken);
    assert.deepEqual(renewed.body.numericCode, numericCode, 'renewal keeps the pair while the version holds');

    const digits = makeNumericCode({
      codeId: numericCode.codeId,
      secret: fromHex(numericCode.secret) as Uint8Array,
      nowMs: Date.now(),
      seq: 1,
    });
    assert.match(digits, /^88[0-9]{16}$/);
    // What the gateway does with a typed code: the core's check, then the payment at that card version.
    const verdict = await core.verifyPayCode(digits);
    assert.ok(verdict.ok, JSON.stringify(verdict));
    const answer = await core.pay({
      id: randomUUID(),
      cardNo: verdict.cardNo,
      merchantId: merchant.id,
      amount: 400,
      cardVersion: verdict.cardVersion,
    });
    assert.equal(answer.status, 'ok');
    assert.equal(verdict.cardNo, student.cardNo);
    assert.equal((await core.getCard(student.cardNo)).balance.main, 600);
  });

  test('when the card was reissued, then the next credential carries a new code id and secret and the old ones are refused', async () => {
    // Goal: a new phone's numeric codes replace the old phone's.
    const student = await boundStudent(world);
    const earlier = (await credentialOf(student.accessToken)).body.numericCode;
    await world.core.client.changeCard(student.cardNo, 'reissue', { type: 'admin', id: 'A1' }, 'new phone');
    const later = (await credentialOf(student.accessToken)).body.numericCode;
    assert.notEqual(later.codeId, earlier.codeId);
    assert.notEqual(later.secret, earlier.secret);
    const old = makeNumericCode({
      codeId: earlier.codeId,
      secret: fromHex(earlier.secret) as Uint8Array,
      nowMs: Date.now(),
      seq: 0,
    });
    const verdict = await world.core.client.verifyPayCode(old);
    assert.deepEqual(verdict.ok ? 'ok' : verdict.code, 'CREDENTIAL_REVOKED');
  });
});
