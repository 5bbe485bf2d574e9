import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { StateView } from '../../components/StateView.tsx';
import { useRemote } from '../../components/use-remote.ts';
import { formatShortTime } from '../../lib/month.ts';
import { api } from '../../services/api.ts';
import { getNews, listNews } from '../../services/campus.ts';
import { liveNewsEvent } from '../../services/live.ts';
import type { NewsItem } from '../../services/types.ts';
import { strings } from '../../strings.ts';
import './index.css';

export default function NewsPage() {
  const remote = useRemote(() => listNews(api), []);
  const [open, setOpen] = useState<NewsItem>();
  const [read, setRead] = useState<ReadonlySet<string>>(new Set());
  const isRead = (item: NewsItem) => Boolean(item.readAtMs) || read.has(item.id);
  // Important items are pinned above the others until read (opened); the rest stay newest first.
  const loaded = remote.data?.items ?? [];
  const pinned = (item: NewsItem) => item.important === true && !item.readAtMs;
  const items = [...loaded.filter(pinned), ...loaded.filter((item) => !pinned(item))];
  // A news item announced while this list is open (heard by the card page's live view) shows at once.
  const { reload } = remote;
  useEffect(() => {
    const onNews = () => reload();
    Taro.eventCenter.on(liveNewsEvent, onNews);
    return () => {
      Taro.eventCenter.off(liveNewsEvent, onNews);
    };
  }, [reload]);

  async function onOpen(item: NewsItem) {
    setOpen(item);
    try {
      // Reading the full item is what marks it read at the BFF.
      setOpen(await getNews(api, item.id));
      setRead((previous) => new Set([...previous, item.id]));
    } catch {
      // The excerpt stays on screen.
    }
  }

  return (
    <View className="page page-news">
      <StateView
        loading={remote.loading}
        error={remote.error}
        empty={items.length === 0}
        onRetry={remote.reload}
      >
        <View className="list">
          {items.map((item) => (
            <View
              key={item.id}
              className={pinned(item) ? 'row news-row news-pinned' : 'row news-row'}
              onClick={() => void onOpen(item)}
            >
              <View className="row-main">
                <Text className="row-title">
                  {item.important ? (
                    <Text className="news-important-tag">{strings.news.important}</Text>
                  ) : null}
                  {item.title}
                </Text>
                <Text className="row-sub">
                  {`${formatShortTime(item.publishAtMs)} · ${isRead(item) ? strings.news.read : strings.news.unread}`}
                </Text>
                {open?.id === item.id ? (
                  <Text className="text-block">{open.body ?? open.excerpt ?? ''}</Text>
                ) : (
                  <Text className="row-sub">{item.excerpt ?? ''}</Text>
                )}
              </View>
            </View>
          ))}
        </View>
      </StateView>
    </View>
  );
}
