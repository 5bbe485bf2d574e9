// docs/protocol.md is what vendors build from, so its hex dumps, vectors and code tables are checked against
// the codec: a change to either that is not made to the other fails here.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { MessageType, reasonCodes } from './codes.ts';
import { protocolErrorCodes } from './errors.ts';
import { fixtures, macVector, offlineRecordVector, signInVectors } from './fixtures.ts';
import { fromHex, fromHexDump, hexDump, toHex } from './hex.ts';
import { serializePayload } from './messages/index.ts';

const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');

/** The bytes of the ```text block that follows `<!-- marker: name -->`, or undefined. */
function dumpAfter(marker: 'fixture' | 'plaintext', name: string): Uint8Array | undefined {
  const match = new RegExp(`<!-- ${marker}: ${name} -->\\n\`\`\`text\\n([\\s\\S]*?)\\n\`\`\``).exec(doc);
  return match?.[1] === undefined ? undefined : fromHexDump(match[1]);
}

const hex = (value: number, digits: number): string =>
  `0x${value.toString(16).toUpperCase().padStart(digits, '0')}`;

/** Whether a table row starts with these two cells; the formatter pads cells with spaces. */
function hasRow(value: string, name: string): boolean {
  return doc.split('\n').some((line) => {
    const cells = line.split('|').map((cell) => cell.trim());
    return cells[0] === '' && cells[1] === value && cells[2] === `\`${name}\``;
  });
}

describe('docs/protocol.md', () => {
  for (const fixture of fixtures) {
    test(`when the document shows the ${fixture.name} example, then its bytes are the codec's`, () => {
      const expected = fromHex(fixture.hex);
      const shown = dumpAfter('fixture', fixture.name);
      assert.ok(
        shown,
        `no dump after <!-- fixture: ${fixture.name} -->; it should be:\n${hexDump(expected)}`,
      );
      assert.equal(toHex(shown), fixture.hex, `the dump should be:\n${hexDump(expected)}`);
    });
  }

  test('when the document shows a plaintext payload, then it is the serialized fixture message', () => {
    const names = [...doc.matchAll(/<!-- plaintext: (\w+) -->/g)].map((m) => m[1] ?? '');
    assert.ok(names.length >= 4);
    for (const name of names) {
      const fixture = fixtures.find((f) => f.name === name);
      assert.ok(fixture, name);
      const expected = serializePayload(fixture.message);
      assert.equal(
        toHex(dumpAfter('plaintext', name) ?? new Uint8Array()),
        toHex(expected),
        hexDump(expected),
      );
    }
  });

  test('when the document lists the test vectors, then they are the ones the tests check', () => {
    for (const value of [
      ...Object.values(macVector),
      ...Object.values(signInVectors),
      ...Object.values(offlineRecordVector),
    ]) {
      assert.ok(doc.includes(`\`${value}\``), value);
    }
  });

  test('when the document lists message types, then every type appears with its byte', () => {
    for (const [name, value] of Object.entries(MessageType)) {
      if (typeof value !== 'number') continue;
      assert.ok(hasRow(hex(value, 2), name), `${hex(value, 2)} ${name}`);
    }
  });

  test('when the document lists error codes, then every code appears with its value', () => {
    for (const [name, value] of Object.entries(protocolErrorCodes)) {
      assert.ok(hasRow(hex(value, 4), name), `${hex(value, 4)} ${name}`);
    }
  });

  test('when the document lists reason codes, then every reason appears with its byte', () => {
    for (const [name, value] of Object.entries(reasonCodes)) {
      assert.ok(hasRow(hex(value, 2), name), `${hex(value, 2)} ${name}`);
    }
  });
});
