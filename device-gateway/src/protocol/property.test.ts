// Properties over generated messages and bytes: every message survives encode → decode unchanged, every
// accepted frame is the one encoding of its message, and no input of any shape makes the codec throw
// anything but a ProtocolError value or loop forever. Seeds are fixed so a failure reproduces.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { anyMessage, envelope, messageArbitraries } from './arbitraries.ts';
import { encryptedMessageTypes, MessageType } from './codes.ts';
import { ProtocolError } from './errors.ts';
import { exampleDeviceKey, exampleSessionKey, fixtures } from './fixtures.ts';
import { decodeFrame, encodeFrame, type FrameKeys } from './frame.ts';
import { fromHex } from './hex.ts';
import { frameBytesMax, gcmNonceBytes, headerBytes, macBytes } from './limits.ts';
import { frameMac } from './mac.ts';
import {
  type Message,
  type MessageKind,
  messageTypeOf,
  parsePayload,
  serializePayload,
} from './messages/index.ts';
import { FrameSplitter } from './splitter.ts';

const keys: FrameKeys = { macKey: exampleDeviceKey, sessionKey: exampleSessionKey };
const runs = { seed: 20_260_302, numRuns: 200 };

function isTypedFailure(result: { ok: boolean; error?: unknown }): boolean {
  return result.ok || result.error instanceof ProtocolError;
}

/** Re-MACs a frame (whatever its length field says), so mutations reach the checks after the MAC. */
function remac(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength < macBytes) return bytes;
  const out = bytes.slice();
  out.set(frameMac(exampleDeviceKey, out.subarray(0, out.byteLength - macBytes)), out.byteLength - macBytes);
  return out;
}

const mutation = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const at = bytes.byteLength === 0 ? 0 : m.at % bytes.byteLength;
  const list = [...bytes];
  if (m.op === 'flip') list[at] = (list[at] ?? 0) ^ (1 << m.bit);
  else if (m.op === 'set') list[at] = m.value;
  else if (m.op === 'insert') list.splice(at, 0, m.value);
  else if (m.op === 'delete') list.splice(at, 1);
  else list.length = at;
  return Uint8Array.from(list);
}

/** Keeps the length field equal to the real length, so mutations get past framing more often. */
function fixLength(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  if (out.byteLength >= 5 && out.byteLength <= 0xffff) {
    out[3] = out.byteLength >> 8;
    out[4] = out.byteLength & 0xff;
  }
  return out;
}

describe('properties', () => {
  for (const kind of Object.keys(messageArbitraries) as MessageKind[]) {
    test(`when any ${kind} is encoded and decoded, then the same message and header come back`, () => {
      const arbitrary = messageArbitraries[kind] as fc.Arbitrary<Message>;
      fc.assert(
        fc.property(arbitrary, envelope, (message, env) => {
          const frame = encodeFrame(message, env, keys);
          assert.ok(frame.byteLength <= frameBytesMax);
          const decoded = decodeFrame(frame, keys);
          assert.ok(decoded.ok, decoded.ok ? '' : `${decoded.error.code}: ${decoded.error.message}`);
          assert.deepEqual(decoded.value.message, message);
          assert.deepEqual(
            [decoded.value.deviceId, decoded.value.sequence, decoded.value.timestampMs],
            [env.deviceId, env.sequence, env.timestampMs],
          );
          const payload = parsePayload(messageTypeOf[message.kind], serializePayload(message));
          assert.ok(payload.ok);
          assert.deepEqual(payload.value, message);
        }),
        { ...runs, numRuns: 100 },
      );
    });
  }

  test('when random bytes are decoded as a frame, then only typed errors come back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        assert.ok(isTypedFailure(decodeFrame(bytes, keys)));
      }),
      { ...runs, numRuns: 2_000 },
    );
  });

  test('when random bytes behind a valid prefix and MAC are decoded, then only typed errors come back', () => {
    const types = Object.values(MessageType).filter((v): v is MessageType => typeof v === 'number');
    fc.assert(
      fc.property(
        fc.constantFrom(...types, 0x00, 0x7f, 0xff),
        fc.integer({ min: 0, max: 1 }),
        fc.uint8Array({ maxLength: 400 }),
        (type, flags, body) => {
          const bytes = new Uint8Array(headerBytes + body.byteLength + macBytes);
          bytes.set([0xca, 0xcd, 0x01, bytes.byteLength >> 8, bytes.byteLength & 0xff, type, flags], 0);
          bytes.set(body, headerBytes);
          assert.ok(isTypedFailure(decodeFrame(remac(bytes), keys)));
        },
      ),
      { ...runs, numRuns: 3_000 },
    );
  });

  test('when random bytes are parsed as the payload of every type, then only typed errors come back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xff }), fc.uint8Array({ maxLength: 300 }), (type, payload) => {
        assert.ok(isTypedFailure(parsePayload(type, payload)));
      }),
      { ...runs, numRuns: 5_000 },
    );
  });

  test('when valid frames are mutated, with or without a fresh MAC, then only typed errors or valid messages come back', () => {
    fc.assert(
      fc.property(
        anyMessage,
        envelope,
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('as is', 'remac', 'fix length and remac'),
        (message, env, mutations, repair) => {
          let bytes = encodeFrame(message, env, keys);
          for (const m of mutations) bytes = mutate(bytes, m);
          if (repair === 'remac') bytes = remac(bytes);
          if (repair === 'fix length and remac') bytes = remac(fixLength(bytes));
          assert.ok(isTypedFailure(decodeFrame(bytes, keys)));
        },
      ),
      { ...runs, numRuns: 3_000 },
    );
  });

  test('when a mutated payload still decodes, then re-encoding it gives the same bytes: one encoding per message', () => {
    fc.assert(
      fc.property(
        anyMessage,
        envelope,
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (message, env, mutations) => {
          let bytes = encodeFrame(message, env, keys);
          const head = bytes.subarray(0, headerBytes);
          let body = bytes.subarray(headerBytes, bytes.byteLength - macBytes);
          for (const m of mutations) body = mutate(body, m);
          const rebuilt = new Uint8Array(headerBytes + body.byteLength + macBytes);
          rebuilt.set(head, 0);
          rebuilt.set(body, headerBytes);
          bytes = remac(fixLength(rebuilt));
          const decoded = decodeFrame(bytes, keys);
          if (!decoded.ok) return;
          const nonce = bytes.subarray(headerBytes, headerBytes + gcmNonceBytes);
          const encrypted = encryptedMessageTypes.has(decoded.value.type);
          const again = encodeFrame(decoded.value.message, decoded.value, keys, {
            randomBytes: () => (encrypted ? nonce.slice() : new Uint8Array(gcmNonceBytes)),
          });
          assert.deepEqual(again, bytes);
        },
      ),
      { ...runs, numRuns: 3_000 },
    );
  });

  test('when a byte stream of frames and garbage arrives in random chunks, then the splitter ends with frames or one typed error', () => {
    const good = fixtures.map((f) => fromHex(f.hex));
    const piece = fc.oneof(fc.constantFrom(...good), fc.uint8Array({ minLength: 1, maxLength: 50 }));
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1 }),
        (pieces, sizes) => {
          const stream = Uint8Array.from(pieces.flatMap((p) => [...p]));
          const splitter = new FrameSplitter();
          let offset = 0;
          let i = 0;
          let errors = 0;
          while (offset < stream.byteLength) {
            const size = sizes[i++ % sizes.length] ?? 1;
            const { frames, error } = splitter.push(stream.subarray(offset, offset + size));
            offset += size;
            if (error !== undefined) {
              assert.ok(error instanceof ProtocolError);
              errors += 1;
              break;
            }
            for (const frame of frames) assert.ok(isTypedFailure(decodeFrame(frame, keys)));
            assert.ok(splitter.bufferedBytes <= frameBytesMax);
          }
          const end = splitter.end();
          assert.ok(end === undefined || end instanceof ProtocolError);
          assert.ok(errors <= 1);
        },
      ),
      { ...runs, numRuns: 1_000 },
    );
  });
});
