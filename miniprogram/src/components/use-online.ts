import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';

/**
 * Whether the phone has a network right now, as the platform tells it (the browser's online/offline
 * events on H5, the network status API in the mini-programs) — known before any request fails.
 */
export function useOnline(): boolean {
  const [online, setOnline] = useState(() =>
    process.env.TARO_ENV === 'h5' && typeof navigator !== 'undefined' ? navigator.onLine : true,
  );
  useEffect(() => {
    if (process.env.TARO_ENV === 'h5') {
      const on = () => setOnline(true);
      const off = () => setOnline(false);
      window.addEventListener('online', on);
      window.addEventListener('offline', off);
      setOnline(navigator.onLine);
      return () => {
        window.removeEventListener('online', on);
        window.removeEventListener('offline', off);
      };
    }
    const listener = (result: { isConnected: boolean }) => setOnline(result.isConnected);
    Taro.getNetworkType()
      .then((result) => setOnline(result.networkType !== 'none'))
      .catch(() => {});
    Taro.onNetworkStatusChange(listener);
    return () => Taro.offNetworkStatusChange(listener);
  }, []);
  return online;
}

/** Whether the platform says the network is there now (a tap's quick check before opening a page). */
export async function isOnlineNow(): Promise<boolean> {
  if (process.env.TARO_ENV === 'h5') return typeof navigator === 'undefined' || navigator.onLine;
  try {
    return (await Taro.getNetworkType()).networkType !== 'none';
  } catch {
    return true;
  }
}
