import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect } from 'react';
import { StateView } from '../../components/StateView.tsx';
import { useRemote } from '../../components/use-remote.ts';
import { formatShortTime } from '../../lib/month.ts';
import { notificationText } from '../../lib/notifications.ts';
import { api } from '../../services/api.ts';
import { listNotifications, markNotificationsSeen } from '../../services/campus.ts';
import { strings } from '../../strings.ts';
import './index.css';

export default function NotificationsPage() {
  const remote = useRemote(() => listNotifications(api), []);
  const items = remote.data?.items ?? [];
  const newest = items.reduce((max, item) => Math.max(max, item.atMs), 0);
  // What was unread when the list came: marked with a dot, though the list marks itself seen.
  const seenUpToMs = remote.data?.seenUpToMs ?? 0;

  useEffect(() => {
    // Seen once shown; the mark only moves forward, so a stale list cannot undo it.
    if (newest > 0) void markNotificationsSeen(api, newest).catch(() => {});
  }, [newest]);

  return (
    <View className="page page-notifications">
      {remote.data?.unread ? (
        <Text className="form-hint">{strings.notifications.unread(remote.data.unread)}</Text>
      ) : null}
      <StateView
        loading={remote.loading}
        error={remote.error}
        empty={items.length === 0}
        onRetry={remote.reload}
      >
        <View className="list">
          {items.map((item) => {
            const text = notificationText(item);
            return (
              <View key={item.id} className="row">
                <View className="row-main">
                  <Text className="row-title">
                    {item.atMs > seenUpToMs ? (
                      <Text className="unread-dot">
                        <Text className="unread-word">{strings.notifications.unreadMark}</Text>
                      </Text>
                    ) : null}
                    {text.title}
                  </Text>
                  {text.body ? <Text className="row-sub">{text.body}</Text> : null}
                  <Text className="row-sub">{formatShortTime(item.atMs)}</Text>
                  {item.type === 'notice' && item.kind === 'insight_abnormal' ? (
                    <Button
                      className="btn btn-danger"
                      onClick={() => void Taro.navigateTo({ url: '/pages/card-actions/index?alert=1' })}
                    >
                      {strings.notifications.freezeNow}
                    </Button>
                  ) : null}
                </View>
                <Text className="amount-out">{text.detail}</Text>
              </View>
            );
          })}
        </View>
      </StateView>
    </View>
  );
}
