import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';

/**
 * Person photos as academic-affairs (学生照片) and HR (教职工照片) systems keep them: a table of their own
 * beside the person table, one BLOB row per person, with the same updated_at watermark. The stand-in's
 * photos are small real PNGs drawn from the person number alone, so the same campus seed gives the same
 * bytes every time.
 */
const changed = 'updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)';
const table = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

export const academicPhotoSchema = [
  `CREATE TABLE student_photos (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    student_no VARCHAR(32) NOT NULL,
    photo MEDIUMBLOB NULL,
    ${changed},
    KEY student_photos_no (student_no),
    KEY student_photos_changed (updated_at, id)
  ) ${table}`,
];

export const hrPhotoSchema = [
  `CREATE TABLE staff_photos (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    staff_no VARCHAR(32) NOT NULL,
    photo MEDIUMBLOB NULL,
    ${changed},
    KEY staff_photos_no (staff_no),
    KEY staff_photos_changed (updated_at, id)
  ) ${table}`,
];

const width = 36;
const height = 48;

/**
 * A 36×48 RGB portrait placeholder: a background and a head-and-shoulders shape in colours taken from the
 * SHA-256 of the person number (and `version`, for a retaken photo). A real PNG, a few hundred bytes.
 */
export function portraitPng(personNo: string, version = 1): Buffer {
  const digest = createHash('sha256').update(`${personNo}/${version}`).digest();
  const colours = [digest.subarray(0, 3), digest.subarray(3, 6), digest.subarray(6, 9)];
  const raw = Buffer.alloc(height * (1 + width * 3)); // each row: filter byte 0 (none), then RGB
  for (let i = 0; i < shape.length; i++) {
    const at = Math.floor(i / width) * (1 + width * 3) + 1 + (i % width) * 3;
    raw.set(colours[shape[i] as number] as Buffer, at);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter method, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Per pixel, row by row: 0 background, 1 face (an ellipse), 2 shoulders. */
const shape = Uint8Array.from({ length: width * height }, (_, i) => {
  const [x, y] = [i % width, Math.floor(i / width)];
  if ((x - width / 2) ** 2 / 81 + (y - 17) ** 2 / 144 <= 1) return 1;
  return y >= 32 && Math.abs(x - width / 2) <= (y - 26) * 1.2 ? 2 : 0;
});

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (crcTable[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
