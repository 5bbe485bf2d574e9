import { Text, View } from '@tarojs/components';
import { StateView } from '../../components/StateView.tsx';
import { useRemote } from '../../components/use-remote.ts';
import { formatFen } from '../../lib/money.ts';
import { myDataStrings as t } from '../../my-data-strings.ts';
import { api } from '../../services/api.ts';
import { getMyData } from '../../services/my-data.ts';

/** 我的数据: what campus insight holds about me, whether a flag exists, how long it is kept, who sees it. */
export default function MyDataPage() {
  const remote = useRemote(() => getMyData(api), []);
  const data = remote.data;
  return (
    <View className="page page-my-data">
      <View className="section">
        <Text className="text-block">{t.intro}</Text>
      </View>
      <StateView loading={remote.loading} error={remote.error} onRetry={remote.reload}>
        {data && !data.held ? (
          <View className="section">
            <Text className="text-block" id="my-data-nothing">
              {t.nothing}
            </Text>
          </View>
        ) : null}
        {data?.held ? (
          <>
            <View className="section">
              <Text className="section-title">{t.months}</Text>
              <StateView loading={false} empty={data.months.length === 0} emptyText={t.noMonths}>
                {[...data.months].reverse().map((m) => (
                  <View className="row" key={m.month}>
                    <Text>{t.month(m.month)}</Text>
                    <Text className="row-sub">
                      {t.campusDays(m.campusDays)} · {t.meals(m.meals)}
                    </Text>
                    <Text className="row-sub">
                      {t.mealSpend} {formatFen(m.mealSpendFen)} · {t.otherSpend} {formatFen(m.otherSpendFen)}
                    </Text>
                  </View>
                ))}
              </StateView>
            </View>
            <View className="section">
              <Text className="section-title">{t.attendance(data.attendance.days)}</Text>
              <Text>{t.attended(data.attendance.attended, data.attendance.sessions)}</Text>
            </View>
            <View className="section">
              <Text className="section-title">{t.flags}</Text>
              <View className="kv">
                <Text className="kv-key">{t.hiddenNeed}</Text>
                <Text>{data.flags.hiddenNeed ? t.yes : t.no}</Text>
              </View>
              <View className="kv">
                <Text className="kv-key">{t.attendanceWarning}</Text>
                <Text>{data.flags.attendanceWarning ? t.yes : t.no}</Text>
              </View>
              <Text className="row-sub">{t.flagNote}</Text>
            </View>
            <View className="section">
              <Text className="section-title">{t.retention}</Text>
              <Text>{t.retentionDays(data.retentionDays)}</Text>
            </View>
          </>
        ) : null}
      </StateView>
      <View className="section">
        <Text className="section-title">{t.whoSees}</Text>
        <Text className="text-block">{t.whoSeesText}</Text>
      </View>
    </View>
  );
}
