import { Text, View } from '@tarojs/components';
import { strings } from '../strings.ts';
import { useOnline } from './use-online.ts';

/** Shown when a request found no network, and as soon as the platform says the network is gone. */
export function OfflineBanner({ visible }: { readonly visible: boolean }) {
  const online = useOnline();
  if (!visible && online) return null;
  return (
    <View className="offline-banner" id="offline-banner" role="status">
      <Text>{strings.card.offline}</Text>
    </View>
  );
}
