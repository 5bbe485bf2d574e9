import { randomBytes } from 'node:crypto';

/** The machine's Redis; every test keeps its keys under a prefix of its own (`redisPrefix()`). */
export const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test file shares, so parallel files never see each other's keys. */
export function redisPrefix(label = 'test'): string {
  return `cc-${label}-${randomBytes(6).toString('hex')}:`;
}
