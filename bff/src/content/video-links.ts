import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long a video link works: long enough to watch a lesson, short enough that a shared link dies. */
export const videoLinkTtlMs = 4 * 3_600_000;

/**
 * Signed, expiring links to a lesson's video. A <video> element (H5 or mini-program) cannot send an
 * Authorization header, so the signed-in phone asks for a link and the player fetches it with Range.
 * Keyed by VIDEO_LINK_SECRET, never the access tokens' JWT_SECRET: a link leaks with the video URL
 * (shared, logged by proxies), and its key must not be one that can mint sessions.
 */
export class VideoLinks {
  readonly #key: Buffer;

  constructor(secret: string) {
    this.#key = createHmac('sha256', secret).update('campus-card video links').digest();
  }

  make(lessonId: string, nowMs: number = Date.now()): string {
    const expiresAtMs = nowMs + videoLinkTtlMs;
    return `/api/v1/videos/${encodeURIComponent(lessonId)}?exp=${expiresAtMs}&sig=${this.#sign(lessonId, expiresAtMs)}`;
  }

  valid(lessonId: string, exp: string, sig: string, nowMs: number = Date.now()): boolean {
    const expiresAtMs = Number(exp);
    if (!Number.isSafeInteger(expiresAtMs) || expiresAtMs < nowMs || !/^[\w-]{43}$/.test(sig)) return false;
    return timingSafeEqual(Buffer.from(sig), Buffer.from(this.#sign(lessonId, expiresAtMs)));
  }

  #sign(lessonId: string, expiresAtMs: number): string {
    return createHmac('sha256', this.#key).update(`${lessonId}\n${expiresAtMs}`).digest('base64url');
  }
}
