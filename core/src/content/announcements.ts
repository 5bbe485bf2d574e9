import type { Audience } from './audience.ts';

/** A news item as the announcer tells it: one event for the whole audience, filtered at each BFF. */
export interface NewsAnnouncement {
  type: 'news';
  id: string;
  title: string;
  excerpt: string;
  audience: Audience;
  publishAtMs: number;
  atMs: number;
}
