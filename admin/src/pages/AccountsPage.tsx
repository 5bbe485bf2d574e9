import { adminUsernamePattern } from '@campus-card/core/contract/limits';
import {
  App,
  Button,
  Card,
  Form,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, type Me, when } from '../api.ts';
import { campusName, useCampuses } from '../components/campus.tsx';
import { campusText, describeError, roleText, accountText as t } from '../strings.ts';

interface Account {
  id: string;
  username: string;
  displayName: string;
  role: string;
  department: string | null;
  campusId: string | null;
  totpEnabled: boolean;
  status: string;
  lockedUntilMs: number | null;
  createdAtMs: number;
}

export const roleOptions = Object.entries(roleText).map(([value, label]) => ({ value, label }));
const roleLabel = roleText;

type Editing = { account: Account; kind: 'role' | 'password' | 'campus' };

/**
 * Admin accounts: list, create (optionally with TOTP, whose secret is shown once), unlock, disable or
 * enable, move role, reset a password or the second factor. One's own account is changed under
 * 我的账号 instead, so its row has no actions.
 */
export function AccountsPage({ me }: { me: Me }) {
  const { message } = App.useApp();
  const [items, setItems] = useState<Account[]>([]);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [editForm] = Form.useForm();
  const [secret, setSecret] = useState<{ totpSecret: string; totpUri: string } | null>(null);
  const [form] = Form.useForm();
  const campuses = useCampuses();
  // '' is the whole centre (no campus scope).
  const campusOptions = [
    { value: '', label: campusText.centreWide },
    ...campuses.items.map((c) => ({ value: c.id, label: c.name })),
  ];
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
        campusId: values.campusId || null,
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

  const change = async (account: Account, body: Record<string, unknown>) => {
    try {
      await api('POST', `/accounts/${account.id}/changes`, body);
      message.success(t.changed);
      await load();
      return true;
    } catch (e) {
      message.error(describeError(e));
      return false;
    }
  };
  const saveEdit = async () => {
    if (!editing) return;
    const v = await editForm.validateFields();
    const body =
      editing.kind === 'role'
        ? { role: v.role, department: v.department?.trim() || null }
        : editing.kind === 'campus'
          ? { campusId: v.campusId || null }
          : { password: v.password };
    if (await change(editing.account, body)) setEditing(null);
  };
  const edit = (account: Account, kind: Editing['kind']) => {
    editForm.resetFields();
    editForm.setFieldsValue(
      kind === 'role'
        ? { role: account.role, department: account.department }
        : kind === 'campus'
          ? { campusId: account.campusId ?? '' }
          : {},
    );
    setEditing({ account, kind });
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
            title: campusText.accountScope,
            dataIndex: 'campusId',
            render: (c: string | null) => campusName(campuses, c),
          },
          {
            title: '双因素',
            dataIndex: 'totpEnabled',
            render: (t: boolean) => (t ? <Tag color="green">已启用</Tag> : '—'),
          },
          {
            title: t.status,
            dataIndex: 'status',
            render: (st: string) =>
              st === 'active' ? <Tag color="green">{t.active}</Tag> : <Tag color="red">{t.disabled}</Tag>,
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
          {
            title: t.actions,
            render: (_: unknown, a: Account) =>
              a.id === me.adminId ? (
                <Typography.Text type="secondary">{t.yourself}</Typography.Text>
              ) : (
                <Space size={4} wrap>
                  {a.status === 'active' ? (
                    <Popconfirm
                      title={t.disableConfirm(a.displayName)}
                      onConfirm={() => change(a, { status: 'disabled' })}
                    >
                      <Button size="small" danger>
                        {t.disable}
                      </Button>
                    </Popconfirm>
                  ) : (
                    <Button size="small" onClick={() => change(a, { status: 'active' })}>
                      {t.enable}
                    </Button>
                  )}
                  <Button size="small" onClick={() => edit(a, 'role')}>
                    {t.changeRole}
                  </Button>
                  {a.role === 'super_admin' ? null : (
                    <Button size="small" onClick={() => edit(a, 'campus')}>
                      {campusText.changeScope}
                    </Button>
                  )}
                  <Button size="small" onClick={() => edit(a, 'password')}>
                    {t.resetPassword}
                  </Button>
                  {a.totpEnabled ? (
                    <Popconfirm
                      title={t.resetTotpConfirm(a.displayName)}
                      onConfirm={() => change(a, { totpReset: true })}
                    >
                      <Button size="small">{t.resetTotp}</Button>
                    </Popconfirm>
                  ) : null}
                </Space>
              ),
          },
        ]}
      />
      <Modal
        open={editing !== null}
        title={
          editing?.kind === 'campus'
            ? campusText.changeScopeTitle(editing.account.displayName)
            : `${editing?.kind === 'role' ? t.changeRole : t.resetPassword} · ${editing?.account.username ?? ''}`
        }
        okText="保存"
        cancelText="取消"
        onOk={saveEdit}
        onCancel={() => setEditing(null)}
      >
        <Form form={editForm} layout="vertical">
          {editing?.kind === 'role' ? (
            <>
              <Form.Item label="角色" name="role" rules={[{ required: true }]}>
                <Select options={roleOptions} />
              </Form.Item>
              <Form.Item label="院系（院系管理员、辅导员必填）" name="department">
                <Input />
              </Form.Item>
            </>
          ) : editing?.kind === 'campus' ? (
            <Form.Item label={campusText.accountScope} name="campusId" extra={campusText.scopeHint}>
              <Select options={campusOptions} data-testid="account-campus" />
            </Form.Item>
          ) : (
            <Form.Item
              label={t.newPassword}
              name="password"
              rules={[{ required: true, min: 10, message: t.passwordRule }]}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
          )}
        </Form>
      </Modal>
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
                pattern: adminUsernamePattern,
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
          <Form.Item label="院系（院系管理员、辅导员必填）" name="department">
            <Input />
          </Form.Item>
          <Form.Item label={campusText.accountScope} name="campusId" extra={campusText.scopeHint}>
            <Select options={campusOptions} allowClear placeholder={campusText.centreWide} />
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
