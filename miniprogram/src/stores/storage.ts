// Key-value storage the stores write through: Taro's sync storage in the app, a Map in unit tests.

export interface KeyValueStorage {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  remove(key: string): void;
}

export function memoryStorage(initial: Record<string, string> = {}): KeyValueStorage & {
  readonly entries: Map<string, string>;
} {
  const entries = new Map(Object.entries(initial));
  return {
    entries,
    get: (key) => entries.get(key),
    set: (key, value) => {
      entries.set(key, value);
    },
    remove: (key) => {
      entries.delete(key);
    },
  };
}

/** Storage keys, all in one place so "unbind" can wipe every one of them. */
export const storageKeys = {
  session: 'cc.session',
  phoneSecret: 'cc.phone.secret',
  certificate: 'cc.credential',
  codeCounter: 'cc.code.counter',
  card: 'cc.card',
  activeChild: 'cc.parent.child',
} as const;
