import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.ts';
import type { MessageRepository } from './message-repository.ts';
import type { MessageService } from './message-service.ts';
import { type MessageChannel, type MessageSender, type OutboxRow, outboxMessageId } from './message-types.ts';
import { quietUntil } from './quiet-hours.ts';

export interface DeliveryOptions {
  /** Channels whose one-time consent is required per message (WeChat subscription messages). */
  consentChannels?: readonly MessageChannel[];
  leaseMs?: number;
  batchMax?: number;
  attemptsMax?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  now?: () => number;
}

/**
 * Delivers the outbox (sql/080). A row is claimed (lease; nothing sent, so an expired claim is taken
 * again), then marked sending before the request leaves: a worker that stops after that leaves the row
 * to become unknown, never sent twice. Quiet hours put it back to pending until they end; a definite
 * "not taken" is retried with exponential backoff up to attemptsMax.
 */
export class MessageDelivery {
  readonly owner = `msg-${randomBytes(6).toString('hex')}`;
  private readonly o: Required<Omit<DeliveryOptions, 'now'>> & { now: () => number };

  constructor(
    private readonly repo: MessageRepository,
    private readonly service: MessageService,
    private readonly senders: Partial<Record<MessageChannel, MessageSender>>,
    private readonly log: Logger,
    options: DeliveryOptions = {},
  ) {
    this.o = {
      consentChannels: options.consentChannels ?? ['wechat'],
      leaseMs: options.leaseMs ?? 60_000,
      batchMax: options.batchMax ?? 50,
      attemptsMax: options.attemptsMax ?? 6,
      backoffBaseMs: options.backoffBaseMs ?? 30_000,
      backoffMaxMs: options.backoffMaxMs ?? 3_600_000,
      now: options.now ?? Date.now,
    };
  }

  /** One pass: answers how many rows it finished (sent, refused, failed, skipped) or deferred. */
  async runOnce(): Promise<number> {
    const nowMs = this.o.now();
    await this.repo.abandonStaleSending(nowMs);
    const rows = await this.repo.claim(this.owner, nowMs, nowMs + this.o.leaseMs, this.o.batchMax);
    for (const row of rows) await this.deliver(row);
    return rows.length;
  }

  /** Tests only: the step after which a worker "stops" (between marking sending and recording). */
  afterSendHook?: (row: OutboxRow) => Promise<void>;

  private finish(
    row: OutboxRow,
    from: 'claimed' | 'sending',
    to: 'sent' | 'refused' | 'failed' | 'skipped' | 'unknown',
    lastError: string | null,
    attempts = row.attempts,
  ) {
    return this.repo.transition(row, this.owner, from, to, { lastError, attempts, nowMs: this.o.now() });
  }

  private async deliver(row: OutboxRow): Promise<void> {
    const nowMs = this.o.now();
    const prefs = await this.service.preferences(row.personId);
    if (prefs.optedOut.includes(row.kind)) {
      await this.finish(row, 'claimed', 'skipped', 'opted_out');
      return;
    }
    const until = quietUntil(nowMs, prefs.quietStartMin, prefs.quietEndMin);
    if (until !== undefined) {
      await this.repo.transition(row, this.owner, 'claimed', 'pending', {
        nextAtMs: until,
        lastError: 'quiet_hours',
        nowMs,
      });
      return;
    }
    const sender = this.senders[row.channel];
    const target = await this.service.targetOfRow(row);
    if (sender === undefined || target === undefined) {
      await this.finish(row, 'claimed', 'skipped', sender === undefined ? 'channel_off' : 'no_target');
      return;
    }
    const needsConsent = this.o.consentChannels.includes(row.channel);
    if (needsConsent && !(await this.repo.takeConsent(row.personId, row.channel, row.kind, nowMs))) {
      await this.finish(row, 'claimed', 'skipped', 'no_consent');
      return;
    }
    const attempts = row.attempts + 1;
    const marked = await this.repo.transition(row, this.owner, 'claimed', 'sending', {
      attempts,
      leaseUntilMs: nowMs + this.o.leaseMs,
      nowMs,
    });
    if (!marked) {
      if (needsConsent) await this.repo.returnConsent(row.personId, row.channel, row.kind, nowMs);
      return;
    }
    const sending = { ...row, attempts, status: 'sending' as const };
    const result = await sender.send(target, row.kind, row.payload, outboxMessageId(row));
    if (this.afterSendHook) await this.afterSendHook(sending);
    if (result.outcome === 'sent') {
      await this.finish(sending, 'sending', 'sent', null, attempts);
      return;
    }
    this.log.warn(
      { channel: row.channel, kind: row.kind, code: result.code, attempts },
      'message not delivered',
    );
    if (result.outcome === 'unknown') {
      await this.finish(sending, 'sending', 'unknown', result.code, attempts);
      return;
    }
    // The platform did not take it: the consent is still unused.
    if (needsConsent) await this.repo.returnConsent(row.personId, row.channel, row.kind, this.o.now());
    if (result.outcome === 'refused' || attempts >= this.o.attemptsMax) {
      await this.finish(
        sending,
        'sending',
        result.outcome === 'refused' ? 'refused' : 'failed',
        result.code,
        attempts,
      );
      return;
    }
    const backoffMs = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** (attempts - 1));
    await this.repo.transition(sending, this.owner, 'sending', 'pending', {
      attempts,
      nextAtMs: this.o.now() + backoffMs,
      lastError: result.code,
      nowMs: this.o.now(),
    });
  }
}
