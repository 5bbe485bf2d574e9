import { Text, View } from '@tarojs/components';
import { useState } from 'react';
import { StateView } from '../../components/StateView.tsx';
import { useRemote } from '../../components/use-remote.ts';
import { formatShortTime } from '../../lib/month.ts';
import { api } from '../../services/api.ts';
import { listRecords } from '../../services/campus.ts';
import { strings } from '../../strings.ts';

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
                <Text className="row-title">{item.place}</Text>
                <Text className="row-sub">{item.result ?? ''}</Text>
              </View>
              <Text className="row-sub">{formatShortTime(item.atMs)}</Text>
            </View>
          ))}
        </View>
      </StateView>
    </View>
  );
}
