// Cuts a TCP byte stream into frames. Chunks may split a frame anywhere, or carry many frames. The
// declared length is checked against `frameBytesMax` as soon as its two bytes arrive, before any payload is
// buffered, so a peer cannot make the gateway hold more than one maximum frame per connection. An idle
// connection holds no buffer at all: a frame's buffer exists only while that frame is arriving.

import { ProtocolError } from './errors.ts';
import { checkDeclaredLength } from './frame.ts';
import { magicBytes, prefixBytes } from './limits.ts';
import { pooledBytes } from './pooled.ts';

export interface SplitResult {
  /** Whole frames, in order, each its own copy. */
  readonly frames: Uint8Array[];
  /**
   * Set once framing is lost (BAD_MAGIC, FRAME_TOO_LARGE, FRAME_TOO_SMALL): the stream cannot be
   * resynchronised, so the session answers with ERROR and closes. Frames completed before it are returned.
   */
  readonly error?: ProtocolError;
}

export class FrameSplitter {
  private readonly prefix = new Uint8Array(prefixBytes);
  private prefixFilled = 0;
  private frame: Uint8Array | undefined;
  private frameFilled = 0;
  private failure: ProtocolError | undefined;

  /** True while part of a frame is buffered; the session times out a frame that never completes. */
  get midFrame(): boolean {
    return this.prefixFilled > 0 || this.frame !== undefined;
  }

  get bufferedBytes(): number {
    return this.frame === undefined ? this.prefixFilled : this.frameFilled;
  }

  /** Once an error is returned, every later push returns the same error and no frames. */
  push(chunk: Uint8Array): SplitResult {
    const frames: Uint8Array[] = [];
    if (this.failure !== undefined) return { frames, error: this.failure };
    let offset = 0;
    while (offset < chunk.byteLength) {
      if (this.frame === undefined) {
        const take = Math.min(prefixBytes - this.prefixFilled, chunk.byteLength - offset);
        this.prefix.set(chunk.subarray(offset, offset + take), this.prefixFilled);
        this.prefixFilled += take;
        offset += take;
        const error = this.checkPrefix();
        if (error !== undefined) return this.fail(frames, error);
        if (this.prefixFilled < prefixBytes) break;
        // Every byte is written before the frame is handed out (pooled.ts).
        this.frame = pooledBytes(((this.prefix[3] ?? 0) << 8) | (this.prefix[4] ?? 0));
        this.frame.set(this.prefix, 0);
        this.frameFilled = prefixBytes;
        this.prefixFilled = 0;
      }
      const take = Math.min(this.frame.byteLength - this.frameFilled, chunk.byteLength - offset);
      this.frame.set(chunk.subarray(offset, offset + take), this.frameFilled);
      this.frameFilled += take;
      offset += take;
      if (this.frameFilled === this.frame.byteLength) {
        frames.push(this.frame);
        this.frame = undefined;
        this.frameFilled = 0;
      }
    }
    return { frames };
  }

  /** The stream ended: TRUNCATED if it stopped inside a frame. */
  end(): ProtocolError | undefined {
    if (this.failure !== undefined) return this.failure;
    if (!this.midFrame) return undefined;
    return this.fail(
      [],
      new ProtocolError('TRUNCATED', `the stream ended ${this.bufferedBytes} bytes into a frame`),
    ).error;
  }

  /** Magic is checked byte by byte, so garbage is refused at its first byte rather than after five. */
  private checkPrefix(): ProtocolError | undefined {
    for (let i = 0; i < Math.min(this.prefixFilled, magicBytes.length); i++) {
      if (this.prefix[i] !== magicBytes[i])
        return new ProtocolError('BAD_MAGIC', 'the frame does not start with CA CD');
    }
    if (this.prefixFilled < prefixBytes) return undefined;
    try {
      checkDeclaredLength(((this.prefix[3] ?? 0) << 8) | (this.prefix[4] ?? 0));
      return undefined;
    } catch (error) {
      if (error instanceof ProtocolError) return error;
      throw error;
    }
  }

  private fail(frames: Uint8Array[], error: ProtocolError): SplitResult {
    this.failure = error;
    this.frame = undefined;
    this.frameFilled = 0;
    this.prefixFilled = 0;
    return { frames, error };
  }
}
