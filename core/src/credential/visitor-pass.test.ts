import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeBase45 } from './base45.ts';
import { toHex } from './bytes.ts';
import { createCampusKeyring } from './campus-keys.ts';
import { seededRandom } from './fixtures.ts';
import { campusSigningKeyFromSecret, createCampusSigningKey } from './issuer.ts';
import {
  createVisitorPassVerifier,
  decodeVisitorPass,
  issueVisitorPass,
  visitorPassToText,
} from './visitor-pass.ts';

// Goal: a visitor pass passes a gate offline only inside its window, at its places, with its ID tail,
// and under a key the gate trusts; any flipped byte is refused.
const key = campusSigningKeyFromSecret(1, new Uint8Array(32).fill(1));
const keyring = createCampusKeyring([{ kid: 1, publicKey: key.publicKey }]);
const check = createVisitorPassVerifier({ keyring });
const fromMs = Date.UTC(2026, 2, 2, 1, 0, 0); // 09:00 in Shanghai
const untilMs = fromMs + 8 * 3600_000;
const request = {
  passId: '00112233445566ff',
  validFromMs: fromMs,
  validUntilMs: untilMs,
  idTail: '123x',
  places: ['dg:east-gate', 'device:GATE-01'],
};
const bytes = issueVisitorPass(key, request);
const text = visitorPassToText(bytes);

test('when a pass is issued, then it decodes to what was asked (golden layout)', () => {
  const pass = decodeVisitorPass(bytes);
  assert.ok(pass);
  assert.equal(pass.passId, request.passId);
  assert.equal(pass.validFromMs, fromMs);
  assert.equal(pass.validUntilMs, untilMs);
  assert.deepEqual(pass.places, request.places);
  // format, kid, pass id, from, until as laid out in docs/visitors-meetings-bus.md
  assert.equal(
    toHex(bytes.subarray(0, 19)),
    `010001${request.passId}${(fromMs / 1000).toString(16)}${(untilMs / 1000).toString(16)}`,
  );
  assert.equal(bytes[23], 2);
  assert.equal(bytes.length, 24 + 1 + 12 + 1 + 14 + 64);
  assert.ok(text.startsWith('CV:'));
});

test('when the pass is shown in its window at its place with its tail, then the gate lets the visitor in', () => {
  const verdict = check({ text, nowMs: fromMs + 60_000, placesHere: ['device:GATE-01'], idTail: '123X' });
  assert.equal(verdict.ok, true);
  assert.equal(verdict.ok && verdict.place, 'device:GATE-01');
  // Leaving: no tail asked.
  assert.equal(check({ text, nowMs: untilMs - 1000, placesHere: ['dg:east-gate'] }).ok, true);
});

test('when anything is off, then the first failing check gives its code', () => {
  const at = (nowMs: number, placesHere = ['dg:east-gate'], idTail?: string) =>
    check({ text, nowMs, placesHere, ...(idTail ? { idTail } : {}) });
  assert.deepEqual(refusal(at(fromMs - 31_000)), 'PASS_NOT_YET_VALID');
  assert.deepEqual(refusal(at(untilMs + 30_000)), 'PASS_EXPIRED');
  assert.deepEqual(refusal(at(fromMs, ['dg:west-gate'])), 'WRONG_PLACE');
  assert.deepEqual(refusal(at(fromMs, ['dg:east-gate'], '1234')), 'ID_TAIL_MISMATCH');
  assert.deepEqual(refusal(at(fromMs, ['dg:east-gate'], 'abcd')), 'ID_TAIL_MISMATCH');
  assert.deepEqual(
    refusal(check({ text: `CC:${text.slice(3)}`, nowMs: fromMs, placesHere: [] })),
    'MALFORMED',
  );
  assert.deepEqual(refusal(check({ text: 'CV:%%', nowMs: fromMs, placesHere: [] })), 'MALFORMED');
  const other = createVisitorPassVerifier({
    keyring: createCampusKeyring([{ kid: 2, publicKey: key.publicKey }]),
  });
  assert.deepEqual(refusal(other({ text, nowMs: fromMs, placesHere: ['dg:east-gate'] })), 'UNKNOWN_KEY');
  const retired = createVisitorPassVerifier({
    keyring: createCampusKeyring([{ kid: 1, publicKey: key.publicKey, retiredAtMs: fromMs - 1000 }]),
  });
  assert.deepEqual(refusal(retired({ text, nowMs: fromMs, placesHere: ['dg:east-gate'] })), 'KEY_RETIRED');
});

test('when any byte of the pass is flipped, then the gate refuses it', () => {
  for (let i = 0; i < bytes.length; i++) {
    const flipped = Uint8Array.from(bytes);
    flipped[i] = (flipped[i] ?? 0) ^ 0x01;
    const verdict = check({
      text: `CV:${encodeBase45(flipped)}`,
      nowMs: fromMs,
      placesHere: ['dg:east-gate', 'device:GATE-01'],
    });
    assert.equal(verdict.ok, false, `byte ${i}`);
  }
});

test('when a pass is signed by a key the gate does not hold under that kid, then BAD_SIGNATURE', async () => {
  const stranger = await createCampusSigningKey(1, seededRandom(7));
  const forged = visitorPassToText(issueVisitorPass(stranger, request));
  assert.equal(
    refusal(check({ text: forged, nowMs: fromMs, placesHere: ['dg:east-gate'] })),
    'BAD_SIGNATURE',
  );
});

test('when the issuer is asked for a bad pass, then it throws instead of signing', () => {
  assert.throws(() => issueVisitorPass(key, { ...request, places: [] }));
  assert.throws(() => issueVisitorPass(key, { ...request, places: ['bad place'] }));
  assert.throws(() => issueVisitorPass(key, { ...request, idTail: '12' }));
  assert.throws(() => issueVisitorPass(key, { ...request, validUntilMs: fromMs + 8 * 86_400_000 }));
  assert.throws(() => issueVisitorPass(key, { ...request, passId: 'xyz' }));
});

function refusal(verdict: ReturnType<typeof check>): string | undefined {
  return verdict.ok ? undefined : verdict.code;
}

test('when a pass names the most places of the longest ids, then its text fits the protocol scanned code', () => {
  const places = Array.from({ length: 6 }, (_, i) => `${i}`.padStart(32, 'P'));
  const longest = visitorPassToText(issueVisitorPass(key, { ...request, places }));
  assert.ok(longest.length <= 512, String(longest.length));
  assert.throws(() => issueVisitorPass(key, { ...request, places: [...places, 'x'] }));
  assert.throws(() => issueVisitorPass(key, { ...request, places: ['P'.repeat(33)] }));
});
