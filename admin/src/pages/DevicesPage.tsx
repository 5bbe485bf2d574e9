import type { Device as CoreDevice, DeviceWithPresence } from '@campus-card/core/contract';
import {
  Alert,
  Button,
  Card,
  Form,
  Input,
  Modal,
  Segmented,
  Select,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, type Me, when } from '../api.ts';
import {
  CampusExtra,
  type Campuses,
  CampusScopeNote,
  campusName,
  NewCampusField,
  useCampusFilter,
  useNewCampus,
} from '../components/campus.tsx';
import { DeviceConfigDrawer } from '../components/DeviceConfigDrawer.tsx';
import { campusText, describeError, deviceConfigText, deviceKindText, deviceText } from '../strings.ts';

/** A device as the list shows it (with its live status), or as registering answers it (with its key, once). */
type Device = CoreDevice &
  Partial<Pick<DeviceWithPresence, 'currentConfigVersion' | 'presence'>> & {
    keyHex?: string;
    /** The merchant's name (the list looks it up), shown instead of its id. */
    merchantName?: string | null;
    /** Where the list's campus comes from: the door the device serves, or its own row. */
    campusSource?: 'place' | 'device' | null;
  };

type Filter = 'all' | 'online' | 'offline';

/** A merchant a device may be registered to. */
type MerchantChoice = { id: string; name: string };

/** The list refreshes itself this often while the page is open. */
const refreshMs = 10_000;

/** "35 秒前", "4 分钟前", "2 小时前", "3 天前". */
export function ago(ms: number, nowMs: number): string {
  const s = Math.max(0, Math.round((nowMs - ms) / 1000));
  if (s < 60) return `${s} 秒前`;
  if (s < 3600) return `${Math.floor(s / 60)} 分钟前`;
  if (s < 86_400) return `${Math.floor(s / 3600)} 小时前`;
  return `${Math.floor(s / 86_400)} 天前`;
}

/** A version the device applies, orange with what it should apply when it lags. */
function Version({ applied, current, behind }: { applied: number; current: number; behind: boolean }) {
  return behind ? (
    <Tooltip title={deviceText.behind(current)}>
      <Tag color="warning" data-behind="true">
        v{applied} / v{current}
      </Tag>
    </Tooltip>
  ) : (
    <span>v{applied}</span>
  );
}

const kindText: Record<Device['kind'], string> = deviceKindText;

/**
 * Devices: live status from the gateways (online, last heartbeat, the versions applied, offline records
 * waiting), refreshed every 10 s while open; register, rotate a key (shown once), disable and enable;
 * read and change each device's configuration in a drawer (price changes go to a second admin).
 */
export function DevicesPage({ me }: { me: Me }) {
  const [items, setItems] = useState<Device[]>([]);
  const [merchants, setMerchants] = useState<MerchantChoice[]>([]);
  const [blacklistVersion, setBlacklistVersion] = useState(0);
  const [nowMs, setNowMs] = useState(Date.now());
  const [filter, setFilter] = useState<Filter>('all');
  const [error, setError] = useState<string | null>(null);
  const [registering, setRegistering] = useState(false);
  const [issued, setIssued] = useState<Device | null>(null);
  const [configuring, setConfiguring] = useState<string | null>(null);
  const manage = me.rights.includes('device.manage');
  const load = useCallback(() => {
    api<{ items: Device[]; blacklistVersion: number; merchants?: MerchantChoice[] }>('GET', '/devices').then(
      (p) => {
        setItems(p.items);
        setMerchants(p.merchants ?? []);
        setBlacklistVersion(p.blacklistVersion ?? 0);
        setNowMs(Date.now());
        setError(null);
      },
      (e) => setError(describeError(e)),
    );
  }, []);
  useEffect(() => {
    load();
    const timer = setInterval(load, refreshMs);
    return () => clearInterval(timer);
  }, [load]);
  const byCampus = useCampusFilter();
  const { campuses } = byCampus;
  const online = (d: Device) => d.presence?.online === true;
  const shown = items.filter(
    (d) => (filter === 'all' || (filter === 'online') === online(d)) && byCampus.inCampus(d.campusId),
  );

  const act = async (run: () => Promise<Device>) => {
    setError(null);
    try {
      const device = await run();
      if (device.keyHex) setIssued(device);
      load();
    } catch (e) {
      setError(describeError(e));
    }
  };
  const rekey = (d: Device) =>
    Modal.confirm({
      title: `重置设备 ${d.id} 的密钥？`,
      content: '旧密钥立即失效，设备须配置新密钥后才能再次签到。',
      okText: '重置',
      okButtonProps: { danger: true },
      onOk: () => act(() => api<Device>('POST', `/devices/${d.id}/key`, { confirm: true })),
    });

  return (
    <Card
      title="设备管理"
      extra={
        <CampusExtra filter={byCampus} testId="device-campus">
          {manage ? (
            <Button type="primary" onClick={() => setRegistering(true)}>
              登记设备
            </Button>
          ) : null}
        </CampusExtra>
      }
    >
      <CampusScopeNote me={me} campuses={campuses} />
      {error ? <Alert type="error" message={error} style={{ marginBottom: 12 }} /> : null}
      <Space style={{ marginBottom: 12 }}>
        <Segmented<Filter>
          value={filter}
          onChange={setFilter}
          options={[
            { value: 'all', label: `${deviceText.all}（${items.length}）` },
            { value: 'online', label: `${deviceText.online}（${items.filter(online).length}）` },
            { value: 'offline', label: `${deviceText.offline}（${items.filter((d) => !online(d)).length}）` },
          ]}
        />
        <Typography.Text type="secondary">
          {deviceText.blacklistCurrent(blacklistVersion)} · {deviceText.refreshEvery}
        </Typography.Text>
      </Space>
      <Table
        rowKey="id"
        size="small"
        dataSource={shown}
        pagination={{ pageSize: 20 }}
        columns={[
          { title: '设备号', dataIndex: 'id' },
          { title: '类型', dataIndex: 'kind', render: (k: Device['kind']) => kindText[k] },
          {
            title: '商户',
            dataIndex: 'merchantName',
            render: (name: string | null | undefined, d: Device) => (
              <span title={d.merchantId ?? undefined}>{name ?? (d.merchantId ? '未知商户' : '—')}</span>
            ),
          },
          {
            title: campusText.campus,
            dataIndex: 'campusId',
            render: (c: string | null, d: Device) =>
              `${campusName(campuses, c)}${d.campusSource === 'place' ? campusText.fromDoor : ''}`,
          },
          {
            title: deviceText.presence,
            key: 'presence',
            render: (_: unknown, d: Device) =>
              d.presence === null || d.presence === undefined ? (
                <Tag>{deviceText.neverSeen}</Tag>
              ) : d.presence.online ? (
                <Tag color="green">{deviceText.online}</Tag>
              ) : (
                <Tag color="default">{deviceText.offline}</Tag>
              ),
          },
          {
            title: deviceText.lastSeen,
            key: 'lastSeen',
            render: (_: unknown, d: Device) =>
              d.presence ? (
                <Tooltip title={when(d.presence.lastSeenAtMs)}>
                  <span>{ago(d.presence.lastSeenAtMs, nowMs)}</span>
                </Tooltip>
              ) : (
                '—'
              ),
          },
          {
            title: deviceText.configVersion,
            key: 'config',
            render: (_: unknown, d: Device) =>
              d.presence ? (
                <Version
                  applied={d.presence.configVersion}
                  current={d.currentConfigVersion ?? 0}
                  behind={d.presence.configBehind}
                />
              ) : (
                '—'
              ),
          },
          {
            title: deviceText.blacklistVersion,
            key: 'blacklist',
            render: (_: unknown, d: Device) =>
              d.presence ? (
                <Version
                  applied={d.presence.blacklistVersion}
                  current={blacklistVersion}
                  behind={d.presence.blacklistBehind}
                />
              ) : (
                '—'
              ),
          },
          {
            title: deviceText.offlinePending,
            key: 'pending',
            render: (_: unknown, d: Device) =>
              d.presence ? (
                d.presence.offlinePending > 0 ? (
                  <Tag color="orange">{d.presence.offlinePending}</Tag>
                ) : (
                  0
                )
              ) : (
                '—'
              ),
          },
          {
            title: '状态',
            dataIndex: 'status',
            render: (s: Device['status']) =>
              s === 'active' ? <Tag color="green">启用</Tag> : <Tag color="default">停用</Tag>,
          },
          { title: '密钥版本', dataIndex: 'keyVersion' },
          {
            title: deviceConfigText.open,
            key: 'configure',
            render: (_: unknown, d: Device) => (
              <Button size="small" data-testid={`configure-${d.id}`} onClick={() => setConfiguring(d.id)}>
                {deviceConfigText.open}
              </Button>
            ),
          },
          ...(manage
            ? [
                {
                  title: '操作',
                  render: (_: unknown, d: Device) => (
                    <Space>
                      <Button size="small" onClick={() => rekey(d)}>
                        重置密钥
                      </Button>
                      <Button
                        size="small"
                        danger={d.status === 'active'}
                        onClick={() =>
                          act(() =>
                            api<Device>('POST', `/devices/${d.id}/status`, {
                              status: d.status === 'active' ? 'disabled' : 'active',
                            }),
                          )
                        }
                      >
                        {d.status === 'active' ? '停用' : '启用'}
                      </Button>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      {configuring ? (
        <DeviceConfigDrawer
          deviceId={configuring}
          manage={manage}
          onClose={() => {
            setConfiguring(null);
            load();
          }}
        />
      ) : null}
      {registering ? (
        <RegisterDialog
          campuses={campuses}
          merchants={merchants}
          onClose={(device) => {
            setRegistering(false);
            if (device) setIssued(device);
            load();
          }}
        />
      ) : null}
      {/* Unmounted on close, so the key does not stay in the page. */}
      {issued ? (
        <Modal
          open
          title={`设备 ${issued.id ?? ''} 的密钥（版本 ${issued.keyVersion ?? ''}）`}
          footer={<Button onClick={() => setIssued(null)}>我已妥善保存</Button>}
          closable={false}
          maskClosable={false}
        >
          <Alert
            type="warning"
            message="密钥只显示这一次，关闭后无法再次查看；请立即写入设备。"
            style={{ marginBottom: 12 }}
          />
          <Typography.Paragraph copyable code data-testid="device-key">
            {issued.keyHex}
          </Typography.Paragraph>
        </Modal>
      ) : null}
    </Card>
  );
}

function RegisterDialog({
  campuses,
  merchants,
  onClose,
}: {
  campuses: Campuses;
  merchants: readonly MerchantChoice[];
  onClose: (device?: Device) => void;
}) {
  const [id, setId] = useState('');
  const campus = useNewCampus(campuses);
  const [kind, setKind] = useState<Device['kind']>('pos');
  const [merchantId, setMerchantId] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    try {
      onClose(
        await api<Device>('POST', '/devices', {
          id,
          kind,
          merchantId: merchantId ?? null,
          campusId: campus.campusId,
        }),
      );
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <Modal open title="登记设备" okText="登记" onOk={submit} onCancel={() => onClose()}>
      <Form layout="vertical">
        <Form.Item label="设备号">
          <Input value={id} onChange={(e) => setId(e.target.value)} placeholder="1 – 4294967295" />
        </Form.Item>
        <Form.Item label="类型">
          <Select
            value={kind}
            onChange={setKind}
            options={Object.entries(kindText).map(([value, label]) => ({ value, label }))}
          />
        </Form.Item>
        <Form.Item label="所属商户（可选）" htmlFor="new-device-merchant">
          <Select
            id="new-device-merchant"
            allowClear
            showSearch
            optionFilterProp="label"
            placeholder="选择商户"
            value={merchantId}
            onChange={(value?: string) => setMerchantId(value)}
            options={merchants.map((m) => ({ value: m.id, label: m.name }))}
          />
        </Form.Item>
        <NewCampusField field={campus.field} testId="new-device-campus" />
      </Form>
      {error ? <Alert type="error" message={error} /> : null}
    </Modal>
  );
}
