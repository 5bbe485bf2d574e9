import type { AttemptCounter, AttemptReservation, Kv } from './kv.ts';
import { MemoryKv } from './memory-kv.ts';
import { RedisKv } from './redis-kv.ts';

export type { AttemptCounter, AttemptReservation, Kv };

/** Redis when configured, else the in-process kv of the embedded default. */
export function openKv(redisUrl: string | undefined, prefix: string): Kv {
  return redisUrl ? new RedisKv(redisUrl, prefix) : new MemoryKv();
}
