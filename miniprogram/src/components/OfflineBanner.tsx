import { Text, View } from '@tarojs/components';
import { strings } from '../strings.ts';

export function OfflineBanner({ visible }: { readonly visible: boolean }) {
  if (!visible) return null;
  return (
    <View className="offline-banner">
      <Text>{strings.card.offline}</Text>
    </View>
  );
}
