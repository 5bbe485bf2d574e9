import { Text, View } from '@tarojs/components';
import { StateView } from '../../components/StateView.tsx';
import { useRemote } from '../../components/use-remote.ts';
import { formatShortTime } from '../../lib/month.ts';
import { api } from '../../services/api.ts';
import { listNotifications } from '../../services/campus.ts';

export default function NotificationsPage() {
  const remote = useRemote(() => listNotifications(api), []);
  const items = remote.data?.items ?? [];
  return (
    <View className="page page-notifications">
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
                <Text className="row-title">{item.title}</Text>
                <Text className="row-sub">{item.body}</Text>
              </View>
              <Text className="row-sub">{formatShortTime(item.createdAtMs)}</Text>
            </View>
          ))}
        </View>
      </StateView>
    </View>
  );
}
