// Hex for fixtures, logs and docs/protocol.md: one format everywhere so the document's dumps can be checked
// against the codec byte for byte.

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** Parses hex, ignoring whitespace; throws on anything else, since its inputs are fixtures written by us. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`not hex: "${text.slice(0, 40)}"`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Sixteen bytes a line, offset first: "0000  ca cd 01 00 2b …". */
export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let offset = 0; offset < bytes.byteLength; offset += 16) {
    const row = [...bytes.subarray(offset, offset + 16)].map((b) => b.toString(16).padStart(2, '0'));
    lines.push(`${offset.toString(16).padStart(4, '0')}  ${row.join(' ')}`);
  }
  return lines.join('\n');
}

/** The bytes of a dump made by `hexDump` (offset columns dropped). */
export function fromHexDump(dump: string): Uint8Array {
  return fromHex(
    dump
      .split('\n')
      .map((line) => line.trim().replace(/^[0-9a-f]{4}\s{2}/, ''))
      .join(''),
  );
}
