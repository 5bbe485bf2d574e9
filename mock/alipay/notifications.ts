import type { KeyObject } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { type Faults, OUT_OF_ORDER_HOLD_MS } from './faults.ts';
import { rsa2Sign, signContent } from './signing.ts';

/**
 * Delivers asynchronous notifications the way Alipay does: a form-encoded POST to the trade's
 * notify_url, RSA2-signed with the platform key over every field but `sign` and `sign_type`. Only the
 * plain answer `success` ends it; anything else (or no answer) is retried on Alipay's schedule, 8
 * attempts over about 25 h. `retryScale` shrinks the schedule so tests can watch every retry.
 */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  4 * 60_000,
  10 * 60_000,
  10 * 60_000,
  3_600_000,
  2 * 3_600_000,
  6 * 3_600_000,
  15 * 3_600_000,
];
export const DELIVERY_TIMEOUT_MS = 5_000;
export const DELIVERIES_LOGGED_MAX = 10_000;
/** The receiver's answer is read only this far: `success` is all it may say. */
const ANSWER_CHARS_MAX = 64;

export interface Notification {
  notifyUrl: string;
  outTradeNo: string;
  /** The notification's fields, without notify_id, sign_type and sign. */
  fields: Record<string, string>;
  faults: Faults;
}

export interface DeliveryAttempt {
  notifyId: string;
  outTradeNo: string;
  tradeStatus: string;
  /** 1 for the first try; 2 onwards are retries. */
  attempt: number;
  atMs: number;
  /** HTTP status, or 0 when the receiver did not answer. */
  status: number;
  /** The receiver's answer, cut to 64 characters. */
  answer: string;
  /** True when the answer was `success`, which ends the retries. */
  acknowledged: boolean;
}

export interface NotifierOptions {
  /** The platform key notifications to this app are signed with (its certificate's, in cert mode). */
  platformKey: (appId: string) => KeyObject;
  /** A key that is not the platform's, for the badSignature fault. */
  foreignKey: KeyObject;
  now: () => number;
  /** Multiplies every retry delay; 1 is Alipay's real schedule. */
  retryScale: number;
  /** How long the outOfOrder fault holds a notification that no newer one overtakes. */
  outOfOrderHoldMs?: number;
}

interface Envelope {
  notifyId: string;
  body: string;
  notification: Notification;
}

export class Notifier {
  readonly attempts: DeliveryAttempt[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Per order, the notification held back by the outOfOrder fault, with its release timer. */
  readonly #held = new Map<string, { envelope: Envelope; timer: NodeJS.Timeout }>();
  readonly #options: NotifierOptions;
  #closed = false;

  constructor(options: NotifierOptions) {
    this.#options = options;
  }

  send(notification: Notification): void {
    const envelope = this.#envelope(notification);
    const held = this.#held.get(notification.outTradeNo);
    if (held !== undefined) {
      // The newer notification goes first, the held one right after it: the receiver sees them reversed.
      this.#held.delete(notification.outTradeNo);
      clearTimeout(held.timer);
      this.#timers.delete(held.timer);
      this.#start(envelope, () => this.#start(held.envelope));
      return;
    }
    if (notification.faults.outOfOrder) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#held.delete(notification.outTradeNo);
        this.#start(envelope);
      }, this.#options.outOfOrderHoldMs ?? OUT_OF_ORDER_HOLD_MS);
      this.#timers.add(timer);
      this.#held.set(notification.outTradeNo, { envelope, timer });
      return;
    }
    this.#start(envelope);
  }

  /** Stops every pending delivery; the stand-in's close calls this so tests end cleanly. */
  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#held.clear();
  }

  /** Starts a notification's deliveries; `afterFirst` runs once its first attempt has been answered. */
  #start(envelope: Envelope, afterFirst?: () => void): void {
    const { faults } = envelope.notification;
    const copies = faults.duplicate ? 2 : 1;
    for (let copy = 0; copy < copies; copy++)
      this.#schedule(envelope, 1, (faults.delayMs ?? 0) + copy, copy === 0 ? afterFirst : undefined);
  }

  #envelope(notification: Notification): Envelope {
    const notifyId = randomBytes(17).toString('hex');
    const fields: Record<string, string> = {
      ...notification.fields,
      notify_id: notifyId,
      charset: 'utf-8',
      version: '1.0',
    };
    // Alipay drops empty fields; the SDK would sign them as `key=` and fail, so none are sent.
    for (const key of Object.keys(fields)) if (fields[key] === '') delete fields[key];
    const key = notification.faults.badSignature
      ? this.#options.foreignKey
      : this.#options.platformKey(fields.app_id ?? '');
    const sign = rsa2Sign(key, signContent(fields, ['sign', 'sign_type']));
    const body = new URLSearchParams({ ...fields, sign_type: 'RSA2', sign }).toString();
    return { notifyId, body, notification };
  }

  #schedule(envelope: Envelope, attempt: number, delayMs: number, afterFirst?: () => void): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.#deliver(envelope, attempt).then(afterFirst);
    }, delayMs);
    this.#timers.add(timer);
  }

  async #deliver(envelope: Envelope, attempt: number): Promise<void> {
    let status = 0;
    let answer = '';
    try {
      const response = await fetch(envelope.notification.notifyUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: envelope.body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      status = response.status;
      answer = (await response.text()).slice(0, ANSWER_CHARS_MAX);
    } catch {
      status = 0;
    }
    const acknowledged = status === 200 && answer.trim() === 'success';
    if (this.attempts.length >= DELIVERIES_LOGGED_MAX) this.attempts.shift();
    this.attempts.push({
      notifyId: envelope.notifyId,
      outTradeNo: envelope.notification.outTradeNo,
      tradeStatus: envelope.notification.fields.trade_status ?? '',
      attempt,
      atMs: this.#options.now(),
      status,
      answer,
      acknowledged,
    });
    if (acknowledged) return;
    const delayMs = RETRY_SCHEDULE_MS[attempt - 1];
    if (delayMs === undefined) return;
    this.#schedule(envelope, attempt + 1, delayMs * this.#options.retryScale);
  }
}
