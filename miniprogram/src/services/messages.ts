// 消息设置 and the one-time subscription consents (docs/messages.md): which messages reach the student
// outside the app, quiet hours, receipts and their own low-balance alert; before a top-up or a loss
// report the WeChat build asks wx.requestSubscribeMessage for the messages that will follow, the
// Alipay build my.requestSubscribeMessage, and the BFF records what was accepted. H5 has no such thing.
import type {
  GuardianPreferencesWire,
  MessagePreferencesWire,
  messageKindNames,
} from '@campus-card/core/contract';
import Taro from '@tarojs/taro';
import type { ApiClient } from './request.ts';

export type MessageKind = (typeof messageKindNames)[number];
export type MessagePreferences = MessagePreferencesWire;

export const messageKindList: readonly MessageKind[] = [
  'receipt',
  'low_balance',
  'card_status',
  'statement',
  'news',
  'hold_released',
  'attendance_week',
];

export const messagePreferences = (api: ApiClient): Promise<MessagePreferences> =>
  api.request('GET', '/messages/preferences');
export const saveMessagePreferences = (
  api: ApiClient,
  prefs: MessagePreferences,
): Promise<MessagePreferences> => api.request('PUT', '/messages/preferences', prefs);

/** A parent's own settings (家长消息设置): the kinds about their children turned off, quiet hours. */
export type ParentPreferences = GuardianPreferencesWire;
export const parentMessagePreferences = (api: ApiClient): Promise<ParentPreferences> =>
  api.request('GET', '/children/message-preferences');
export const saveParentMessagePreferences = (
  api: ApiClient,
  prefs: ParentPreferences,
): Promise<ParentPreferences> => api.request('PUT', '/children/message-preferences', prefs);

/** "22:00" ↔ minutes of the day. */
export const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};
export const hhmmOf = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

let templates: Record<string, string> | undefined;

/** Fetches the template ids once, when a page that may ask opens: the dialog must open straight from a tap. */
export function preloadMessageTemplates(api: ApiClient): void {
  if (process.env.TARO_ENV === 'h5' || templates !== undefined) return;
  api.request<Record<string, string>>('GET', '/messages/templates').then(
    (answer) => {
      templates = answer;
    },
    () => {},
  );
}

/** What a parent is sent about a child, asked when the parent sets the low-balance alert (docs/messages.md § Parents). */
export const parentMessageKinds: readonly MessageKind[] = ['low_balance', 'card_status', 'spending_alert'];

/**
 * Asks the platform's one-time consent for these kinds' templates (call it first thing in a tap's
 * handler, after preloadMessageTemplates) and records the accepted ones; answers how many were
 * accepted. Never throws: a refusal changes nothing about what the student was doing.
 */
export async function askMessageConsent(
  api: ApiClient,
  kinds: readonly MessageKind[],
  /** Where the accepted ones are recorded: the student's own, or a parent's (/children/message-consents). */
  path = '/messages/consents',
): Promise<number> {
  const known = templates;
  if (process.env.TARO_ENV === 'h5' || known === undefined) return 0;
  try {
    const wanted = kinds.filter((k) => known[k]);
    if (wanted.length === 0) return 0;
    const answers = await requestSubscription(wanted.map((k) => known[k] as string));
    const accepted = wanted.filter((k) => answers[known[k] as string] === 'accept');
    if (accepted.length > 0) await api.request('POST', path, { kinds: accepted });
    return accepted.length;
  } catch {
    return 0;
  }
}

/** The platform's consent dialog: template id → 'accept' | 'reject' | …. */
async function requestSubscription(ids: string[]): Promise<Record<string, string>> {
  if (process.env.TARO_ENV === 'alipay') {
    const my = (globalThis as unknown as { my: AlipayMy }).my;
    return new Promise((resolve, reject) =>
      my.requestSubscribeMessage({
        entityIds: ids,
        success: (result) => {
          const answers: Record<string, string> = {};
          for (const id of result.result?.subscribeEntityIds ?? []) answers[id] = 'accept';
          resolve(answers);
        },
        fail: reject,
      }),
    );
  }
  // WeChat allows three templates per request.
  const option = { tmplIds: ids.slice(0, 3) } as Parameters<typeof Taro.requestSubscribeMessage>[0];
  const result = (await Taro.requestSubscribeMessage(option)) as unknown;
  return result as Record<string, string>;
}

interface AlipayMy {
  requestSubscribeMessage(options: {
    entityIds: string[];
    success: (result: { result?: { subscribeEntityIds?: string[] } }) => void;
    fail: (error: unknown) => void;
  }): void;
}
