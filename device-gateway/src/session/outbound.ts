// The frames a session writes to its socket: encoded under the session's keys (or the anonymous key), the
// frames of one tick gathered into one write, and a device that does not read its socket dropped.

import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../metrics.ts';
import {
  anonymousKey,
  type Envelope,
  encodeFrame,
  type FrameKeys,
  FrameMacKey,
  frameBytesMax,
  type Message,
  outboundFramesMax,
} from '../protocol/index.ts';

/** The anonymous key, prepared once. */
const anonymousKeys: FrameKeys = { macKey: new FrameMacKey(anonymousKey) };

/** Bytes a device may leave unread before it is dropped rather than queued for. */
const outboundBytesMax = outboundFramesMax * frameBytesMax;

export class Outbound {
  /** Frames written since the socket was corked; they leave in one write when the tick's work is done. */
  private corked = false;

  constructor(
    private readonly socket: Socket,
    private readonly log: Logger,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** Writes one frame; without keys it goes out under the anonymous key. `deviceId` is only for the log. */
  write(
    message: Message,
    envelope: Envelope,
    keys: FrameKeys | undefined,
    deviceId: number | undefined,
  ): void {
    // Frames sent within one tick (answers resolved together, a refusal and a push) leave in one write:
    // corked now, uncorked once the tick's callbacks and promise reactions have run.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(encodeFrame(message, envelope, keys ?? anonymousKeys));
    if (this.socket.writableLength > outboundBytesMax) {
      this.log.warn({ deviceId }, 'device does not read its socket; dropping it');
      this.metrics.inc('dropped_unread_output');
      this.socket.destroy();
    }
  }
}
