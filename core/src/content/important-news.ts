import type { MessageService } from '../messages/message-service.ts';
import { formatMinute } from '../time.ts';
import type { AudienceRepository } from './audience-repository.ts';
import type { ContentRepository } from './content-repository.ts';

/** Important items one check takes at most; the rest wait for the next. */
const batchMax = 20;

/**
 * News marked important, sent to its audience as a message outside the app (docs/messages.md): once
 * an important item's time has come (published now, scheduled and due, or marked important after it
 * was published), every active person of its audience bound in the WeChat or Alipay app gets a `news`
 * message under the key `news:<id>`, so once per person and channel however often this runs.
 * Opt-outs are applied as the messages are queued, one-time consents and quiet hours as they are
 * delivered. The item is marked done only after its last reader was queued: a run that stopped half
 * way is run again and adds only what is missing. A withdrawn item is not sent.
 */
export class ImportantNews {
  constructor(
    private readonly repo: Pick<ContentRepository, 'importantDue' | 'markMessagesQueued'>,
    private readonly audiences: Pick<AudienceRepository, 'boundPeople'>,
    private readonly messages: Pick<MessageService, 'sendTo'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Queues the messages of every due important item; answers how many messages were added. */
  async queueDue(): Promise<number> {
    let added = 0;
    for (const item of await this.repo.importantDue(this.now(), batchMax)) {
      const event = {
        key: `news:${item.id}`,
        kind: 'news' as const,
        fields: [item.title, '重要通知，点击查看', formatMinute(item.publishAtMs)],
        page: 'pages/news/index',
      };
      for (const personId of await this.audiences.boundPeople(item.audience))
        added += (await this.messages.sendTo(personId, event)).queued.length;
      await this.repo.markMessagesQueued(item.id, this.now());
    }
    return added;
  }
}
