// Everything around the card that is read more than written: showers and laundry, notifications,
// news, courses, attendance and access records (parents: services/parents.ts).
import type { ApiClient } from './request.ts';
import type { Course, MeterSession, NewsItem, NotificationList, Page, PresenceRecord } from './types.ts';

export function listMeterSessions(api: ApiClient): Promise<Page<MeterSession>> {
  return api.request('GET', '/meter-sessions');
}

/** The latest 30 payments, top-ups, holds and card changes: what a missed live push would have said. */
export function listNotifications(api: ApiClient): Promise<NotificationList> {
  return api.request('GET', '/notifications');
}

export function markNotificationsSeen(api: ApiClient, upToMs: number): Promise<void> {
  return api.request('POST', '/notifications/seen', { upToMs });
}

export function listNews(
  api: ApiClient,
  cursor?: string,
): Promise<{ items: readonly NewsItem[]; nextCursor?: string }> {
  return api.request('GET', '/news', undefined, { query: { cursor } });
}

/** The item with its body; reading it marks it read. */
export function getNews(api: ApiClient, id: string): Promise<NewsItem> {
  return api.request('GET', `/news/${encodeURIComponent(id)}`);
}

export function listCourses(api: ApiClient): Promise<Page<Course>> {
  return api.request('GET', '/courses');
}

export function getCourse(api: ApiClient, id: string): Promise<Course> {
  return api.request('GET', `/courses/${encodeURIComponent(id)}`);
}

export function saveProgress(
  api: ApiClient,
  lessonId: string,
  seconds: number,
  completed = false,
): Promise<void> {
  return api.request('PUT', `/lessons/${encodeURIComponent(lessonId)}/progress`, {
    positionSeconds: Math.floor(seconds),
    ...(completed ? { completed } : {}),
  });
}

export function listRecords(api: ApiClient, kind: 'attendance' | 'access'): Promise<Page<PresenceRecord>> {
  return api.request('GET', '/records', undefined, { query: { kind } });
}
