import { UserOutlined } from '@ant-design/icons';
import { sixDigitsPattern } from '@campus-card/core/contract/limits';
import { App, Button, Divider, Form, Input, Modal, QRCode, Space, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api, type Me } from '../api.ts';
import { describeError, accountText as t } from '../strings.ts';

interface Enrolment {
  totpSecret: string;
  totpUri: string;
}

/**
 * 我的账号: change one's own password (every session ends; sign in again) and bind an authenticator
 * app as the second factor (a QR code of the new secret, live once a code from it is entered).
 */
export function MyAccount({ me, onSignedOut }: { me: Me; onSignedOut: () => void }) {
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [totpEnabled, setTotpEnabled] = useState<boolean | null>(null);
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [passwordForm] = Form.useForm();
  const [codeForm] = Form.useForm();
  useEffect(() => {
    if (open) api<{ totpEnabled: boolean }>('GET', '/me').then((m) => setTotpEnabled(m.totpEnabled));
  }, [open]);

  const changePassword = async () => {
    const v = await passwordForm.validateFields();
    try {
      await api('POST', '/me/password', { currentPassword: v.currentPassword, newPassword: v.newPassword });
      message.success(t.passwordChanged);
      setOpen(false);
      onSignedOut();
    } catch (e) {
      message.error(describeError(e));
    }
  };
  const startTotp = async () => {
    try {
      setEnrolment(await api<Enrolment>('POST', '/me/totp-enrolment', { start: true }));
    } catch (e) {
      message.error(describeError(e));
    }
  };
  const confirmTotp = async () => {
    const { code } = await codeForm.validateFields();
    try {
      await api('POST', '/me/totp-confirmation', { code });
      message.success(t.totpEnabled);
      setEnrolment(null);
      setTotpEnabled(true);
    } catch (e) {
      message.error(describeError(e));
    }
  };

  return (
    <>
      <Button icon={<UserOutlined />} onClick={() => setOpen(true)}>
        {t.mine}
      </Button>
      <Modal
        open={open}
        title={`${t.mine} · ${me.username}`}
        footer={null}
        destroyOnHidden
        onCancel={() => {
          setOpen(false);
          setEnrolment(null);
        }}
      >
        <Typography.Title level={5}>{t.changePassword}</Typography.Title>
        <Form form={passwordForm} layout="vertical" preserve={false}>
          <Form.Item label={t.currentPassword} name="currentPassword" rules={[{ required: true }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Form.Item
            label={t.newPassword}
            name="newPassword"
            rules={[{ required: true, min: 10, message: t.passwordRule }]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item
            label={t.repeatPassword}
            name="repeat"
            dependencies={['newPassword']}
            rules={[
              { required: true },
              ({ getFieldValue }) => ({
                validator: (_, value) =>
                  value === getFieldValue('newPassword')
                    ? Promise.resolve()
                    : Promise.reject(new Error(t.passwordsDiffer)),
              }),
            ]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Button type="primary" onClick={changePassword}>
            {t.changePassword}
          </Button>
        </Form>
        <Divider />
        <Space>
          <Typography.Text strong>{t.totp}</Typography.Text>
          {totpEnabled === null ? null : totpEnabled ? (
            <Tag color="green">{t.totpOn}</Tag>
          ) : (
            <Tag>{t.totpOff}</Tag>
          )}
        </Space>
        {totpEnabled === false && !enrolment ? (
          <div style={{ marginTop: 12 }}>
            <Button onClick={startTotp}>{t.totpStart}</Button>
          </div>
        ) : null}
        {enrolment ? (
          <div style={{ marginTop: 12 }}>
            <Typography.Paragraph>{t.totpScan}</Typography.Paragraph>
            <QRCode value={enrolment.totpUri} data-testid="totp-qr" />
            <Typography.Paragraph copyable code data-testid="totp-secret">
              {enrolment.totpSecret}
            </Typography.Paragraph>
            <Form form={codeForm} layout="inline">
              <Form.Item
                name="code"
                label={t.totpCode}
                rules={[{ required: true, pattern: sixDigitsPattern, message: t.totpCode }]}
              >
                <Input maxLength={6} inputMode="numeric" style={{ width: 120 }} />
              </Form.Item>
              <Button type="primary" onClick={confirmTotp}>
                {t.totpConfirm}
              </Button>
            </Form>
          </div>
        ) : null}
      </Modal>
    </>
  );
}
