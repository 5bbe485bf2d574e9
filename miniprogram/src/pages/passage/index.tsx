// 我的通行: the doors my card opens now (and those it does not, with why), from the passage rules; the card
// is the signed-in holder's own, taken by the BFF from the session.
import { formatMinute } from '@campus-card/core/time';
import { Button, Text, View } from '@tarojs/components';
import { StateView } from '../../components/StateView.tsx';
import { useRemote } from '../../components/use-remote.ts';
import { passageStrings as words } from '../../passage-strings.ts';
import { api } from '../../services/api.ts';
import { myPassageRights } from '../../services/passage.ts';

export default function PassagePage() {
  // Rights depend on the moment (weekly windows, curfews): each load notes when it asked.
  const rights = useRemote(async () => ({ ...(await myPassageRights(api)), askedAtMs: Date.now() }), []);
  const reload = rights.reload;
  const items = rights.data?.items ?? [];
  const allowed = items.filter((i) => i.decision.decision === 'allow');
  const refused = items.filter((i) => i.decision.decision !== 'allow');
  return (
    <View className="page page-passage">
      {rights.data ? (
        <Text className="row-sub">{words.asOf(formatMinute(rights.data.askedAtMs))}</Text>
      ) : null}
      <StateView loading={rights.loading} error={rights.error} empty={items.length === 0} onRetry={reload}>
        <Text className="form-label">{words.allowed}</Text>
        <View className="list">
          {allowed.length === 0 ? <Text className="row-sub">{words.noneAllowed}</Text> : null}
          {allowed.map((d) => (
            <View key={d.doorId} className="row passage-allowed">
              <View className="row-main">
                <Text className="row-title">{d.name}</Text>
                <Text className="row-sub">{d.decision.late ? words.late : words.allowed}</Text>
              </View>
            </View>
          ))}
        </View>
        {refused.length > 0 ? <Text className="form-label">{words.refused}</Text> : null}
        <View className="list">
          {refused.map((d) => (
            <View key={d.doorId} className="row passage-refused">
              <View className="row-main">
                <Text className="row-title">{d.name}</Text>
                <Text className="row-sub">
                  {(d.decision.reason && words.reasons[d.decision.reason]) || words.refused}
                </Text>
              </View>
            </View>
          ))}
        </View>
      </StateView>
      <Button className="btn btn-plain" onClick={reload}>
        {words.refresh}
      </Button>
    </View>
  );
}
