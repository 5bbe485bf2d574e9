import type { CardActivity } from '@campus-card/core/client';
import type { Logger } from '@campus-card/core/log';
import { createRedis, redisNames } from '@campus-card/core/redis';
import { z } from 'zod';

/** Where card activity comes from: a subscription that can be ended. */
export type ActivitySource = (listener: (activity: CardActivity) => void) => Promise<() => Promise<void>>;

const balances = z.object({ main: z.number().int(), subsidy: z.number().int() }).passthrough();
const activitySchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('operation'),
    cardNo: z.string().min(1).max(32),
    kind: z.string().max(32),
    operationId: z.string().max(128),
    amount: z.number().int(),
    balance: balances.optional(),
    holdId: z.string().max(128).optional(),
    merchantId: z.string().max(64).optional(),
    atMs: z.number().int(),
  }),
  z.object({
    type: z.literal('card'),
    cardNo: z.string().min(1).max(32),
    status: z.string().max(16),
    version: z.number().int(),
    atMs: z.number().int(),
  }),
  z.object({
    type: z.literal('notice'),
    cardNo: z.string().min(1).max(32),
    noticeId: z.string().max(26),
    kind: z.string().max(24),
    title: z.string().max(128),
    atMs: z.number().int(),
  }),
]);

/**
 * The core's card activity over Redis, on the deployment's channel (REDIS_PREFIX, the same as its core's).
 * A message that does not parse is dropped and counted in the log, never delivered half-read.
 */
export function redisActivitySource(redisUrl: string, redisPrefix: string, log: Logger): ActivitySource {
  return async (listener) => {
    const subscriber = createRedis(redisUrl, { maxRetriesPerRequest: 2 });
    subscriber.on('error', (error) =>
      log.warn({ err: { message: error.message } }, 'activity subscriber error'),
    );
    subscriber.on('message', (_channel: string, message: string) => {
      let parsed: ReturnType<typeof activitySchema.safeParse>;
      try {
        parsed = activitySchema.safeParse(JSON.parse(message));
      } catch {
        log.warn('card activity message is not JSON');
        return;
      }
      if (parsed.success) listener(parsed.data as CardActivity);
      else log.warn('card activity message has an unexpected shape');
    });
    await subscriber.subscribe(redisNames(redisPrefix).channels.cardActivity);
    return async () => {
      await subscriber.quit();
    };
  };
}
