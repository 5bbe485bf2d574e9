import { Text, View } from '@tarojs/components';
import { useState } from 'react';
import { StateView } from '../../components/StateView.tsx';
import { useRemote } from '../../components/use-remote.ts';
import {
  accessDirectionLabels,
  accessResultLabels,
  attendanceKindLabels,
  labelOf,
  refusalLabels,
} from '../../labels.ts';
import { formatShortTime } from '../../lib/month.ts';
import { api } from '../../services/api.ts';
import { listRecords } from '../../services/campus.ts';
import type { PresenceRecord } from '../../services/types.ts';
import { strings } from '../../strings.ts';

/** An attendance sign-in is named by its session; a gate check by the gate and the direction. */
function recordTitle(item: PresenceRecord): string {
  if (item.kind === 'attendance') return item.place;
  const direction = labelOf(accessDirectionLabels, item.direction);
  return direction ? `${item.place} · ${direction}` : item.place;
}

/** What happened, in Chinese: 课堂签到, 已通行, 未通过：卡片已冻结. Never the code. */
function recordResult(item: PresenceRecord): string {
  if (item.kind === 'attendance') return labelOf(attendanceKindLabels, item.result, '签到');
  const result = labelOf(accessResultLabels, item.result);
  const reason = labelOf(refusalLabels, item.reason);
  return item.result === 'denied' && reason ? `${result}：${reason}` : result;
}

export default function RecordsPage() {
  const [kind, setKind] = useState<'attendance' | 'access'>('attendance');
  const remote = useRemote(() => listRecords(api, kind), [kind]);
  const items = remote.data?.items ?? [];
  return (
    <View className="page page-records">
      <View className="filters">
        {(['attendance', 'access'] as const).map((value) => (
          <View
            key={value}
            className={`filter ${kind === value ? 'filter-on' : ''}`}
            onClick={() => setKind(value)}
          >
            <Text>{strings.records[value]}</Text>
          </View>
        ))}
      </View>
      <StateView
        loading={remote.loading}
        error={remote.error}
        empty={items.length === 0}
        onRetry={remote.reload}
      >
        <View className="list">
          {items.map((item) => (
            <View key={item.id} className="row">
              <View className="row-main">
                <Text className="row-title">{recordTitle(item)}</Text>
                <Text className="row-sub">{recordResult(item)}</Text>
              </View>
              <Text className="row-sub">{formatShortTime(item.atMs)}</Text>
            </View>
          ))}
        </View>
      </StateView>
    </View>
  );
}
