// Everything around the card that is read more than written: showers and laundry, parents, notifications,
// news, courses, attendance and access records.
import type { ApiClient } from './request.ts';
import type {
  ChildView,
  Course,
  MeterSession,
  NewsItem,
  Notification,
  Page,
  PresenceRecord,
} from './types.ts';

export function listMeterSessions(api: ApiClient): Promise<Page<MeterSession>> {
  return api.request('GET', '/meter-sessions');
}

export function listChildren(api: ApiClient): Promise<{ children: readonly ChildView[] }> {
  return api.request('GET', '/children');
}

export function linkChild(api: ApiClient, invitationCode: string): Promise<ChildView> {
  return api.request('POST', '/children', { invitationCode: invitationCode.trim() });
}

export function setLowBalanceAlert(api: ApiClient, cardNo: string, threshold: number): Promise<void> {
  return api.request('PUT', `/children/${encodeURIComponent(cardNo)}/alert`, { threshold });
}

export function reportChildLost(api: ApiClient, cardNo: string): Promise<void> {
  return api.request('POST', `/children/${encodeURIComponent(cardNo)}/actions`, { action: 'report_loss' });
}

export function listNotifications(api: ApiClient, cursor?: string): Promise<Page<Notification>> {
  return api.request('GET', '/notifications', undefined, { query: { cursor } });
}

export function listNews(api: ApiClient, cursor?: string): Promise<Page<NewsItem>> {
  return api.request('GET', '/news', undefined, { query: { cursor } });
}

export function getNews(api: ApiClient, id: string): Promise<NewsItem> {
  return api.request('GET', `/news/${encodeURIComponent(id)}`);
}

export function markNewsRead(api: ApiClient, id: string): Promise<void> {
  return api.request('POST', `/news/${encodeURIComponent(id)}/read`);
}

export function listCourses(api: ApiClient): Promise<Page<Course>> {
  return api.request('GET', '/courses');
}

export function getCourse(api: ApiClient, id: string): Promise<Course> {
  return api.request('GET', `/courses/${encodeURIComponent(id)}`);
}

export function saveProgress(
  api: ApiClient,
  courseId: string,
  lessonId: string,
  seconds: number,
): Promise<void> {
  return api.request(
    'PUT',
    `/courses/${encodeURIComponent(courseId)}/lessons/${encodeURIComponent(lessonId)}/progress`,
    { positionSeconds: Math.floor(seconds) },
  );
}

export function listRecords(api: ApiClient, kind: 'attendance' | 'access'): Promise<Page<PresenceRecord>> {
  return api.request('GET', '/records', undefined, { query: { kind } });
}
