import type { Centre, CentreKey } from '@campus-card/core/contract';
import { Alert, Form, Input, InputNumber, Modal, Select } from 'antd';
import { api } from '../../api.ts';
import { useSubmit } from '../../components/list-blocks.tsx';
import { describeFederationError, federationText as t } from '../../strings.ts';

// The trust list's dialogs (docs/federation.md § Trust model): adding a centre with its link and first
// key, rotating a centre's key (the old one stops signing when the new one starts), revoking a key at once.
// The core checks every field again and audits each change with the signed-in admin.

const centreIdRule = { pattern: /^[A-Z][A-Z0-9]{1,15}$/, message: '2–16 位大写字母或数字，以字母开头' };
const keyRule = { pattern: /^[0-9a-f]{64}$/, message: '64 位小写十六进制' };
const required = (label: string) => ({ required: true, message: `请填写${label}` });

interface KeyFields {
  kid: number;
  publicKeyHex: string;
}

function KeyItems() {
  return (
    <>
      <Form.Item name="kid" label={t.kid} rules={[required(t.kid)]}>
        <InputNumber min={0} max={65535} precision={0} style={{ width: '100%' }} />
      </Form.Item>
      <Form.Item name="publicKeyHex" label={t.publicKey} rules={[required(t.publicKey), keyRule]}>
        <Input maxLength={64} />
      </Form.Item>
    </>
  );
}

function Dialog(props: {
  title: string;
  okText: string;
  danger?: boolean;
  busy: boolean;
  error: string | null;
  form: ReturnType<typeof Form.useForm>[0];
  onOk: () => void;
  onCancel: () => void;
  children: React.ReactNode;
}) {
  return (
    <Modal
      open
      title={props.title}
      okText={props.okText}
      cancelText="取消"
      okButtonProps={{ danger: props.danger, loading: props.busy }}
      onOk={() => props.form.validateFields().then(props.onOk, () => {})}
      onCancel={props.onCancel}
    >
      <Form form={props.form} layout="vertical">
        {props.children}
      </Form>
      {props.error ? <Alert type="error" message={props.error} /> : null}
    </Modal>
  );
}

export function AddCentreDialog({ onClose }: { onClose: (done: boolean) => void }) {
  const [form] = Form.useForm();
  const { busy, error, submit } = useSubmit(describeFederationError);
  const ok = () =>
    submit(async () => {
      const v = form.getFieldsValue() as KeyFields & {
        id: string;
        name: string;
        linkUrl: string;
        linkSecret: string;
      };
      await api('POST', '/federation/centres', {
        id: v.id,
        name: v.name.trim(),
        linkUrl: v.linkUrl.trim(),
        linkSecret: v.linkSecret,
        keys: [{ kid: v.kid, publicKeyHex: v.publicKeyHex, validFromMs: Date.now() }],
      });
      onClose(true);
    });
  return (
    <Dialog
      title={t.add}
      okText="确认添加"
      busy={busy}
      error={error}
      form={form}
      onOk={ok}
      onCancel={() => onClose(false)}
    >
      <Form.Item name="id" label={t.centreId} rules={[required(t.centreId), centreIdRule]}>
        <Input maxLength={16} />
      </Form.Item>
      <Form.Item name="name" label={t.centreName} rules={[required(t.centreName)]}>
        <Input maxLength={64} />
      </Form.Item>
      <Form.Item name="linkUrl" label={t.linkUrl} rules={[required(t.linkUrl)]}>
        <Input placeholder="https://card.example.edu.cn" />
      </Form.Item>
      <Form.Item
        name="linkSecret"
        label={t.linkSecret}
        extra={t.linkSecretHelp}
        rules={[required(t.linkSecret), { min: 32, message: '至少 32 个字符' }]}
      >
        <Input.Password maxLength={128} autoComplete="new-password" />
      </Form.Item>
      <KeyItems />
    </Dialog>
  );
}

export function RotateKeyDialog({ centre, onClose }: { centre: Centre; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm();
  const { busy, error, submit } = useSubmit(describeFederationError);
  const live = centre.keys.filter((k) => k.revokedAtMs === null && k.validToMs === null);
  const ok = () =>
    submit(async () => {
      const v = form.getFieldsValue() as KeyFields & { retireKid?: number };
      await api('POST', `/federation/centres/${encodeURIComponent(centre.id)}/keys`, {
        key: { kid: v.kid, publicKeyHex: v.publicKeyHex, validFromMs: Date.now() },
        ...(v.retireKid !== undefined ? { retireKid: v.retireKid } : {}),
      });
      onClose(true);
    });
  return (
    <Dialog
      title={`${t.rotate}：${centre.name}（${centre.id}）`}
      okText={`确认${t.rotate}`}
      busy={busy}
      error={error}
      form={form}
      onOk={ok}
      onCancel={() => onClose(false)}
    >
      <KeyItems />
      <Form.Item
        name="retireKid"
        label={t.retire}
        initialValue={live[live.length - 1]?.kid}
        extra="旧密钥自新密钥生效起停止签发，已签发的凭证在到期前（最长 7 天）仍然有效"
      >
        <Select allowClear options={live.map((k) => ({ value: k.kid, label: `${t.kid} ${k.kid}` }))} />
      </Form.Item>
    </Dialog>
  );
}

export function RevokeKeyDialog({ keyOf, onClose }: { keyOf: CentreKey; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm();
  const { busy, error, submit } = useSubmit(describeFederationError);
  const ok = () =>
    submit(async () => {
      const { reason } = form.getFieldsValue() as { reason: string };
      await api('POST', `/federation/keys/${keyOf.kid}/revoke`, { reason: reason.trim() });
      onClose(true);
    });
  return (
    <Dialog
      title={`${t.revoke}${t.kid} ${keyOf.kid}（${keyOf.centreId}）`}
      okText={`确认${t.revoke}`}
      danger
      busy={busy}
      error={error}
      form={form}
      onOk={ok}
      onCancel={() => onClose(false)}
    >
      <Alert
        type="warning"
        message="吊销立即生效：各终端网关在下次刷新（约 10 秒）后不再验证此密钥签发的付款码。"
        style={{ marginBottom: 12 }}
      />
      <Form.Item
        name="reason"
        label={t.revokeReason}
        rules={[required(t.revokeReason), { whitespace: true }]}
      >
        <Input.TextArea maxLength={200} rows={2} />
      </Form.Item>
    </Dialog>
  );
}
