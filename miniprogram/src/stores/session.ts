// The session tokens, kept in storage so a restarted app stays logged in.
import type { SessionTokens, TokenStore } from '../services/request.ts';
import { type KeyValueStorage, storageKeys } from './storage.ts';

export function createTokenStore(storage: KeyValueStorage): TokenStore {
  return {
    get() {
      const text = storage.get(storageKeys.session);
      if (text === undefined) return undefined;
      try {
        const value = JSON.parse(text) as Partial<SessionTokens>;
        if (typeof value.accessToken === 'string' && typeof value.refreshToken === 'string') {
          return { accessToken: value.accessToken, refreshToken: value.refreshToken };
        }
      } catch {
        // A damaged entry is the same as no session: log in again.
      }
      return undefined;
    },
    set(tokens) {
      if (tokens === undefined) storage.remove(storageKeys.session);
      else storage.set(storageKeys.session, JSON.stringify(tokens));
    },
  };
}

/** Everything this app keeps about the person: unbinding or logging out on a shared phone removes it all. */
export function forgetEverything(storage: KeyValueStorage): void {
  for (const key of Object.values(storageKeys)) storage.remove(key);
}
