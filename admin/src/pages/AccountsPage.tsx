import { App, Button, Card, Form, Input, Modal, Select, Switch, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, when } from '../api.ts';
import { describeError } from '../strings.ts';

interface Account {
  id: string;
  username: string;
  displayName: string;
  role: string;
  department: string | null;
  totpEnabled: boolean;
  status: string;
  lockedUntilMs: number | null;
  createdAtMs: number;
}

export const roleOptions = [
  { value: 'super_admin', label: '超级管理员' },
  { value: 'card_operator', label: '卡务中心操作员' },
  { value: 'finance', label: '财务' },
  { value: 'device_admin', label: '设备管理员' },
  { value: 'content_editor', label: '内容编辑' },
  { value: 'department_admin', label: '院系管理员' },
  { value: 'auditor', label: '审计员' },
];
const roleLabel = Object.fromEntries(roleOptions.map((o) => [o.value, o.label]));

/** Admin accounts: list, create (optionally with TOTP, whose secret is shown once), unlock. */
export function AccountsPage() {
  const { message } = App.useApp();
  const [items, setItems] = useState<Account[]>([]);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ totpSecret: string; totpUri: string } | null>(null);
  const [form] = Form.useForm();
  const load = useCallback(async () => {
    setItems((await api<{ items: Account[] }>('GET', '/accounts')).items);
  }, []);
  useEffect(() => {
    load().catch((e) => message.error(describeError(e)));
  }, [load, message]);

  const create = async () => {
    const values = await form.validateFields();
    try {
      const created = await api<Account & { totpSecret?: string; totpUri?: string }>('POST', '/accounts', {
        ...values,
        department: values.department || null,
        totp: Boolean(values.totp),
      });
      setCreating(false);
      if (created.totpSecret && created.totpUri)
        setSecret({ totpSecret: created.totpSecret, totpUri: created.totpUri });
      message.success('账号已创建');
      await load();
    } catch (e) {
      message.error(describeError(e));
    }
  };
  const unlock = async (id: string) => {
    try {
      await api('POST', `/accounts/${id}/unlock`, {});
      message.success('已解锁');
      await load();
    } catch (e) {
      message.error(describeError(e));
    }
  };

  return (
    <Card
      title="管理员账号"
      extra={
        <Button
          type="primary"
          onClick={() => {
            form.resetFields();
            setCreating(true);
          }}
        >
          新建账号
        </Button>
      }
    >
      <Table
        rowKey="id"
        size="small"
        dataSource={items}
        pagination={false}
        columns={[
          { title: '用户名', dataIndex: 'username' },
          { title: '姓名', dataIndex: 'displayName' },
          { title: '角色', dataIndex: 'role', render: (r: string) => roleLabel[r] ?? r },
          { title: '院系', dataIndex: 'department' },
          {
            title: '双因素',
            dataIndex: 'totpEnabled',
            render: (t: boolean) => (t ? <Tag color="green">已启用</Tag> : '—'),
          },
          { title: '创建', dataIndex: 'createdAtMs', render: when },
          {
            title: '锁定',
            render: (_: unknown, a: Account) =>
              a.lockedUntilMs && a.lockedUntilMs > Date.now() ? (
                <Button size="small" onClick={() => unlock(a.id)}>
                  解锁（至 {when(a.lockedUntilMs)}）
                </Button>
              ) : (
                '—'
              ),
          },
        ]}
      />
      <Modal
        open={creating}
        title="新建管理员账号"
        okText="创建"
        cancelText="取消"
        onOk={create}
        onCancel={() => setCreating(false)}
      >
        <Form form={form} layout="vertical">
          <Form.Item
            label="用户名"
            name="username"
            rules={[
              {
                required: true,
                pattern: /^[a-z][a-z0-9_.-]{2,31}$/,
                message: '3–32 位小写字母、数字、_ . -，字母开头',
              },
            ]}
          >
            <Input />
          </Form.Item>
          <Form.Item label="姓名" name="displayName" rules={[{ required: true, message: '请输入姓名' }]}>
            <Input />
          </Form.Item>
          <Form.Item label="角色" name="role" rules={[{ required: true, message: '请选择角色' }]}>
            <Select options={roleOptions} />
          </Form.Item>
          <Form.Item label="院系（院系管理员必填）" name="department">
            <Input />
          </Form.Item>
          <Form.Item
            label="初始密码"
            name="password"
            rules={[{ required: true, min: 10, message: '至少 10 位' }]}
          >
            <Input.Password />
          </Form.Item>
          <Form.Item label="启用动态验证码（TOTP）" name="totp" valuePropName="checked">
            <Switch />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={secret !== null}
        title="动态验证码密钥（只显示一次）"
        footer={null}
        onCancel={() => setSecret(null)}
      >
        <Typography.Paragraph>请在身份验证器中添加以下密钥，关闭后将无法再次查看：</Typography.Paragraph>
        <Typography.Paragraph copyable code>
          {secret?.totpSecret}
        </Typography.Paragraph>
        <Typography.Paragraph copyable style={{ wordBreak: 'break-all' }}>
          {secret?.totpUri}
        </Typography.Paragraph>
      </Modal>
    </Card>
  );
}
