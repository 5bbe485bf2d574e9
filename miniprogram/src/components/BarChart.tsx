import { Text, View } from '@tarojs/components';
import { barWidths } from '../lib/chart.ts';

interface Props {
  readonly bars: readonly { readonly label: string; readonly value: number; readonly caption: string }[];
  readonly vertical?: boolean;
}

/**
 * Bars as Views, not a canvas chart library: canvas differs on every target (a native component layered
 * above the page in WeChat, another API in Alipay), and charts in screenshots and tests should be text the
 * page really shows. Widths come from lib/chart.ts, tested on its own.
 */
export function BarChart({ bars, vertical = false }: Props) {
  const widths = barWidths(bars.map((bar) => bar.value));
  if (vertical) {
    return (
      <View className="chart-columns">
        {bars.map((bar, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: columns are positions (days), labels repeat blanks.
          <View key={i} className="chart-column">
            <View className="chart-column-bar" style={{ height: `${widths[i] ?? 0}%` }} />
            <Text className="chart-column-label">{bar.label}</Text>
          </View>
        ))}
      </View>
    );
  }
  return (
    <View className="chart-rows">
      {bars.map((bar, i) => (
        <View key={bar.label} className="chart-row">
          <Text className="chart-row-label">{bar.label}</Text>
          <View className="chart-row-track">
            <View className="chart-row-bar" style={{ width: `${widths[i] ?? 0}%` }} />
          </View>
          <Text className="chart-row-caption">{bar.caption}</Text>
        </View>
      ))}
    </View>
  );
}
