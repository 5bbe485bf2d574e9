import type { Centre } from '@campus-card/core/contract';
import { Alert, App, Button, DatePicker, Form, Input, Modal, Space, Tag } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, when } from '../../api.ts';
import { useSubmit } from '../../components/list-blocks.tsx';
import { describeFederationError } from '../../strings.ts';

// A federation link's secret rotated with an overlap (docs/federation.md § Link secret rotation): the
// new secret, agreed with the other centre, which enters the same one with the same two times, signs from
// 启用时间; both are accepted until 旧密钥停用时间, or until an admin retires the old one here. The core
// audits each step with the signed-in admin and never shows a secret again.

const text = {
  rotate: '轮换链路密钥',
  under: '链路密钥轮换中',
  signFrom: '新密钥启用时间',
  retireAt: '旧密钥停用时间',
  secret: '新链路密钥',
  secretHelp: '与对方中心约定的同一密钥，双方填写相同的启用和停用时间；保存后不再显示',
  retireNow: '立即停用旧密钥',
  overlap: '过渡期内新旧密钥都被接受，新密钥自启用时间起用于签名；停用后旧密钥签名的请求被拒绝。',
  retireConfirm: '停用后，对方中心若仍用旧密钥签名，其请求将被拒绝。请确认对方已启用新密钥。',
  changed: '链路密钥的轮换状态已变化（已有轮换在进行、新密钥尚未启用，或刚被他人修改），请刷新后再试',
};

/** The core's INVALID_TRANSITION means here a rotation's state, not a settlement's. */
const describe = (error: unknown): string =>
  (error as { code?: string }).code === 'INVALID_TRANSITION' ? text.changed : describeFederationError(error);

export function LinkSecretAction({ centre, onDone }: { centre: Centre; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const { modal } = App.useApp();
  const rotation = centre.linkSecretRotation;
  const retire = () =>
    modal.confirm({
      title: `${text.retireNow}：${centre.name}（${centre.id}）？`,
      content: text.retireConfirm,
      okText: `确认${text.retireNow}`,
      cancelText: '取消',
      okButtonProps: { danger: true },
      onOk: async () => {
        try {
          await api('POST', `/federation/centres/${encodeURIComponent(centre.id)}/link-secret/retire`, {});
          onDone();
        } catch (e) {
          modal.error({ title: text.retireNow, content: describe(e) });
        }
      },
    });
  return (
    <Space size={4} data-testid={`link-secret-${centre.id}`}>
      {rotation ? (
        <>
          <Tag color="blue">
            {`${text.under} · ${text.signFrom} ${when(rotation.signFromMs)} · ${text.retireAt} ${when(rotation.retireOldAtMs)}`}
          </Tag>
          <Button size="small" danger disabled={Date.now() < rotation.signFromMs} onClick={retire}>
            {text.retireNow}
          </Button>
        </>
      ) : (
        <Button size="small" onClick={() => setOpen(true)}>
          {text.rotate}
        </Button>
      )}
      {open ? (
        <RotateLinkSecretDialog
          centre={centre}
          onClose={(done) => {
            setOpen(false);
            if (done) onDone();
          }}
        />
      ) : null}
    </Space>
  );
}

function RotateLinkSecretDialog({ centre, onClose }: { centre: Centre; onClose: (done: boolean) => void }) {
  const [form] = Form.useForm();
  const { busy, error, submit } = useSubmit(describe);
  const ok = () =>
    submit(async () => {
      const v = form.getFieldsValue() as { linkSecret: string; signFrom: Dayjs; retireAt: Dayjs };
      await api('POST', `/federation/centres/${encodeURIComponent(centre.id)}/link-secret`, {
        linkSecret: v.linkSecret,
        signFromMs: v.signFrom.valueOf(),
        retireOldAtMs: v.retireAt.valueOf(),
      });
      onClose(true);
    });
  return (
    <Modal
      open
      title={`${text.rotate}：${centre.name}（${centre.id}）`}
      okText={`确认${text.rotate}`}
      cancelText="取消"
      okButtonProps={{ loading: busy }}
      onOk={() => form.validateFields().then(ok, () => {})}
      onCancel={() => onClose(false)}
    >
      <Alert type="info" message={text.overlap} style={{ marginBottom: 12 }} />
      <Form form={form} layout="vertical">
        <Form.Item
          name="linkSecret"
          label={text.secret}
          extra={text.secretHelp}
          rules={[
            { required: true, message: `请填写${text.secret}` },
            { min: 32, message: '至少 32 个字符' },
          ]}
        >
          <Input.Password maxLength={128} autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="signFrom"
          label={text.signFrom}
          initialValue={dayjs().add(1, 'hour').startOf('hour')}
          rules={[{ required: true, message: `请选择${text.signFrom}` }]}
        >
          <DatePicker showTime format="YYYY-MM-DD HH:mm" />
        </Form.Item>
        <Form.Item
          name="retireAt"
          label={text.retireAt}
          initialValue={dayjs().add(1, 'day').startOf('hour')}
          dependencies={['signFrom']}
          rules={[
            { required: true, message: `请选择${text.retireAt}` },
            ({ getFieldValue }) => ({
              validator: (_, value: Dayjs | undefined) =>
                value?.isBefore(getFieldValue('signFrom') as Dayjs)
                  ? Promise.reject(new Error('停用时间不能早于启用时间'))
                  : Promise.resolve(),
            }),
          ]}
        >
          <DatePicker showTime format="YYYY-MM-DD HH:mm" />
        </Form.Item>
      </Form>
      {error ? <Alert type="error" message={error} /> : null}
    </Modal>
  );
}
