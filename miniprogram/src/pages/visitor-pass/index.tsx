// The visitor's page: opened from the host's link with no account and no sign-in. It shows who invited
// them, when and where the pass is good, and the pass itself, a QR code the gate checks offline.

import { formatMinute } from '@campus-card/core/time';
import { Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { QrCode } from '../../components/QrCode.tsx';
import { StateView } from '../../components/StateView.tsx';
import { useRemote } from '../../components/use-remote.ts';
import { routeParam } from '../../lib/route.ts';
import { api } from '../../services/api.ts';
import { visitorPass } from '../../services/visitors.ts';
import { visitorStrings as words } from '../../visitor-strings.ts';

export default function VisitorPassPage() {
  const token = routeParam(useRouter().params.t) ?? '';
  const remote = useRemote(() => visitorPass(api, token), [token]);
  const visit = remote.data?.visit;
  const passText = remote.data?.passText ?? null;
  return (
    <View className="page page-visitor-pass">
      <StateView loading={remote.loading} error={remote.error} empty={!visit} onRetry={remote.reload}>
        {visit ? (
          <View>
            <View className="list">
              <View className="row">
                <View className="row-main">
                  <Text className="row-title" id="visitor-name">
                    {visit.visitorName}
                  </Text>
                  <Text className="row-sub">{words.host(visit.hostName)}</Text>
                  <Text className="row-sub" id="visit-window">
                    {words.window(formatMinute(visit.validFromMs), formatMinute(visit.validUntilMs))}
                  </Text>
                </View>
                <Text className="row-sub" id="visit-status">
                  {words.status[visit.status] ?? ''}
                </Text>
              </View>
            </View>
            {passText ? (
              <View style={{ textAlign: 'center', marginTop: '16px' }}>
                <View id="visitor-qr" data-text={passText} style={{ display: 'inline-block' }}>
                  <QrCode text={passText} modulePx={4} />
                </View>
                <Text className="form-hint" style={{ display: 'block' }}>
                  {words.passHint}
                </Text>
              </View>
            ) : (
              <Text className="form-hint" id="visit-waiting">
                {visit.status === 'pending' ? words.passWaiting : words.passVoid}
              </Text>
            )}
          </View>
        ) : null}
      </StateView>
    </View>
  );
}
