import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { checkZipBounds } from './zip-bounds.ts';

const mib = 1024 * 1024;

/** A zip of deflated parts, each with the inflated size its headers claim (the truth unless given). */
function zip(parts: { name: string; content: Buffer; claimedSize?: number }[]): Buffer {
  const locals: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const name = Buffer.from(part.name);
    const data = deflateRawSync(part.content);
    const size = part.claimedSize ?? part.content.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(size, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    directory.push(entry, name);
    offset += local.length + name.length + data.length;
  }
  const directoryBytes = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directoryBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directoryBytes, end]);
}

test('when a workbook is an ordinary .xlsx, then it is within bounds', async () => {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('名单');
  for (let i = 0; i < 2_000; i++) sheet.addRow([`2024${String(i).padStart(6, '0')}`, 12.5, '餐补']);
  const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
  assert.equal(checkZipBounds(bytes, 64 * mib), null);
  assert.equal(checkZipBounds(bytes, 1024), 'TOO_LARGE');
});

test('when a part inflates past the limit, then it is refused whether its header tells the truth or not', () => {
  const bomb = Buffer.alloc(32 * mib);
  assert.equal(checkZipBounds(zip([{ name: 'xl/a.xml', content: bomb }]), 16 * mib), 'TOO_LARGE');
  // The header claims 1 KiB; inflating stops at 1 KiB and the file is refused.
  assert.equal(
    checkZipBounds(zip([{ name: 'xl/a.xml', content: bomb, claimedSize: 1024 }]), 16 * mib),
    'TOO_LARGE',
  );
  // Parts each under the limit, together over it.
  const parts = [1, 2, 3].map((n) => ({ name: `xl/${n}.xml`, content: Buffer.alloc(6 * mib) }));
  assert.equal(checkZipBounds(zip(parts), 16 * mib), 'TOO_LARGE');
  assert.equal(checkZipBounds(zip(parts), 20 * mib), null);
});

test('when the bytes are not a zip or it is cut short, then it is refused as not a zip', () => {
  assert.equal(checkZipBounds(Buffer.from('not a zip at all, just text'), mib), 'NOT_A_ZIP');
  assert.equal(checkZipBounds(Buffer.alloc(0), mib), 'NOT_A_ZIP');
  const whole = zip([{ name: 'a.xml', content: Buffer.from('<a/>'.repeat(1000)) }]);
  const damaged = Buffer.from(whole);
  damaged.writeUInt32LE(0xffff_fff0, damaged.length - 22 + 16);
  assert.equal(checkZipBounds(damaged, mib), 'NOT_A_ZIP');
});
