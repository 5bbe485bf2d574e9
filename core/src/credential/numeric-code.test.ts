import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { breakfastMs, createFakeClock, seededRandom } from './fixtures.ts';
import {
  assertCampusPrefix,
  createNumericCodeSecret,
  createNumericCodeVerifier,
  knownPayCodeSchemes,
  makeNumericCode,
  numericCodeDefaults,
  payCodeSchemeOf,
} from './numeric-code.ts';
import { createMemoryReplayGuard } from './replay-guard.ts';

const codeId = 123_456_789;

async function setup() {
  const secret = await createNumericCodeSecret(seededRandom(11));
  const clock = createFakeClock(breakfastMs);
  const verifier = createNumericCodeVerifier({
    secretOf: async (id) => (id === codeId ? secret : undefined),
    replayGuard: createMemoryReplayGuard({ now: clock.now }),
    now: clock.now,
  });
  return { secret, clock, verifier };
}

function outcome(result: { ok: boolean; code?: string }): string {
  return result.ok ? 'ok' : (result.code ?? '');
}

describe('numeric pay code', () => {
  test('when the campus prefix is compared with WeChat, Alipay and UnionPay, then it collides with none', () => {
    // Goal: one till routes all four kinds by prefix, and our codes never go to a wallet provider.
    assertCampusPrefix(numericCodeDefaults.prefix);
    for (const known of knownPayCodeSchemes) {
      for (const prefix of known.prefixes)
        assert.throws(() => assertCampusPrefix(prefix), new RegExp(known.scheme));
    }
    assert.throws(() => assertCampusPrefix('8'));
    assert.throws(() => assertCampusPrefix('8a'));

    const campus = makeNumericCode({
      codeId,
      secret: new Uint8Array(32).fill(1),
      nowMs: breakfastMs,
      seq: 0,
    });
    assert.equal(campus.length, 18);
    assert.equal(payCodeSchemeOf(campus), 'campus');
    assert.equal(payCodeSchemeOf('134567890123456789'), 'wechat'); // 18 digits, 10–15
    assert.equal(payCodeSchemeOf('2812345678901234'), 'alipay'); // 16 digits, 25–30
    assert.equal(payCodeSchemeOf('281234567890123456789012'), 'alipay'); // 24 digits
    assert.equal(payCodeSchemeOf('6212345678901234567'), 'unionpay'); // 19 digits, 62
    assert.equal(payCodeSchemeOf('88123'), undefined); // our prefix, wrong length
    // Every length a known scheme uses, with our prefix, routes to no wallet provider.
    for (let digits = 16; digits <= 24; digits++) {
      const scheme = payCodeSchemeOf(`88${'0'.repeat(digits - 2)}`);
      assert.ok(scheme === undefined || scheme === 'campus', `${digits} digits routed to ${scheme}`);
    }
  });

  test('when the phone makes a code and it is typed in within the window, then it verifies', async () => {
    // Goal: the code verifies from 30 s before to 90 s after it was made (60 s validity, 30 s skew).
    for (const scanOffsetMs of [-30_000, 0, 29_999, 60_000, 90_000]) {
      const { secret, clock, verifier } = await setup();
      const text = makeNumericCode({ codeId, secret, nowMs: breakfastMs, seq: 0 });
      clock.set(breakfastMs + scanOffsetMs);
      const result = await verifier.verify(text);
      assert.equal(outcome(result), 'ok', `scanned ${scanOffsetMs} ms after`);
      if (result.ok) assert.equal(result.codeId, codeId);
    }
  });

  test('when the code is well outside the window, then it is refused as CODE_INVALID', async () => {
    // Goal: an old code, a code from a fast clock, and a code made with another secret are all refused.
    const { secret, clock, verifier } = await setup();
    const text = makeNumericCode({ codeId, secret, nowMs: breakfastMs, seq: 0 });
    clock.set(breakfastMs + 150_000);
    assert.equal(outcome(await verifier.verify(text)), 'CODE_INVALID');
    clock.set(breakfastMs - 90_000);
    assert.equal(outcome(await verifier.verify(text)), 'CODE_INVALID');
    clock.set(breakfastMs);
    const forged = makeNumericCode({
      codeId,
      secret: new Uint8Array(32).fill(9),
      nowMs: breakfastMs,
      seq: 0,
    });
    assert.equal(outcome(await verifier.verify(forged)), 'CODE_INVALID');
  });

  test('when the same numeric code is typed twice, then the second is REPLAYED and a bumped seq is accepted', async () => {
    // Goal: one code pays once; after paying, the phone shows seq + 1 and can pay again in the same step.
    const { secret, verifier } = await setup();
    const first = makeNumericCode({ codeId, secret, nowMs: breakfastMs, seq: 0 });
    assert.equal(outcome(await verifier.verify(first)), 'ok');
    assert.equal(outcome(await verifier.verify(first)), 'REPLAYED');
    const second = makeNumericCode({ codeId, secret, nowMs: breakfastMs, seq: 1 });
    assert.notEqual(second, first);
    assert.equal(outcome(await verifier.verify(second)), 'ok');
  });

  test('when the code is not ours or names no card, then it is MALFORMED or UNKNOWN_CODE_ID', async () => {
    // Goal: wallet codes, typos of length and letters are malformed; an unassigned code id is unknown.
    const { secret, verifier } = await setup();
    for (const bad of ['134567890123456789', '88123', '8812345678901234567', '88abcdefghijklmnop', '']) {
      assert.equal(outcome(await verifier.verify(bad)), 'MALFORMED', bad);
    }
    const stranger = makeNumericCode({ codeId: 42, secret, nowMs: breakfastMs, seq: 0 });
    assert.equal(outcome(await verifier.verify(stranger)), 'UNKNOWN_CODE_ID');
  });

  test('when any card makes a numeric code at any time, then it verifies within its window', async () => {
    // Goal: phone and server agree on the window for every secret, code id, seq and time.
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 0, max: 999_999_999 }),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1_600_000_000_000, max: 4_000_000_000_000 }),
        fc.integer({ min: -30_000, max: 90_000 }),
        async (secret, id, seq, madeAtMs, scanOffsetMs) => {
          const clock = createFakeClock(madeAtMs + scanOffsetMs);
          const verifier = createNumericCodeVerifier({
            secretOf: (asked) => (asked === id ? secret : undefined),
            replayGuard: createMemoryReplayGuard({ now: clock.now }),
            now: clock.now,
          });
          const text = makeNumericCode({ codeId: id, secret, nowMs: madeAtMs, seq });
          assert.equal(outcome(await verifier.verify(text)), 'ok');
        },
      ),
    );
  });

  test('when a numeric verifier is configured with a colliding prefix, then creating it throws', () => {
    // Goal: nobody can deploy a campus prefix that steals WeChat codes.
    const replayGuard = createMemoryReplayGuard();
    assert.throws(
      () => createNumericCodeVerifier({ secretOf: () => undefined, replayGuard, prefix: '13' }),
      /wechat/,
    );
  });
});
