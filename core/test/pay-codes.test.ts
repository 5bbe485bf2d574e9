import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  dialects,
  openStudent,
  redisUrl,
  startTestCore,
  type TestCore,
  testServiceKey,
} from '@campus-card/tests/kit';
import { type RunningCore, startCore } from '../src/app.ts';
import { CoreClient, CoreError, type PayCodeSecret } from '../src/client/index.ts';
import { loadConfig } from '../src/config.ts';
import { fromHex, makeNumericCode } from '../src/credential/index.ts';
import { createLogger } from '../src/log.ts';

const admin = { type: 'admin', id: 'A1' } as const;

/** The phone's side: a numeric code from the id and secret the core handed out. */
function codeFrom(secret: PayCodeSecret, seq = 0, nowMs = Date.now()): string {
  return makeNumericCode({
    codeId: secret.codeId,
    secret: fromHex(secret.secretHex) as Uint8Array,
    nowMs,
    seq,
  });
}

/** The same code with one digit of its one-time password changed. */
function tampered(code: string): string {
  const last = Number(code.at(-1));
  return `${code.slice(0, -1)}${(last + 1) % 10}`;
}

for (const dialect of dialects) {
  describe(`numeric pay codes (${dialect})`, () => {
    let t: TestCore;
    before(async () => {
      t = await startTestCore(dialect);
    });
    after(() => t.stop());

    test('when the phone makes a code from its card secret, then verify answers the card and its version', async () => {
      // Goal: one secret per card version, sealed at rest, and a code made from it names the card.
      const cardNo = await openStudent(t.client);
      const secret = await t.client.payCodeSecret(cardNo);
      const card = await t.client.getCard(cardNo);
      assert.equal(secret.cardVersion, card.version);
      assert.match(secret.secretHex, /^[0-9a-f]{64}$/);
      assert.ok(secret.codeId >= 1 && secret.codeId <= 999_999_999);
      assert.notEqual(String(secret.codeId), cardNo);
      assert.deepEqual(await t.client.payCodeSecret(cardNo), secret, 'asked again, the same pair');
      const rows = await t.core.db.select<{ secret_enc: string }>(
        'SELECT secret_enc FROM pay_codes WHERE code_id = ?',
        [secret.codeId],
      );
      assert.match(String(rows[0]?.secret_enc), /^v1\./);
      assert.ok(!String(rows[0]?.secret_enc).includes(secret.secretHex), 'the secret is sealed at rest');
      const verdict = await t.client.verifyPayCode(codeFrom(secret));
      // useId names this one code (num:<code id>:<time step>:<seq>): the ledger charges it once (#12.3).
      const useId = verdict.ok ? verdict.useId : '';
      assert.match(useId, new RegExp(`^num:${secret.codeId}:\\d+:\\d$`));
      assert.deepEqual(verdict, {
        ok: true,
        cardNo,
        cardVersion: card.version,
        personType: 'student',
        codeId: secret.codeId,
        useId,
      });
    });

    test('when a code is expired, tampered, malformed or names no card, then each is refused with its code', async () => {
      // Goal: the library's refusals reach the gateway unchanged.
      const secret = await t.client.payCodeSecret(await openStudent(t.client));
      const expired = codeFrom(secret, 1, Date.now() - 3 * 60_000);
      assert.deepEqual(await t.client.verifyPayCode(expired), {
        ok: false,
        code: 'CODE_INVALID',
        message: 'wrong or expired numeric code',
      });
      const fresh = codeFrom(secret, 2);
      assert.equal(refusal(await t.client.verifyPayCode(tampered(fresh))), 'CODE_INVALID');
      assert.equal(refusal(await t.client.verifyPayCode(fresh.slice(1))), 'MALFORMED');
      assert.equal(refusal(await t.client.verifyPayCode(`99${fresh.slice(2)}`)), 'MALFORMED');
      const otherId = String((secret.codeId % 999_999_999) + 1).padStart(9, '0');
      const unknown = `88${otherId}${fresh.slice(11)}`;
      assert.equal(refusal(await t.client.verifyPayCode(unknown)), 'UNKNOWN_CODE_ID');
      // The untouched code still pays: none of the refusals above spent it.
      assert.equal((await t.client.verifyPayCode(fresh)).ok, true);
    });

    test('when the same code is verified twice, then the second is REPLAYED, and the next seq is a new code', async () => {
      // Goal: each numeric code is accepted once; seq lets the phone show another within the time step.
      const secret = await t.client.payCodeSecret(await openStudent(t.client));
      const code = codeFrom(secret, 3);
      assert.equal((await t.client.verifyPayCode(code)).ok, true);
      assert.equal(refusal(await t.client.verifyPayCode(code)), 'REPLAYED');
      assert.equal((await t.client.verifyPayCode(codeFrom(secret, 4))).ok, true);
    });

    test('when the card is reissued on a new phone, then the old codes are CREDENTIAL_REVOKED and a new id and secret work', async () => {
      // Goal: the numeric secret dies with the old phone's QR credential.
      const cardNo = await openStudent(t.client);
      const old = await t.client.payCodeSecret(cardNo);
      await t.client.changeCard(cardNo, 'reissue', admin, 'new phone');
      assert.equal(refusal(await t.client.verifyPayCode(codeFrom(old))), 'CREDENTIAL_REVOKED');
      const renewed = await t.client.payCodeSecret(cardNo);
      assert.equal(renewed.cardVersion, old.cardVersion + 1);
      assert.notEqual(renewed.codeId, old.codeId);
      assert.notEqual(renewed.secretHex, old.secretHex);
      assert.equal((await t.client.verifyPayCode(codeFrom(renewed))).ok, true);
    });

    test('when the card is reported lost, then its codes are refused CARD_LOST and no secret is handed out', async () => {
      // Goal: the card's status is checked before a code is accepted, as the ledger would.
      const cardNo = await openStudent(t.client);
      const secret = await t.client.payCodeSecret(cardNo);
      await t.client.changeCard(cardNo, 'report_loss', admin, null);
      assert.equal(refusal(await t.client.verifyPayCode(codeFrom(secret))), 'CARD_LOST');
      await assert.rejects(
        t.client.payCodeSecret(cardNo),
        (error: unknown) => error instanceof CoreError && error.code === 'CARD_LOST',
      );
    });

    test('when five wrong codes came for one code id, then even a right one is TOO_MANY_ATTEMPTS; right ones do not count', async () => {
      // Goal: guessing a 6-digit password is bounded per code id.
      const secret = await t.client.payCodeSecret(await openStudent(t.client));
      for (let i = 0; i < 4; i++) {
        assert.equal(refusal(await t.client.verifyPayCode(tampered(codeFrom(secret, 5)))), 'CODE_INVALID');
      }
      assert.equal((await t.client.verifyPayCode(codeFrom(secret, 6))).ok, true, 'a right code between');
      assert.equal(refusal(await t.client.verifyPayCode(tampered(codeFrom(secret, 7)))), 'CODE_INVALID');
      assert.equal(refusal(await t.client.verifyPayCode(codeFrom(secret, 8))), 'TOO_MANY_ATTEMPTS');
      // Another card's code id is not affected.
      const other = await t.client.payCodeSecret(await openStudent(t.client));
      assert.equal((await t.client.verifyPayCode(codeFrom(other))).ok, true);
    });

    test('#12.1 when 60 guesses for one code id race in one instance (the right code last), then at most 5 are compared', async () => {
      const secret = await t.client.payCodeSecret(await openStudent(t.client));
      const verdicts = await Promise.all([
        ...Array.from({ length: 59 }, (_, i) => t.client.verifyPayCode(guess(codeFrom(secret, 1), i))),
        t.client.verifyPayCode(codeFrom(secret, 2)),
      ]);
      const codes = verdicts.map(refusal);
      assert.ok(codes.filter((c) => c === 'CODE_INVALID').length <= 5, JSON.stringify(codes));
      assert.equal(codes.at(-1), 'TOO_MANY_ATTEMPTS');
    });

    test('when a body is not a string code, then 400 VALIDATION_FAILED', async () => {
      // Goal: only absurd requests are errors; any digits are a verdict.
      await assert.rejects(
        t.client.verifyPayCode(12 as unknown as string),
        (error: unknown) => error instanceof CoreError && error.code === 'VALIDATION_FAILED',
      );
    });
  });
}

describe('numeric pay codes across two core instances sharing Redis (mysql)', () => {
  let t: TestCore;
  let second: RunningCore;
  let secondClient: CoreClient;
  const piiKey = randomBytes(32).toString('hex');
  before(async () => {
    t = await startTestCore('mysql', { REDIS_URL: redisUrl, PII_KEY: piiKey });
    const config = loadConfig({
      DATABASE_URL: t.databaseUrl,
      CORE_PORT: '0',
      CORE_SERVICE_KEYS: `${testServiceKey.keyId}:${testServiceKey.secret}`,
      PII_KEY: piiKey,
      LOG_LEVEL: 'silent',
      REDIS_URL: redisUrl,
      // A second instance of the same deployment: the same Redis namespace.
      REDIS_PREFIX: t.redisPrefix,
    });
    second = await startCore(config, createLogger('core-test-2', 'silent'));
    secondClient = new CoreClient({ url: second.url, ...testServiceKey });
  });
  after(async () => {
    await secondClient.close();
    await second.close();
    await t.stop();
  });

  test('when a code was accepted at one instance, then the other refuses it REPLAYED and counts the same guesses', async () => {
    // Goal: replay claims and guess counts live in Redis, not in one process.
    const secret = await t.client.payCodeSecret(await openStudent(t.client));
    const code = codeFrom(secret);
    assert.equal((await t.client.verifyPayCode(code)).ok, true);
    assert.equal(refusal(await secondClient.verifyPayCode(code)), 'REPLAYED');
    for (let i = 0; i < 5; i++) {
      const client = i % 2 === 0 ? t.client : secondClient;
      assert.equal(refusal(await client.verifyPayCode(tampered(codeFrom(secret, 1)))), 'CODE_INVALID');
    }
    assert.equal(refusal(await t.client.verifyPayCode(codeFrom(secret, 2))), 'TOO_MANY_ATTEMPTS');
    assert.equal(refusal(await secondClient.verifyPayCode(codeFrom(secret, 3))), 'TOO_MANY_ATTEMPTS');
  });

  test('#12.1 when 60 guesses for one code id race over both instances (the right code last), then at most 5 passwords are compared and the lock holds', async () => {
    // Goal: each check takes its slot in Redis (INCR) before the password is compared, so a burst
    // spread over instances gets no more comparisons than the limit, and a right code does not unlock.
    const secret = await t.client.payCodeSecret(await openStudent(t.client));
    const verdicts = await Promise.all([
      ...Array.from({ length: 59 }, (_, i) =>
        (i % 2 === 0 ? t.client : secondClient).verifyPayCode(guess(codeFrom(secret, 1), i)),
      ),
      secondClient.verifyPayCode(codeFrom(secret, 2)),
    ]);
    const codes = verdicts.map(refusal);
    assert.ok(codes.filter((c) => c === 'CODE_INVALID').length <= 5, JSON.stringify(codes));
    assert.equal(codes.at(-1), 'TOO_MANY_ATTEMPTS', 'the right code came after the lock');
    assert.equal(refusal(await t.client.verifyPayCode(codeFrom(secret, 3))), 'TOO_MANY_ATTEMPTS');
  });
});

/** The i-th of 99 wrong passwords for a code: its last two digits moved by 1 + i (mod 100). */
function guess(code: string, i: number): string {
  return `${code.slice(0, -2)}${String((Number(code.slice(-2)) + 1 + i) % 100).padStart(2, '0')}`;
}

function refusal(verdict: { ok: boolean; code?: string }): string | undefined {
  return verdict.ok ? 'ok' : verdict.code;
}
