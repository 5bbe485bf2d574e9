// How long a device may take: to sign in, between heartbeats, to finish a frame it has begun.

import { frameCompleteTimeoutMs, heartbeatsMissedMax, signInTimeoutMs } from '../protocol/index.ts';

export interface SessionTimings {
  readonly signInTimeoutMs: number;
  readonly heartbeatIntervalSeconds: number;
  /** Silence after which the device counts as offline; normally heartbeatsMissedMax intervals. */
  readonly silenceTimeoutMs: number;
  readonly frameCompleteTimeoutMs: number;
}

export function defaultTimings(heartbeatIntervalSeconds: number): SessionTimings {
  return {
    signInTimeoutMs,
    heartbeatIntervalSeconds,
    silenceTimeoutMs: heartbeatIntervalSeconds * 1000 * heartbeatsMissedMax,
    frameCompleteTimeoutMs,
  };
}
