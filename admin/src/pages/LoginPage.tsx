import { sixDigitsPattern } from '@campus-card/core/contract/limits';
import { Alert, Button, Card, Form, Input, QRCode, Typography } from 'antd';
import { useState } from 'react';
import { api, session } from '../api.ts';
import { describeError } from '../strings.ts';

type Enrolment = { totpSecret: string; totpUri: string };
type Step =
  | { status: 'signed_in'; token: string }
  | { status: 'totp_required'; challenge: string }
  | ({ status: 'totp_enrolment_required'; challenge: string } & Enrolment);

/**
 * Password first; an account with a second factor then asks for the 6-digit code, and one whose
 * role must have a second factor but has none first shows the new secret to scan.
 */
export function LoginPage({ onSignedIn }: { onSignedIn: () => void }) {
  const [challenge, setChallenge] = useState<string | null>(null);
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

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
      </Card>
    </div>
  );
}
