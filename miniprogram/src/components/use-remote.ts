import { usePullDownRefresh } from '@tarojs/taro';
import { type DependencyList, useCallback, useEffect, useState } from 'react';
import { ApiError } from '../services/request.ts';
import { strings } from '../strings.ts';

export interface Remote<T> {
  readonly data?: T;
  readonly loading: boolean;
  /** A sentence to show, never a code. */
  readonly error?: string;
  readonly offline: boolean;
  reload(): void;
}

export function messageOf(error: unknown): string {
  return error instanceof ApiError ? error.userMessage : strings.errors.unknown;
}

/** Loads once per change of `deps`, again on pull-down and on reload(). */
export function useRemote<T>(load: () => Promise<T>, deps: DependencyList): Remote<T> {
  const [state, setState] = useState<{ data?: T; loading: boolean; error?: string; offline: boolean }>({
    loading: true,
    offline: false,
  });
  const [round, setRound] = useState(0);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  usePullDownRefresh(reload);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to load.
  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true, error: undefined }));
    load().then(
      (data) => {
        if (live) setState({ data, loading: false, offline: false });
      },
      (error: unknown) => {
        if (live) {
          setState({
            loading: false,
            error: messageOf(error),
            offline: error instanceof ApiError && error.offline,
          });
        }
      },
    );
    return () => {
      live = false;
    };
  }, [...deps, round]);

  return { ...state, reload };
}
