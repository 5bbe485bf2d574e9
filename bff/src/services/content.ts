import type { CoreClient } from '@campus-card/core/client';
import type { VideoLinks } from '../content/video-links.ts';
import { decodeCursor, encodeCursor } from './bills.ts';

/** News and courses as one signed-in person sees them (audience, read marks, playback progress). */
export class ContentReader {
  constructor(
    private readonly core: CoreClient,
    private readonly links: VideoLinks,
  ) {}

  async news(personNo: string, query: { cursor?: string; limit: number }) {
    const page = await this.core.newsFor(personNo, {
      limit: query.limit,
      ...(query.cursor ? decodeCursor(query.cursor) : {}),
    });
    return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
  }

  newsItem(personNo: string, id: string) {
    return this.core.readNews(personNo, id);
  }

  async courses(personNo: string) {
    return this.core.coursesFor(personNo);
  }

  /** A course with its lessons; each lesson carries a signed link its player can fetch without headers. */
  async course(personNo: string, id: string) {
    const course = await this.core.courseFor(personNo, id);
    return {
      ...course,
      lessons: course.lessons.map(({ videoPath, videoUrl, ...lesson }) => ({
        ...lesson,
        videoUrl: videoUrl === null ? this.links.make(lesson.id) : playable(videoUrl),
      })),
    };
  }

  saveProgress(
    personNo: string,
    lessonId: string,
    progress: { positionSeconds: number; completed?: boolean },
  ) {
    return this.core.saveLessonProgress(lessonId, { personNo, ...progress });
  }
}

/**
 * A lesson's own URL as a player may open it: http(s) only, else null. The core refuses other schemes
 * when a lesson is saved; this also holds for lessons stored before that rule, or written behind it.
 */
function playable(url: string): string | null {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}
