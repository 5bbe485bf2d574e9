// The BFF's live socket: each payment, top-up, hold or card change of this card within a second. The
// parsing and the address are pure (tested); only openLive touches Taro.
import type { ApiClient } from './request.ts';
import type { CardStatus, TransactionKind } from './types.ts';

export type Activity =
  | {
      readonly type: 'operation';
      readonly cardNo: string;
      readonly kind: TransactionKind;
      readonly amount: number;
      readonly balance?: { readonly main: number; readonly subsidy: number };
      readonly atMs: number;
    }
  | {
      readonly type: 'card';
      readonly cardNo: string;
      readonly status: CardStatus;
      readonly version: number;
      readonly atMs: number;
    };

/** A parent's view: a movement left a child's balance under the alert the parent set. */
export interface LowBalance {
  readonly type: 'low_balance';
  readonly cardNo: string;
  readonly balance: number;
  readonly threshold: number;
  readonly atMs: number;
}

/** A news item that just became visible to this person (the core announces it once; the BFF filters). */
export interface LiveNews {
  readonly type: 'news';
  readonly id: string;
  readonly title: string;
  readonly excerpt: string;
  readonly publishAtMs: number;
}

/** Taro event the page that hears news triggers, so an open news list reloads. */
export const liveNewsEvent = 'live:news';

/** One socket message → the activity it carries; hello, pings and anything unknown → undefined. */
export function parseLiveMessage(data: unknown): Activity | LowBalance | LiveNews | undefined {
  if (typeof data !== 'string') return undefined;
  let message: { type?: unknown; activity?: unknown; news?: unknown };
  try {
    message = JSON.parse(data) as typeof message;
  } catch {
    return undefined;
  }
  if (message.type === 'low_balance') {
    const alert = message as Partial<LowBalance>;
    return typeof alert.cardNo === 'string' &&
      typeof alert.balance === 'number' &&
      typeof alert.threshold === 'number'
      ? (alert as LowBalance)
      : undefined;
  }
  if (message.type === 'news') {
    const news = message.news as Partial<Omit<LiveNews, 'type'>> | null | undefined;
    return typeof news?.id === 'string' && typeof news.title === 'string'
      ? {
          type: 'news',
          id: news.id,
          title: news.title,
          excerpt: typeof news.excerpt === 'string' ? news.excerpt : '',
          publishAtMs: typeof news.publishAtMs === 'number' ? news.publishAtMs : 0,
        }
      : undefined;
  }
  if (message.type !== 'activity' || typeof message.activity !== 'object' || message.activity === null)
    return undefined;
  const activity = message.activity as Partial<Activity> & { type?: unknown };
  if (
    activity.type === 'operation' &&
    typeof activity.amount === 'number' &&
    typeof activity.cardNo === 'string'
  )
    return activity as Activity;
  if (activity.type === 'card' && typeof activity.status === 'string' && typeof activity.cardNo === 'string')
    return activity as Activity;
  return undefined;
}

/**
 * ws(s):// address of the socket. H5 calls the BFF on its own origin (apiBase ''), so the page's origin
 * decides; mini-programs have the BFF's absolute https address.
 */
export function socketUrl(apiBase: string, path: string, pageOrigin: string): string {
  const base = apiBase === '' ? pageOrigin : apiBase;
  return `${base.replace(/^http/, 'ws')}${path}`;
}

export function liveTicket(api: ApiClient): Promise<{ ticket: string; expiresInMs: number; path: string }> {
  return api.request('POST', '/events/ticket');
}

/** A parent's ticket: the socket watches the children who share their balance and spending. */
export function childrenLiveTicket(
  api: ApiClient,
): Promise<{ ticket: string; expiresInMs: number; path: string }> {
  return api.request('POST', '/children/events/ticket');
}
