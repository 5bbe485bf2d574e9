// KIOSK_CANCEL_LOSS (0x9C) and KIOSK_CANCEL_LOSS_RESULT (0x9D), docs/protocol.md § 7.25: the payloads
// byte by byte, a round trip of every status, and the bytes a decoder must refuse.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encryptedMessageTypes, MessageType, requestsOfKind } from './codes.ts';
import { fixtures } from './fixtures.ts';
import { fromHex, toHex } from './hex.ts';
import { directionOf, parsePayload, serializePayload } from './messages/index.ts';

const token = Uint8Array.from({ length: 16 }, (_, i) => 0xd0 + i);
const tokenHex = toHex(token);
/** '135790' as the protocol's digits: one ASCII digit per byte. */
const pinHex = '313335373930';

function parsed(type: MessageType, hex: string) {
  const result = parsePayload(type, fromHex(hex));
  return result.ok ? result.value : `${result.error.code}`;
}

describe('KIOSK_CANCEL_LOSS', () => {
  test('when the payload is the token and the PIN, then it parses, serializes to the same bytes and round-trips', () => {
    const message = { kind: 'kiosk_cancel_loss', sessionToken: token, pin: '135790' } as const;
    assert.equal(toHex(serializePayload(message)), `${tokenHex}${pinHex}`);
    assert.deepEqual(parsed(MessageType.KIOSK_CANCEL_LOSS, `${tokenHex}${pinHex}`), message);
    const fixture = fixtures.find((f) => f.name === 'kiosk_cancel_loss');
    assert.deepEqual(fixture?.message, message, 'the documented example is this message');
  });

  test('when the request is classified, then a kiosk sends it, encrypted (it carries the PIN), and no other kind may', () => {
    assert.equal(MessageType.KIOSK_CANCEL_LOSS, 0x9c);
    assert.equal(MessageType.KIOSK_CANCEL_LOSS_RESULT, 0x9d);
    assert.equal(directionOf(MessageType.KIOSK_CANCEL_LOSS), 'device_to_server');
    assert.equal(directionOf(MessageType.KIOSK_CANCEL_LOSS_RESULT), 'server_to_device');
    assert.ok(encryptedMessageTypes.has(MessageType.KIOSK_CANCEL_LOSS));
    assert.ok(!encryptedMessageTypes.has(MessageType.KIOSK_CANCEL_LOSS_RESULT));
    for (const [kind, allowed] of Object.entries(requestsOfKind))
      assert.equal(allowed.has(MessageType.KIOSK_CANCEL_LOSS), kind === 'kiosk', kind);
  });

  test('when the bytes are short, long, or the PIN is not six digits, then the decoder refuses them', () => {
    assert.equal(parsed(MessageType.KIOSK_CANCEL_LOSS, `${tokenHex}${pinHex.slice(0, -2)}`), 'TRUNCATED');
    assert.equal(parsed(MessageType.KIOSK_CANCEL_LOSS, tokenHex.slice(0, 20)), 'TRUNCATED');
    assert.equal(parsed(MessageType.KIOSK_CANCEL_LOSS, `${tokenHex}${pinHex}00`), 'TRAILING_BYTES');
    assert.equal(parsed(MessageType.KIOSK_CANCEL_LOSS, `${tokenHex}313335373941`), 'BAD_FIELD');
    assert.throws(
      () => serializePayload({ kind: 'kiosk_cancel_loss', sessionToken: token, pin: '1357' }),
      (error: { code?: string }) => error.code === 'BAD_FIELD',
    );
    assert.throws(
      () =>
        serializePayload({ kind: 'kiosk_cancel_loss', sessionToken: token.subarray(0, 8), pin: '135790' }),
      (error: { code?: string }) => error.code === 'BAD_FIELD',
    );
  });
});

describe('KIOSK_CANCEL_LOSS_RESULT', () => {
  test('when each status is sent with its reason, then it serializes to two bytes and round-trips', () => {
    for (const [reason, status, hex] of [
      ['NONE', 'cancelled', '0001'],
      ['NONE', 'not_lost', '0002'],
      ['PIN_INVALID', 'refused', '0d03'],
      ['CARD_FROZEN', 'refused', '0403'],
      ['NOT_PERMITTED', 'refused', '1203'],
      ['KIOSK_SESSION_EXPIRED', 'refused', '3003'],
    ] as const) {
      const message = { kind: 'kiosk_cancel_loss_result', reason, status } as const;
      assert.equal(toHex(serializePayload(message)), hex, `${reason} ${status}`);
      assert.deepEqual(parsed(MessageType.KIOSK_CANCEL_LOSS_RESULT, hex), message);
    }
  });

  test('when a status or reason is unknown, a refusal names no reason, or a success names one, then the decoder refuses it', () => {
    assert.equal(parsed(MessageType.KIOSK_CANCEL_LOSS_RESULT, '0004'), 'BAD_FIELD');
    assert.equal(parsed(MessageType.KIOSK_CANCEL_LOSS_RESULT, '0000'), 'BAD_FIELD');
    assert.equal(parsed(MessageType.KIOSK_CANCEL_LOSS_RESULT, 'ee01'), 'BAD_FIELD');
    assert.equal(parsed(MessageType.KIOSK_CANCEL_LOSS_RESULT, '0003'), 'BAD_FIELD');
    assert.equal(parsed(MessageType.KIOSK_CANCEL_LOSS_RESULT, '0d01'), 'BAD_FIELD');
    assert.equal(parsed(MessageType.KIOSK_CANCEL_LOSS_RESULT, '00'), 'TRUNCATED');
    assert.equal(parsed(MessageType.KIOSK_CANCEL_LOSS_RESULT, '000100'), 'TRAILING_BYTES');
    assert.throws(
      () => serializePayload({ kind: 'kiosk_cancel_loss_result', reason: 'NONE', status: 'refused' }),
      (error: { code?: string }) => error.code === 'BAD_FIELD',
    );
  });
});
