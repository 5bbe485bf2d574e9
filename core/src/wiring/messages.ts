import { alipayCertificatesOf } from '../config/messages.ts';
import type { CoreConfig } from '../config.ts';
import { type Job, type JobLock, schedule } from '../jobs/scheduler.ts';
import type { Logger } from '../log.ts';
import { AlipayMessageSender } from '../messages/alipay-sender.ts';
import { MessageDelivery } from '../messages/message-delivery.ts';
import type { MessageRepository } from '../messages/message-repository.ts';
import type { MessageService } from '../messages/message-service.ts';
import type { MessageChannel, MessageKind, MessageSender } from '../messages/message-types.ts';
import { SmsSender } from '../messages/sms-sender.ts';
import { WechatMessageSender } from '../messages/wechat-sender.ts';

/** A template per kind; a kind without one is answered "refused" by the channel (never sent blank). */
type Templates<T> = Partial<Record<MessageKind, T>>;

/**
 * The senders of the channels MESSAGES_CHANNELS switches on, from the core's configuration
 * (loadConfig has checked each one's settings are there).
 */
export function messageSenders(
  config: CoreConfig,
  repo: MessageRepository,
): Partial<Record<MessageChannel, MessageSender>> {
  const senders: Partial<Record<MessageChannel, MessageSender>> = {};
  const t = config.messageTemplates;
  const on = (channel: MessageChannel) => config.messagesChannels.includes(channel);
  if (on('wechat'))
    senders.wechat = new WechatMessageSender(repo, {
      baseUrl: config.wechatApiUrl,
      appId: config.wechatAppId as string,
      appSecret: config.wechatAppSecret as string,
      templates: complete(t.wechat),
    });
  if (on('alipay'))
    senders.alipay = new AlipayMessageSender({
      appId: config.alipayAppId as string,
      privateKey: config.alipayPrivateKey as string,
      ...(alipayCertificatesOf(config)
        ? { certs: alipayCertificatesOf(config) }
        : { alipayPublicKey: config.alipayPublicKey }),
      gatewayUrl: config.alipayGatewayUrl,
      idMode: config.alipayIdType,
      templates: complete(t.alipay),
    });
  if (on('sms'))
    senders.sms = new SmsSender({
      endpoint: config.smsUrl,
      accessKeyId: config.smsAccessKeyId as string,
      accessKeySecret: config.smsAccessKeySecret as string,
      signName: config.smsSignName as string,
      templates: t.sms,
    });
  return senders;
}

/** A kind with no configured template gets an empty id, which the platform refuses for good. */
function complete(templates: Templates<{ id: string; keys: string[] }>) {
  return new Proxy(templates, {
    get: (target, kind: string) => target[kind as MessageKind] ?? { id: '', keys: [] },
  }) as Record<MessageKind, { id: string; keys: string[] }>;
}

/**
 * The delivery loop of the running core: every MESSAGES_INTERVAL_MS one pass over the outbox on the
 * shared scheduler, one instance per tick where several share Redis. Off (undefined) when no channel
 * is switched on.
 */
export function startMessageDelivery(
  config: CoreConfig,
  repo: MessageRepository,
  service: MessageService,
  log: Logger,
  lock?: JobLock,
): Job | undefined {
  if (config.messagesChannels.length === 0) return undefined;
  const delivery = new MessageDelivery(repo, service, messageSenders(config, repo), log, {
    batchMax: config.messagesBatchMax,
  });
  return schedule({
    name: 'message-delivery',
    everyMs: config.messagesIntervalMs,
    log,
    lock,
    // A full batch means more may be due: go on until a pass takes less than a batch.
    run: async () => {
      while ((await delivery.runOnce()) >= config.messagesBatchMax);
    },
  });
}
