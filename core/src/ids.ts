import { randomBytes } from 'node:crypto';

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32, as ULID uses.

/**
 * A 26-character ULID-shaped id: 48 bits of milliseconds, then 80 random bits. Ids sort by
 * creation time (InnoDB inserts stay at the end of the primary key) and need no central sequence,
 * so the schema moves to TiDB or Vitess unchanged.
 */
export function newId(nowMs: number = Date.now()): string {
  let time = '';
  let t = nowMs;
  for (let i = 0; i < 10; i++) {
    time = alphabet[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const random = randomBytes(16);
  let tail = '';
  for (let i = 0; i < 16; i++) tail += alphabet[(random[i] as number) % 32];
  return time + tail;
}
