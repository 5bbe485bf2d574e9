import { randomUUID } from 'node:crypto';
import { encryptResource, tamper } from './aead.ts';
import { shanghaiTime } from './certificates.ts';
import { type Faults, STALE_TIMESTAMP_OFFSET_SECONDS } from './faults.ts';
import { type Platform, signedHeaders } from './signing.ts';

/**
 * Delivers notifications the way WeChat does: a signed POST of the v3 envelope with the resource
 * encrypted under the merchant's APIv3 key; anything but 2xx (or no answer) is retried on WeChat's
 * schedule, then given up. `scale` shrinks the schedule so tests can watch every retry.
 */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  15_000, 15_000, 30_000, 180_000, 600_000, 1_200_000, 1_800_000, 1_800_000, 1_800_000, 3_600_000, 10_800_000,
  10_800_000, 10_800_000, 21_600_000, 21_600_000,
];
export const DELIVERY_TIMEOUT_MS = 5_000;
export const DELIVERIES_LOGGED_MAX = 10_000;

export type EventType = 'TRANSACTION.SUCCESS' | 'REFUND.SUCCESS' | 'REFUND.ABNORMAL' | 'REFUND.CLOSED';

export interface Notification {
  notifyUrl: string;
  eventType: EventType;
  /** `transaction` or `refund`: both the original_type and the associated_data. */
  originalType: 'transaction' | 'refund';
  summary: string;
  resource: object;
  apiV3Key: string;
  outTradeNo: string;
  faults: Faults;
}

export interface DeliveryAttempt {
  notificationId: string;
  eventType: EventType;
  outTradeNo: string;
  /** 1 for the first try; 2 onwards are retries. */
  attempt: number;
  atMs: number;
  /** HTTP status, or 0 when the receiver did not answer. */
  status: number;
}

export interface NotifierOptions {
  platform: Platform;
  now: () => number;
  /** Multiplies every retry delay; 1 is WeChat's real schedule, 0.001 turns 15 s into 15 ms. */
  retryScale: number;
}

export class Notifier {
  readonly attempts: DeliveryAttempt[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #options: NotifierOptions;
  #closed = false;

  constructor(options: NotifierOptions) {
    this.#options = options;
  }

  send(notification: Notification): void {
    const copies = notification.faults.duplicate ? 2 : 1;
    // Every copy is one and the same notification (same id, same resource), as a duplicate from WeChat is.
    const envelope = this.#envelope(notification);
    for (let copy = 0; copy < copies; copy++) {
      this.#schedule(notification, envelope, 1, notification.faults.delayMs ?? 0);
    }
  }

  /** Stops every pending delivery; the stand-in's close calls this so tests end cleanly. */
  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #envelope(notification: Notification): { id: string; body: string } {
    const id = randomUUID();
    let resource = encryptResource(
      notification.apiV3Key,
      JSON.stringify(notification.resource),
      notification.originalType,
    );
    if (notification.faults.tamperedCiphertext) resource = tamper(resource);
    const body = JSON.stringify({
      id,
      create_time: shanghaiTime(new Date(this.#options.now())),
      resource_type: 'encrypt-resource',
      event_type: notification.eventType,
      summary: notification.summary,
      resource: { original_type: notification.originalType, ...resource },
    });
    return { id, body };
  }

  #schedule(
    notification: Notification,
    envelope: { id: string; body: string },
    attempt: number,
    delayMs: number,
  ) {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.#deliver(notification, envelope, attempt);
    }, delayMs);
    this.#timers.add(timer);
  }

  async #deliver(notification: Notification, envelope: { id: string; body: string }, attempt: number) {
    const { faults } = notification;
    // Headers are signed afresh on every attempt, as each retry is a new request.
    const headers = signedHeaders(this.#options.platform, envelope.body, this.#options.now(), {
      badSignature: faults.badSignature === true,
      timestampOffsetSeconds: faults.staleTimestamp ? STALE_TIMESTAMP_OFFSET_SECONDS : 0,
    });
    let status = 0;
    try {
      const response = await fetch(notification.notifyUrl, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json', 'User-Agent': 'Mozilla/4.0' },
        body: envelope.body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      status = response.status;
      await response.arrayBuffer();
    } catch {
      status = 0;
    }
    if (this.attempts.length >= DELIVERIES_LOGGED_MAX) this.attempts.shift();
    this.attempts.push({
      notificationId: envelope.id,
      eventType: notification.eventType,
      outTradeNo: notification.outTradeNo,
      attempt,
      atMs: this.#options.now(),
      status,
    });
    if (status >= 200 && status < 300) return;
    const delayMs = RETRY_SCHEDULE_MS[attempt - 1];
    if (delayMs === undefined) return;
    this.#schedule(notification, envelope, attempt + 1, delayMs * this.#options.retryScale);
  }
}
