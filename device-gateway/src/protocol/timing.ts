// Timing and flow limits of the session, as docs/protocol.md § 10 states them. The codec does not use them;
// the gateway's session and the device simulators do, so both sides time out by the same clock.

/** The server closes a connection that has not completed sign-in by then (slow senders, half-open sockets). */
export const signInTimeoutMs = 10_000;

/** A device waits this long for CHALLENGE after connecting, and for SIGN_IN_ACCEPTED after SIGN_IN. */
export const signInStepTimeoutMs = 10_000;

/** Heartbeat interval assigned when the server's configuration does not say otherwise. */
export const heartbeatDefaultSeconds = 60;

/** The server marks a device offline and closes its socket after this many intervals without any frame. */
export const heartbeatsMissedMax = 3;

/** A device that gets no HEARTBEAT_ACK within this treats the connection as dead. */
export const heartbeatAckTimeoutMs = 10_000;

/** A device waits this long for the answer to any other request before retrying it. */
export const requestTimeoutMs = 5_000;

/** A device sends the same request at most this many times more before giving up or going offline. */
export const requestRetriesMax = 3;

/** Requests a device may have unanswered at once; more are answered RATE_LIMITED. */
export const requestsInFlightMax = 8;

/** Sustained requests a second one device may send; more are answered RATE_LIMITED. */
export const requestsPerSecondMax = 20;

/** Frames queued to one device; a device that does not read its socket is disconnected instead. */
export const outboundFramesMax = 64;

/** "Continues"-kind errors one connection may cause within `errorWindowMs` before it is closed. */
export const errorsPerWindowMax = 10;
export const errorWindowMs = 60_000;

/** A new request whose device timestamp is further than this from server time is refused with CLOCK_SKEW. */
export const clockSkewMsMax = 300_000;

/** A device whose clock differs from HEARTBEAT_ACK's server time by more than this sends CLOCK_SYNC. */
export const clockDriftMsMax = 5_000;

/** A device also sends CLOCK_SYNC this often. */
export const clockSyncIntervalMs = 3_600_000;

/** Once a frame has started arriving, the rest of it must arrive within this (slowloris guard). */
export const frameCompleteTimeoutMs = 10_000;

/** Reconnect back-off: first delay, doubling up to the maximum, each with up to 50 % random jitter added. */
export const reconnectDelayMsMin = 1_000;
export const reconnectDelayMsMax = 60_000;

/** After DEVICE_DISABLED a device waits at least this long before connecting again. */
export const disabledRetryDelayMs = 300_000;

/** The server keeps a blacklist snapshot at least this long, so a chunked download can finish. */
export const blacklistSnapshotRetentionMs = 600_000;

/** The server keeps the answer to every (device id, sequence) at least this long, for retries and late uploads. */
export const answerRetentionMs = 30 * 24 * 3_600_000;
