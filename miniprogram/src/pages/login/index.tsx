import { Button, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { messageOf } from '../../components/use-remote.ts';
import { labelOf } from '../../labels.ts';
import { routeParam } from '../../lib/route.ts';
import { api, sessionLostReason, tokens } from '../../services/api.ts';
import { unboundLanding } from '../../services/landing.ts';
import { loginCode } from '../../services/platform.ts';
import { logIn } from '../../services/session.ts';
import { finishSso, h5SignInOptions, type SsoProvider, ssoLanding, ssoStartUrl } from '../../services/sso.ts';
import type { SessionAnswer } from '../../services/types.ts';
import { strings } from '../../strings.ts';

/** The first page after a login: the card when bound, else where an unbound account starts. */
async function land(session: SessionAnswer) {
  if (session.bound) await Taro.reLaunch({ url: '/pages/home/index' });
  else await Taro.reLaunch({ url: await unboundLanding(api) });
}

export default function LoginPage() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [providers, setProviders] = useState<readonly SsoProvider[]>([]);
  // The mini-programs sign in with the platform's login code; H5 offers the demo's one-tap sign-in only
  // where the BFF says it is there (never in production), so it is hidden until the BFF has answered.
  const isH5 = process.env.TARO_ENV === 'h5';
  const [oneTap, setOneTap] = useState<boolean | undefined>(isH5 ? undefined : true);
  // Signed out by something done elsewhere (a loss report, unbinding, a PIN reset, a reused sign-in):
  // say why, never silently (#19; SESSION_REVOKED details.reason, strings.login.signedOut).
  const signedOut = labelOf(
    strings.login.signedOut,
    routeParam(useRouter().params.reason) ?? sessionLostReason(),
  );

  // H5 only: the campus identity provider sends the browser back here with ?sso_code= or ?sso_error=.
  useEffect(() => {
    if (process.env.TARO_ENV !== 'h5') return;
    const back = ssoLanding();
    if (back?.error) setError(strings.login.ssoError[back.error] ?? strings.login.ssoError.LOGIN_FAILED);
    if (back?.code) {
      setBusy(true);
      finishSso(api, tokens, back.code)
        .then(land)
        .catch((caught) => setError(messageOf(caught)))
        .finally(() => setBusy(false));
    }
    h5SignInOptions(api)
      .then((options) => {
        setProviders(options.providers);
        setOneTap(options.demoSignIn);
      })
      .catch(() => {
        setProviders([]);
        setOneTap(false);
        setError(strings.login.optionsFailed);
      });
  }, []);

  async function onLogin() {
    setBusy(true);
    setError(undefined);
    try {
      await land(await logIn(api, tokens, await loginCode()));
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
      {providers.map((provider) => (
        <Button
          key={provider.id}
          className="btn btn-primary"
          id={`sso-${provider.id}`}
          disabled={busy}
          onClick={() => {
            setBusy(true);
            window.location.assign(ssoStartUrl(provider.id));
          }}
        >
          {busy && providers.length > 0
            ? strings.login.ssoSigningIn
            : `${provider.label}${strings.login.ssoSuffix}`}
        </Button>
      ))}
      {oneTap ? (
        <Button
          className={providers.length > 0 ? 'btn' : 'btn btn-primary'}
          id="login"
          disabled={busy}
          onClick={onLogin}
        >
          {busy ? strings.login.loggingIn : strings.login.button}
        </Button>
      ) : null}
      {isH5 && oneTap ? (
        <Text className="hero-subtitle" id="demo-only">
          {strings.login.demoOnly}
        </Text>
      ) : null}
      {isH5 && oneTap === false && providers.length === 0 && !error ? (
        <Text className="hero-subtitle" id="no-sign-in">
          {strings.login.noSignIn}
        </Text>
      ) : null}
    </View>
  );
}
