// An .xlsx is a zip: a few hundred kilobytes can inflate to gigabytes (a "zip bomb"), and ExcelJS
// inflates every part in memory before it looks at a row. Before it does, each part is inflated here
// with a hard output limit, so a workbook that would grow past the limit is refused having cost at
// most that much memory, whatever sizes its headers claim.

import { inflateRawSync } from 'node:zlib';

const endOfDirectory = 0x06054b50;
const directoryEntry = 0x02014b50;
const localHeader = 0x04034b50;
const stored = 0;
const deflated = 8;

export type ZipRefusal = 'NOT_A_ZIP' | 'TOO_LARGE';

/**
 * Checks that the zip's parts inflate to at most inflatedBytesMax in all; null when they do, or why
 * not. Reads the central directory, then inflates each part with the part's share of what is left.
 */
export function checkZipBounds(zip: Buffer, inflatedBytesMax: number): ZipRefusal | null {
  const end = findEndOfDirectory(zip);
  if (end < 0) return 'NOT_A_ZIP';
  const entries = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  let left = inflatedBytesMax;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== directoryEntry) return 'NOT_A_ZIP';
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const declaredSize = zip.readUInt32LE(at + 24);
    const local = zip.readUInt32LE(at + 42);
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    if (declaredSize > left) return 'TOO_LARGE';
    if (local + 30 > zip.length || zip.readUInt32LE(local) !== localHeader) return 'NOT_A_ZIP';
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    if (start + compressedSize > zip.length) return 'NOT_A_ZIP';
    if (method === stored) {
      left -= compressedSize;
    } else if (method === deflated) {
      // The header's size is a claim: inflating with it as the limit proves it (or refuses the file).
      try {
        left -= inflateRawSync(zip.subarray(start, start + compressedSize), {
          maxOutputLength: Math.max(declaredSize, 1),
        }).length;
      } catch (error) {
        return (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'TOO_LARGE' : 'NOT_A_ZIP';
      }
    } else {
      return 'NOT_A_ZIP';
    }
    if (left < 0) return 'TOO_LARGE';
  }
  return null;
}

/** The end-of-central-directory record: the last 22 bytes, or earlier by a comment of up to 64 KiB. */
function findEndOfDirectory(zip: Buffer): number {
  for (let i = zip.length - 22; i >= 0 && i >= zip.length - 22 - 0xffff; i--)
    if (zip.readUInt32LE(i) === endOfDirectory) return i;
  return -1;
}
