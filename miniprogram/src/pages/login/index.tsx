import { Button, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useState } from 'react';
import { messageOf } from '../../components/use-remote.ts';
import { labelOf } from '../../labels.ts';
import { routeParam } from '../../lib/route.ts';
import { api, tokens } from '../../services/api.ts';
import { unboundLanding } from '../../services/landing.ts';
import { loginCode } from '../../services/platform.ts';
import { logIn } from '../../services/session.ts';
import { strings } from '../../strings.ts';

export default function LoginPage() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  // Signed out by someone else (a parent's loss report): say so, never silently.
  const signedOut = labelOf(strings.login.signedOut, routeParam(useRouter().params.reason));

  async function onLogin() {
    setBusy(true);
    setError(undefined);
    try {
      const session = await logIn(api, tokens, await loginCode());
      if (session.bound) await Taro.reLaunch({ url: '/pages/home/index' });
      else await Taro.reLaunch({ url: await unboundLanding(api) });
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <View className="page page-login">
      <View className="hero">
        <Text className="hero-title">{strings.login.title}</Text>
        <Text className="hero-subtitle">{strings.login.subtitle}</Text>
      </View>
      {signedOut ? (
        <Text className="form-error" id="signed-out-reason">
          {signedOut}
        </Text>
      ) : null}
      {error ? <Text className="form-error">{error}</Text> : null}
      <Button className="btn btn-primary" id="login" disabled={busy} onClick={onLogin}>
        {busy ? strings.login.loggingIn : strings.login.button}
      </Button>
    </View>
  );
}
