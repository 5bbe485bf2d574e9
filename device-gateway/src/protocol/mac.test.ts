// Test vectors a vendor can check an implementation against; docs/protocol.md prints the same values.
// They were cross-checked with an independent Python implementation (hmac, hashlib, cryptography).

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  exampleDeviceId,
  exampleDeviceKey,
  exampleDeviceNonce,
  exampleServerNonce,
  exampleSessionKey,
  fixtures,
  macVector,
  offlineRecordVector,
  signInVectors,
} from './fixtures.ts';
import { decodeFrame } from './frame.ts';
import { fromHex, toHex } from './hex.ts';
import { anonymousKey, FrameMacKey, frameMac, macEquals, serverProof, signInResponse } from './mac.ts';
import { offlineRecordBody, signOfflineRecord, verifyOfflineRecord } from './messages/offline.ts';

describe('MAC', () => {
  test('when the test vector bytes are MACed with the test key, then the MAC is the documented one', () => {
    assert.equal(toHex(frameMac(fromHex(macVector.key), fromHex(macVector.bytesBeforeMac))), macVector.mac);
    const prepared = new FrameMacKey(fromHex(macVector.key));
    assert.equal(toHex(frameMac(prepared, fromHex(macVector.bytesBeforeMac))), macVector.mac);
  });

  test('when a key is prepared for frames, then its MAC is HMAC-SHA256 for any key and input length', () => {
    for (const keyBytes of [0, 1, 32, 64, 65, 100]) {
      const key = Uint8Array.from({ length: keyBytes }, (_, i) => (i * 29 + 7) & 0xff);
      const prepared = new FrameMacKey(key);
      for (const length of [0, 1, 55, 56, 64, 300, 4_080, 4_096, 5_000]) {
        const bytes = Uint8Array.from({ length }, (_, i) => (i * 31 + length) & 0xff);
        const expected = createHmac('sha256', key).update(bytes).digest().subarray(0, 16);
        assert.equal(
          toHex(frameMac(prepared, bytes)),
          toHex(expected),
          `key ${keyBytes} bytes, input ${length}`,
        );
      }
    }
  });

  test('when the heartbeat fixture is read, then it is the vector bytes followed by the vector MAC', () => {
    const heartbeat = fixtures.find((f) => f.name === 'heartbeat');
    assert.equal(heartbeat?.hex, macVector.bytesBeforeMac + macVector.mac);
  });

  test('when the example device answers the example challenge, then response, proof and session key match the vectors', () => {
    assert.equal(toHex(exampleDeviceKey), macVector.key);
    const args = [exampleDeviceKey, exampleDeviceId, exampleServerNonce, exampleDeviceNonce] as const;
    assert.equal(toHex(signInResponse(...args)), signInVectors.response);
    assert.equal(toHex(serverProof(...args)), signInVectors.serverProof);
    assert.equal(toHex(exampleSessionKey), signInVectors.sessionKey);
  });

  test('when the response and the proof are compared, then they differ: one cannot stand in for the other', () => {
    assert.notEqual(signInVectors.response, signInVectors.serverProof);
  });

  test('when a frame is checked with another device key, then it is BAD_MAC', () => {
    const heartbeat = fromHex(macVector.bytesBeforeMac + macVector.mac);
    const other = exampleDeviceKey.slice();
    other[0] = 0xff;
    const decoded = decodeFrame(heartbeat, { macKey: other });
    assert.equal(decoded.ok ? 'ok' : decoded.error.code, 'BAD_MAC');
  });

  test('when an anonymous frame is checked, then the all-zero key verifies it', () => {
    const challenge = fixtures.find((f) => f.name === 'challenge');
    assert.ok(challenge);
    assert.ok(decodeFrame(fromHex(challenge.hex), { macKey: anonymousKey }).ok);
    assert.ok(!decodeFrame(fromHex(challenge.hex), { macKey: exampleDeviceKey }).ok);
  });

  test('when MACs of different lengths are compared, then they are unequal without throwing', () => {
    assert.equal(macEquals(new Uint8Array(16), new Uint8Array(15)), false);
  });
});

describe('offline record MAC', () => {
  const body = {
    recordKind: 'payment',
    decision: 'accepted',
    sequence: 54,
    offlineNo: 7,
    takenAtMs: Date.UTC(2026, 2, 2, 4, 5, 0),
    amountFen: 800,
    orderNo: 20_260_310,
    sessionId: '',
    code: { kind: 'numeric', text: '881234567893047211' },
  } as const;

  test('when a record is signed, then it verifies under the same device key and id', () => {
    const record = signOfflineRecord(exampleDeviceKey, exampleDeviceId, body);
    assert.ok(verifyOfflineRecord(exampleDeviceKey, exampleDeviceId, record));
  });

  test('when a record is altered after signing, then it no longer verifies', () => {
    const record = signOfflineRecord(exampleDeviceKey, exampleDeviceId, body);
    assert.ok(!verifyOfflineRecord(exampleDeviceKey, exampleDeviceId, { ...record, amountFen: 80 }));
    assert.ok(!verifyOfflineRecord(exampleDeviceKey, exampleDeviceId + 1, record));
  });

  test('when the first example record is signed, then its MAC matches the one in the upload fixture', () => {
    const record = signOfflineRecord(exampleDeviceKey, exampleDeviceId, body);
    assert.equal(toHex(offlineRecordBody(record)), offlineRecordVector.body);
    assert.equal(toHex(record.mac), offlineRecordVector.mac);
  });
});
