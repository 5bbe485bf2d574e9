import { sixDigitsPattern } from '@campus-card/core/contract/limits';
import { Alert, Button, Card, Divider, Form, Input, QRCode, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api, apiBase, session } from '../api.ts';
import { describeError } from '../strings.ts';

type Enrolment = { totpSecret: string; totpUri: string };
type Step =
  | { status: 'signed_in'; token: string }
  | { status: 'totp_required'; challenge: string }
  | ({ status: 'totp_enrolment_required'; challenge: string } & Enrolment);

type SsoProvider = { id: string; kind: string; label: string };

/** Why the campus single sign-on came back without a sign-in (?sso_error=, docs/sso.md). */
const ssoErrorText: Record<string, string> = {
  ADMIN_NOT_FOUND: '您的统一身份认证账号没有对应的管理后台账号，请联系系统管理员开通',
  LOCKED_OUT: '该账号因多次登录失败已被暂时锁定，请稍后再试',
  UNAVAILABLE: '统一身份认证服务暂时无法访问，请稍后再试或使用密码登录',
  LOGIN_FAILED: '统一身份认证未通过或已过期，请重新登录',
};

/** The single sign-on's answer in this page's address, taken out of it (it is used once). */
function takeSsoResult(): { code: string | null; error: string | null } {
  const url = new URL(window.location.href);
  const code = url.searchParams.get('sso_code');
  const error = url.searchParams.get('sso_error');
  if (code || error) {
    url.searchParams.delete('sso_code');
    url.searchParams.delete('sso_error');
    window.history.replaceState(null, '', url.toString());
  }
  return { code, error };
}

/**
 * Password first, or the campus single sign-on (统一身份认证, one button per provider); an account with a second factor then asks for the 6-digit code, and one whose
 * role must have a second factor but has none first shows the new secret to scan.
 */
export function LoginPage({ onSignedIn }: { onSignedIn: () => void }) {
  const [challenge, setChallenge] = useState<string | null>(null);
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [providers, setProviders] = useState<SsoProvider[]>([]);

  const finish = (step: Step) => {
    if (step.status === 'signed_in') {
      session.set(step.token);
      onSignedIn();
    } else {
      setEnrolment(
        step.status === 'totp_enrolment_required'
          ? { totpSecret: step.totpSecret, totpUri: step.totpUri }
          : null,
      );
      setChallenge(step.challenge);
    }
  };
  // Once, when the page opens (finish only sets state).
  // biome-ignore lint/correctness/useExhaustiveDependencies: run once on opening
  useEffect(() => {
    api<{ providers: SsoProvider[] }>('GET', '/sso/providers')
      .then((r) => setProviders(r.providers))
      .catch(() => setProviders([]));
    const result = takeSsoResult();
    if (result.error) setError(ssoErrorText[result.error] ?? '统一身份认证登录失败，请重试');
    else if (result.code) {
      setBusy(true);
      // The one-use code the callback left is traded for the next step: a session or the TOTP code.
      api<Step>('POST', '/sso/exchange', { code: result.code })
        .then(finish)
        .catch(() => setError(ssoErrorText.LOGIN_FAILED as string))
        .finally(() => setBusy(false));
    }
  }, []);
  const submit = async (values: { username?: string; password?: string; code?: string }) => {
    setBusy(true);
    setError(null);
    try {
      finish(
        challenge
          ? await api<Step>('POST', '/session/totp', { challenge, code: values.code })
          : await api<Step>('POST', '/session', { username: values.username, password: values.password }),
      );
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div
      style={{
        display: 'flex',
        justifyContent: 'center',
        paddingTop: 120,
        background: '#f0f2f5',
        minHeight: '100vh',
        // The padding inside the 100vh, not added to it (no scroll bar on an empty page).
        boxSizing: 'border-box',
      }}
    >
      <Card title="校园一卡通 · 管理后台登录" style={{ width: 380, height: 'fit-content' }}>
        {error ? (
          <Alert type="error" title={error} style={{ marginBottom: 16 }} data-testid="login-error" />
        ) : null}
        <Form layout="vertical" onFinish={submit} key={challenge ? 'totp' : 'password'}>
          {challenge && enrolment ? (
            <div data-testid="login-enrolment" style={{ marginBottom: 16 }}>
              <Typography.Paragraph>
                您的角色必须启用两步验证：请用身份验证器扫描二维码（或手动输入密钥），再输入其显示的 6
                位数字。
              </Typography.Paragraph>
              <QRCode value={enrolment.totpUri} style={{ margin: '0 auto 8px' }} />
              <Typography.Text copyable code data-testid="login-enrol-secret">
                {enrolment.totpSecret}
              </Typography.Text>
            </div>
          ) : null}
          {challenge ? (
            <Form.Item
              label="动态验证码"
              name="code"
              rules={[{ required: true, pattern: sixDigitsPattern, message: '6 位数字' }]}
            >
              <Input autoFocus maxLength={6} placeholder="身份验证器中的 6 位数字" />
            </Form.Item>
          ) : (
            <>
              <Form.Item label="用户名" name="username" rules={[{ required: true, message: '请输入用户名' }]}>
                <Input autoFocus />
              </Form.Item>
              <Form.Item label="密码" name="password" rules={[{ required: true, message: '请输入密码' }]}>
                <Input.Password />
              </Form.Item>
            </>
          )}
          <Button type="primary" htmlType="submit" block loading={busy}>
            {challenge ? '验证' : '登录'}
          </Button>
        </Form>
        {!challenge && providers.length > 0 ? (
          <>
            <Divider plain>或</Divider>
            {providers.map((p) => (
              <Button
                key={p.id}
                block
                style={{ marginBottom: 8 }}
                disabled={busy}
                href={`${apiBase}/sso/${p.id}/start`}
                data-testid={`login-sso-${p.id}`}
              >
                {p.label === '统一身份认证' ? '统一身份认证登录' : `${p.label}登录`}
              </Button>
            ))}
          </>
        ) : null}
      </Card>
    </div>
  );
}
