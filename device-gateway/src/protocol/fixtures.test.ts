// Every fixture, the way pg-protocol tests its messages: parsed from its bytes, generated to the same
// bytes, round-tripped, and delivered through the splitter cut at every offset.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encryptedMessageTypes } from './codes.ts';
import { exampleGcmNonce, fixtures } from './fixtures.ts';
import { decodeFrame, encodeFrame } from './frame.ts';
import { fromHex, toHex } from './hex.ts';
import { prepareKey } from './mac.ts';
import { type MessageKind, messageTypeOf, parsePayload, serializePayload } from './messages/index.ts';
import { FrameSplitter } from './splitter.ts';

const fixedNonce = { randomBytes: () => exampleGcmNonce };

describe('fixtures', () => {
  test('when the fixtures are listed, then every message kind has one, each name once, and ERROR also BUSY', () => {
    const kinds = [...new Set(fixtures.map((f) => f.message.kind))].sort();
    assert.deepEqual(kinds, (Object.keys(messageTypeOf) as MessageKind[]).sort());
    const names = fixtures.map((f) => f.name);
    assert.equal(new Set(names).size, names.length);
    // Only ERROR has a second fixture: BUSY, whose retry-after field no other code carries.
    assert.equal(names.length, kinds.length + 1);
    assert.ok(fixtures.some((f) => f.message.kind === 'error' && f.message.code === 'BUSY'));
  });

  for (const fixture of fixtures) {
    describe(fixture.name, () => {
      const bytes = fromHex(fixture.hex);

      test('when its bytes are decoded, then they give the fixture message and header', () => {
        const decoded = decodeFrame(bytes, fixture.keys);
        assert.ok(decoded.ok, decoded.ok ? '' : `${decoded.error.code}: ${decoded.error.message}`);
        assert.deepEqual(decoded.value.message, fixture.message);
        assert.equal(decoded.value.deviceId, fixture.deviceId);
        assert.equal(decoded.value.sequence, fixture.sequence);
        assert.equal(decoded.value.timestampMs, fixture.timestampMs);
        assert.equal(decoded.value.type, messageTypeOf[fixture.message.kind]);
      });

      test('when its message is encoded, then the hex matches byte for byte', () => {
        assert.equal(toHex(encodeFrame(fixture.message, fixture, fixture.keys, fixedNonce)), fixture.hex);
      });

      test('when its keys are prepared once as KeyObjects, then the bytes are the same and decode alike', () => {
        const prepared = {
          macKey: prepareKey(fixture.keys.macKey as Uint8Array),
          ...(fixture.keys.sessionKey === undefined
            ? {}
            : { sessionKey: prepareKey(fixture.keys.sessionKey as Uint8Array) }),
        };
        assert.equal(toHex(encodeFrame(fixture.message, fixture, prepared, fixedNonce)), fixture.hex);
        const decoded = decodeFrame(bytes, prepared);
        assert.ok(decoded.ok);
        assert.deepEqual(decoded.value.message, fixture.message);
        const forged = Uint8Array.from(bytes);
        forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1;
        const refused = decodeFrame(forged, prepared);
        assert.equal(refused.ok ? 'ok' : refused.error.code, 'BAD_MAC');
      });

      test('when its message is encoded and decoded, then it comes back equal', () => {
        const again = decodeFrame(encodeFrame(fixture.message, fixture, fixture.keys), fixture.keys);
        assert.ok(again.ok);
        assert.deepEqual(again.value.message, fixture.message);
      });

      if (!encryptedMessageTypes.has(messageTypeOf[fixture.message.kind])) {
        test('when its payload alone is serialized and parsed, then it comes back equal', () => {
          const payload = serializePayload(fixture.message);
          assert.equal(toHex(payload), fixture.hex.slice(46, -32));
          const parsed = parsePayload(messageTypeOf[fixture.message.kind], payload);
          assert.ok(parsed.ok);
          assert.deepEqual(parsed.value, fixture.message);
        });
      }

      test('when it reaches the splitter cut at every offset, then exactly this frame comes out', () => {
        for (let cut = 0; cut <= bytes.byteLength; cut++) {
          const splitter = new FrameSplitter();
          const first = splitter.push(bytes.subarray(0, cut));
          const second = splitter.push(bytes.subarray(cut));
          assert.equal(first.error, undefined);
          assert.equal(second.error, undefined);
          const frames = [...first.frames, ...second.frames];
          assert.equal(frames.length, 1, `cut at ${cut}`);
          assert.equal(toHex(frames[0] ?? new Uint8Array()), fixture.hex, `cut at ${cut}`);
          assert.equal(splitter.midFrame, false);
          assert.equal(splitter.end(), undefined);
        }
      });

      test('when it reaches the splitter one byte at a time, then it comes out once, at the last byte', () => {
        const splitter = new FrameSplitter();
        for (let i = 0; i < bytes.byteLength; i++) {
          const { frames, error } = splitter.push(bytes.subarray(i, i + 1));
          assert.equal(error, undefined);
          assert.equal(frames.length, i === bytes.byteLength - 1 ? 1 : 0);
        }
      });
    });
  }

  test('when all fixtures arrive in one chunk, then the splitter yields them all in order', () => {
    const all = fromHex(fixtures.map((f) => f.hex).join(''));
    const { frames, error } = new FrameSplitter().push(all);
    assert.equal(error, undefined);
    assert.deepEqual(
      frames.map((f) => toHex(f)),
      fixtures.map((f) => f.hex),
    );
  });
});
