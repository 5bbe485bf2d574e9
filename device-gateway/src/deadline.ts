// The deadline of a device's request (issue #20): the till gives up on an answer after its 5 s timeout
// (protocol § 10.3) and retries or falls back to offline, so an answer the gateway still waits for after that
// only makes the overload worse. Every core call a request makes carries the request's deadline (depsFor in
// handlers/context.ts, withCall in core/src/client/transport.ts): past it the call settles at once, as BUSY when
// nothing had left for the core, else as SERVICE_UNAVAILABLE (outcome unknown; the till's retry under the same
// sequence is the same ledger operation and learns it, charged at most once).

import { requestTimeoutMs } from './protocol/index.ts';

/**
 * Kept back from the till's timeout for what happens around the core call: the frame's way to the gateway and
 * the answer's way back, the Redis steps after the core answers (a code kept for the retry, a meal cap given
 * back), and a process that waits for a CPU.
 */
export const answerMarginMs = 1_500;

/** How long after its frame was read a request's core calls may take in all: 3.5 s of the till's 5 s. */
export const coreDeadlineMs = requestTimeoutMs - answerMarginMs;
