import type { CanteenSlotLoad } from '@campus-card/core/contract/insight';
import { Text, View } from '@tarojs/components';
import { useDidShow } from '@tarojs/taro';
import { useRef } from 'react';
import { canteenStrings } from '../canteen-strings.ts';
import { api } from '../services/api.ts';
import { getCanteenLoad } from '../services/canteen-load.ts';
import { useRemote } from './use-remote.ts';
import './CanteenLoadCard.css';

function Slot({ label, load }: { label: string; load: CanteenSlotLoad }) {
  const word = canteenStrings.level[load.level];
  return (
    <View
      className={`canteen-load-slot canteen-load-${load.level}`}
      aria-label={`${label} ${word} ${canteenStrings.expected(load.expected)}`}
    >
      <Text className="canteen-load-word">{word}</Text>
      <View className="canteen-load-track">
        <View className="canteen-load-fill" style={{ width: `${load.bar}%` }} />
      </View>
    </View>
  );
}

/**
 * 食堂人流 on the home page: each canteen window now and in 30 minutes as 空闲 / 适中 / 繁忙 / 拥挤 (the forecast against the window's capacity) with a bar.
 * Nothing at all where campus insight is off, while loading, offline or on any failure: it is a hint,
 * never in the way of the pay code.
 */
export function CanteenLoadCard() {
  const load = useRemote(() => getCanteenLoad(api), []);
  // Again each time the home page shows (not the first time: the load above is already under way).
  const shown = useRef(false);
  useDidShow(() => {
    if (shown.current) load.reload();
    shown.current = true;
  });
  const items = load.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <View className="canteen-load" id="canteen-load">
      <View className="canteen-load-head">
        <Text className="canteen-load-title">{canteenStrings.title}</Text>
        <Text className="canteen-load-when">
          {canteenStrings.now} · {canteenStrings.in30}
        </Text>
      </View>
      {items.map((item) => (
        <View className="canteen-load-row" key={`${item.canteen}/${item.window}`}>
          <Text className="canteen-load-name">
            {item.window ? `${item.canteen} ${item.window}` : item.canteen}
          </Text>
          <Slot label={canteenStrings.now} load={item.now} />
          <Slot label={canteenStrings.in30} load={item.in30} />
        </View>
      ))}
      <Text className="canteen-load-basis">{canteenStrings.basis}</Text>
    </View>
  );
}
