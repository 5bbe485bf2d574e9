import type { CoreClient, NewsAnnouncement } from '@campus-card/core/client';
import { audienceSchema } from '@campus-card/core/contract';
import type { Logger } from '@campus-card/core/log';
import { createRedis, redisNames } from '@campus-card/core/redis';
import { z } from 'zod';
import type { Kv } from '../kv/index.ts';

/**
 * News reaching the open mini-programs of its audience. The core announces an item once, as one
 * message whatever the audience's size (Redis channel cc:news); every BFF instance hears it and sends
 * it to the live views it holds whose person is in the audience. Each view's person (type, department,
 * class, grade) is looked up when its ticket is made and travels with the ticket, so delivering is a loop
 * over the open views with no lookup at all.
 */

/** Who a person is, as audiences see them. */
export interface AudienceProfile {
  personType: string;
  department: string | null;
  classCode: string | null;
  /** The grade (年级) as an enrolment year; absent in a profile cached before grades existed. */
  enrolYear?: number | null;
  /** The campus of the person's dorm building; absent in a profile cached before campuses were audiences. */
  campusId?: string | null;
}

const announcementSchema = z.object({
  type: z.literal('news'),
  id: z.string().min(1).max(26),
  title: z.string().max(200),
  excerpt: z.string().max(200),
  audience: audienceSchema,
  publishAtMs: z.number().int(),
  atMs: z.number().int(),
});

/** The same rule as the core's SQL (core/src/content/audience.ts), for one person. */
export function inAudience(audience: NewsAnnouncement['audience'], person: AudienceProfile): boolean {
  switch (audience.type) {
    case 'all':
      return true;
    case 'students':
      return person.personType === 'student';
    case 'staff':
      return person.personType === 'staff';
    case 'department':
      return person.department === audience.value;
    case 'class':
      return person.classCode === audience.value;
    case 'grade':
      return person.personType === 'student' && String(person.enrolYear ?? '') === audience.value;
    case 'campus':
      return (person.campusId ?? null) === audience.value;
  }
}

interface NewsWatcher {
  profile: AudienceProfile;
  send(message: string): void;
}

/** The open views at this instance that hear news, each with its person's profile. */
export class NewsListeners {
  readonly #watchers = new Set<NewsWatcher>();

  get size(): number {
    return this.#watchers.size;
  }

  add(profile: AudienceProfile, send: (message: string) => void): () => void {
    const watcher = { profile, send };
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  /** Sends one item to every view whose person is in its audience; answers how many got it. */
  deliver(announcement: NewsAnnouncement): number {
    const message = JSON.stringify({
      type: 'news',
      news: {
        id: announcement.id,
        title: announcement.title,
        excerpt: announcement.excerpt,
        publishAtMs: announcement.publishAtMs,
      },
    });
    let sent = 0;
    for (const watcher of this.#watchers)
      if (inAudience(announcement.audience, watcher.profile)) {
        watcher.send(message);
        sent += 1;
      }
    return sent;
  }
}

/** How long a person's profile is reused for new tickets (a class or department change shows after). */
const profileCacheMs = 10 * 60_000;

/** Each person's audience profile, from the core, kept in the kv a while (a reconnect costs no call). */
export class AudienceProfiles {
  constructor(
    private readonly core: CoreClient,
    private readonly kv: Kv,
  ) {}

  async of(personNo: string): Promise<AudienceProfile> {
    const key = `audience-profile:${personNo}`;
    const cached = await this.kv.get(key);
    if (cached !== null) return JSON.parse(cached) as AudienceProfile;
    const { personType, department, classCode, enrolYear, campusId } =
      await this.core.audienceProfile(personNo);
    const profile: AudienceProfile = { personType, department, classCode, enrolYear, campusId };
    await this.kv.set(key, JSON.stringify(profile), profileCacheMs);
    return profile;
  }
}

/** Where news announcements come from: a subscription that can be ended. */
export type NewsSource = (listener: (announcement: NewsAnnouncement) => void) => Promise<() => Promise<void>>;

/**
 * The core's announcements over Redis, on the deployment's news channel (REDIS_PREFIX); a message that does
 * not parse is dropped and logged.
 */
export function redisNewsSource(redisUrl: string, redisPrefix: string, log: Logger): NewsSource {
  return async (listener) => {
    const subscriber = createRedis(redisUrl, { maxRetriesPerRequest: 2 });
    subscriber.on('error', (error) => log.warn({ err: { message: error.message } }, 'news subscriber error'));
    subscriber.on('message', (_channel: string, message: string) => {
      let parsed: ReturnType<typeof announcementSchema.safeParse>;
      try {
        parsed = announcementSchema.safeParse(JSON.parse(message));
      } catch {
        log.warn('news message is not JSON');
        return;
      }
      if (parsed.success) listener(parsed.data as NewsAnnouncement);
      else log.warn('news message has an unexpected shape');
    });
    await subscriber.subscribe(redisNames(redisPrefix).channels.news);
    return async () => {
      await subscriber.quit();
    };
  };
}
