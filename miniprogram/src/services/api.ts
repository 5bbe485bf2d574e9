// The app's wiring of the request wrapper and the stores to Taro: the only file (with platform.ts) that
// knows about Taro.request and Taro storage, so everything else runs under node:test.
import Taro from '@tarojs/taro';
import { createCredentialStore } from '../stores/credential.ts';
import { createTokenStore } from '../stores/session.ts';
import type { KeyValueStorage } from '../stores/storage.ts';
import {
  type Activity,
  type LiveNews,
  type LowBalance,
  liveTicket,
  parseLiveMessage,
  socketUrl,
} from './live.ts';
import { phoneRandom } from './platform.ts';
import { type ApiClient, createApiClient, type Transport } from './request.ts';

const taroTransport: Transport = async (request) => {
  const response = await Taro.request({
    url: request.url,
    method: request.method,
    data: request.body as Record<string, unknown> | undefined,
    header: request.headers,
    timeout: request.timeoutMs,
    dataType: 'json',
  });
  return { status: response.statusCode, body: response.data as unknown };
};

export const taroStorage: KeyValueStorage = {
  get(key) {
    const value: unknown = Taro.getStorageSync(key);
    return typeof value === 'string' && value !== '' ? value : undefined;
  },
  set(key, value) {
    Taro.setStorageSync(key, value);
  },
  remove(key) {
    Taro.removeStorageSync(key);
  },
};

const tokenStore = createTokenStore(taroStorage);
/** Set once the app has gone to the login page for a lost session; cleared by the next session. */
let sessionLostShown = false;
/**
 * Why the last session was ended elsewhere (a loss report, unbinding…), kept in storage until the next
 * sign-in: a reload or a relaunch that opens the login page before the redirect with ?reason= still
 * says why (#19: never signed out silently).
 */
const sessionLostReasonKey = 'session-lost-reason';
export const sessionLostReason = (): string | undefined => taroStorage.get(sessionLostReasonKey);
export const tokens: typeof tokenStore = {
  get: () => tokenStore.get(),
  set(value) {
    if (value !== undefined) {
      sessionLostShown = false;
      taroStorage.remove(sessionLostReasonKey);
    }
    tokenStore.set(value);
  },
};

let leaving = false;
/**
 * reLaunch, once: several callers noticing the same thing at once (no session: the card page and its live
 * socket) must not stack two copies of the page they send the person to.
 */
export async function relaunchOnce(url: string): Promise<void> {
  if (leaving) return;
  leaving = true;
  try {
    await Taro.reLaunch({ url });
  } finally {
    leaving = false;
  }
}

export const api: ApiClient = createApiClient({
  baseUrl: API_BASE,
  transport: taroTransport,
  tokens,
  onSessionLost(reason) {
    // Once per lost session: the calls still in flight (the bill badge, the live ticket) go without a
    // token and would send the person to a second login page, without the reason the first one shows.
    if (sessionLostShown) return;
    sessionLostShown = true;
    if (reason !== undefined) taroStorage.set(sessionLostReasonKey, reason);
    void relaunchOnce(
      reason === undefined ? '/pages/login/index' : `/pages/login/index?reason=${encodeURIComponent(reason)}`,
    );
  },
});

export const credentials = createCredentialStore({ storage: taroStorage, api, random: phoneRandom });

/**
 * Opens the live socket for this card; calls `onActivity` for each change. Resolves to a function that
 * closes it. Failing to open is not an error for the page: it still has pull-to-refresh.
 */
export async function openLive(
  onActivity: (activity: Activity | LowBalance | LiveNews) => void,
  ticket: typeof liveTicket = liveTicket,
): Promise<() => void> {
  const { path } = await ticket(api);
  const origin = process.env.TARO_ENV === 'h5' ? window.location.origin : '';
  const task = await Taro.connectSocket({ url: socketUrl(API_BASE, path, origin) });
  task.onMessage((message) => {
    const activity = parseLiveMessage(message.data);
    if (activity !== undefined) onActivity(activity);
  });
  return () => {
    task.close({});
  };
}
