import { DownloadOutlined } from '@ant-design/icons';
import type {
  MerchantListItem as Merchant,
  TopUpMismatch as Mismatch,
  MerchantStatement as Statement,
} from '@campus-card/core/contract';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Modal,
  Segmented,
  Select,
  Space,
  Table,
  Tag,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { api, type Me, when, yuan } from '../api.ts';
import { dayText, shanghaiTodayValue } from '../calendar.ts';
import {
  CampusExtra,
  type Campuses,
  CampusScopeNote,
  campusName,
  NewCampusField,
  useCampusFilter,
  useNewCampus,
} from '../components/campus.tsx';
import { confirmMoney } from '../components/confirm.tsx';
import { download } from '../download.ts';
import {
  campusText,
  describeError,
  merchantText as t,
  topUpChannelOptions,
  topUpChannelText,
} from '../strings.ts';
import { useWindowCapacities, WindowCapacityCell, windowCapacityColumnTitle } from './WindowCapacity.tsx';

const percent = (bp: number) => `${(bp / 100).toFixed(2)}%`;

/** Merchants (list, create, enable/disable), a merchant's daily statement and settlement, and the WeChat Pay bill check. */
export function MerchantsPage({ me }: { me: Me }) {
  const manage = me.rights.includes('merchant.manage');
  const settlements = me.rights.includes('settlement.read');
  const [items, setItems] = useState<Merchant[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  // Every campus's merchants until one is picked (the API already narrows a campus admin's list).
  const byCampus = useCampusFilter();
  const { campuses, campus } = byCampus;
  const shown = items.filter((m) => byCampus.inCampus(m.campusId));
  const windowCapacities = useWindowCapacities(me.rights.includes('merchant.read'));

  const load = useCallback(() => {
    api<{ items: Merchant[] }>('GET', '/merchants').then(
      (r) => {
        setItems(r.items);
        setSelected((s) => s ?? r.items[0]?.id ?? null);
      },
      (e) => setError(describeError(e)),
    );
  }, []);
  useEffect(load, [load]);

  const { modal } = App.useApp();
  // Disabling stops every payment to the merchant at once; enabling lets them take money again.
  const setStatus = (m: Merchant) =>
    confirmMoney(modal, {
      title: `${m.status === 'active' ? t.disable : t.enable}商户：${m.name}（${m.id}）？`,
      details: [
        [t.categoryLabel, t.category[m.category] ?? m.category],
        [t.feeRate, percent(m.feeRateBp)],
      ],
      note:
        m.status === 'active'
          ? '停用后该商户的所有终端立即不能收款，已完成的交易和结算不受影响。'
          : '启用后该商户的终端即可收款。',
      okText: m.status === 'active' ? `确认${t.disable}` : `确认${t.enable}`,
      danger: m.status === 'active',
      onOk: async () => {
        setError(null);
        try {
          await api('POST', `/merchants/${encodeURIComponent(m.id)}/status`, {
            status: m.status === 'active' ? 'disabled' : 'active',
          });
          load();
        } catch (e) {
          setError(describeError(e));
        }
      },
    });

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card
        title={t.title}
        extra={
          <CampusExtra filter={byCampus} testId="merchant-campus">
            {manage ? (
              <Button type="primary" onClick={() => setCreating(true)}>
                {t.create}
              </Button>
            ) : null}
          </CampusExtra>
        }
      >
        <CampusScopeNote me={me} campuses={campuses} />
        {error ? <Alert type="error" message={error} style={{ marginBottom: 12 }} /> : null}
        <Table
          rowKey="id"
          size="small"
          dataSource={shown}
          pagination={{ pageSize: 20 }}
          data-testid="merchants"
          columns={[
            { title: t.id, dataIndex: 'id' },
            { title: t.name, dataIndex: 'name' },
            { title: t.categoryLabel, dataIndex: 'category', render: (c: string) => t.category[c] ?? c },
            {
              title: campusText.campus,
              dataIndex: 'campusId',
              render: (c: string | null) => campusName(campuses, c),
            },
            { title: t.feeRate, dataIndex: 'feeRateBp', render: percent },
            {
              title: windowCapacityColumnTitle,
              render: (_: unknown, m: Merchant) =>
                m.category === 'canteen' ? (
                  <WindowCapacityCell
                    merchant={m}
                    value={windowCapacities.capacities.get(m.id)}
                    manage={manage}
                    onSaved={windowCapacities.reload}
                  />
                ) : (
                  '—'
                ),
            },
            {
              title: t.status,
              dataIndex: 'status',
              render: (s: Merchant['status']) =>
                s === 'active' ? <Tag color="green">{t.active}</Tag> : <Tag>{t.disabled}</Tag>,
            },
            {
              title: t.actions,
              render: (_: unknown, m: Merchant) => (
                <Space>
                  {settlements ? (
                    <Button size="small" onClick={() => setSelected(m.id)}>
                      {t.openStatement}
                    </Button>
                  ) : null}
                  {manage ? (
                    <Button size="small" danger={m.status === 'active'} onClick={() => setStatus(m)}>
                      {m.status === 'active' ? t.disable : t.enable}
                    </Button>
                  ) : null}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      {settlements ? (
        <StatementCard
          merchants={shown}
          selected={selected}
          onSelect={setSelected}
          manage={manage}
          campus={campus ? campusName(campuses, campus) : null}
          campusId={campus}
        />
      ) : null}
      {/* The payment platforms' bills are the whole centre's. */}
      {settlements && !me.campusId ? <MismatchCard /> : null}
      {creating ? (
        <CreateDialog
          campuses={campuses}
          onClose={(created) => {
            setCreating(false);
            if (created) {
              setSelected(created.id);
              load();
            }
          }}
        />
      ) : null}
    </Space>
  );
}

function StatementCard({
  merchants,
  selected,
  onSelect,
  manage,
  campus,
  campusId,
}: {
  merchants: Merchant[];
  selected: string | null;
  onSelect: (id: string) => void;
  manage: boolean;
  /** The campus picked on the page (its name), whose merchants alone a settlement run takes. */
  campus: string | null;
  campusId: string;
}) {
  const [day, setDay] = useState<Dayjs>(() => shanghaiTodayValue());
  const [statement, setStatement] = useState<Statement | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const path = selected ? `/merchants/${encodeURIComponent(selected)}/statements/${dayText(day)}` : null;

  useEffect(() => {
    setStatement(null);
    setError(null);
    if (!path || version < 0) return;
    api<Statement>('GET', path).then(setStatement, (e) => setError(describeError(e)));
  }, [path, version]);

  const settle = () =>
    Modal.confirm({
      title: t.settleConfirm(dayText(day)),
      content: campus ? `${t.settleHint}${campusText.settleCampus(campus)}。` : t.settleHint,
      okText: t.settle,
      onOk: async () => {
        setError(null);
        try {
          const query = campusId ? `?campusId=${encodeURIComponent(campusId)}` : '';
          const r = await api<{ items: Statement[] }>('POST', `/settlements/${dayText(day)}${query}`, {});
          setNotice(t.settledDone(dayText(day), r.items.length));
          setVersion((v) => v + 1);
        } catch (e) {
          setError(describeError(e));
        }
      },
    });

  return (
    <Card
      title={t.statement}
      extra={
        <Space>
          <Select
            style={{ width: 220 }}
            aria-label={t.chooseMerchant}
            placeholder={t.chooseMerchant}
            value={selected ?? undefined}
            onChange={onSelect}
            showSearch
            optionFilterProp="label"
            options={merchants.map((m) => ({ value: m.id, label: `${m.name}（${m.id}）` }))}
            data-testid="statement-merchant"
          />
          <DatePicker value={day} onChange={(d) => d && setDay(d)} allowClear={false} />
          <Button
            icon={<DownloadOutlined />}
            disabled={!path}
            onClick={() => path && download(`${path}?format=csv`).catch((e) => setError(describeError(e)))}
          >
            {t.exportCsv}
          </Button>
          <Button
            icon={<DownloadOutlined />}
            disabled={!path}
            onClick={() => path && download(`${path}?format=xlsx`).catch((e) => setError(describeError(e)))}
          >
            {t.exportXlsx}
          </Button>
          {manage ? <Button onClick={settle}>{t.settle}</Button> : null}
        </Space>
      }
    >
      {error ? <Alert type="error" message={error} style={{ marginBottom: 12 }} /> : null}
      {notice ? <Alert type="success" message={notice} style={{ marginBottom: 12 }} closable /> : null}
      {statement ? (
        <Descriptions bordered size="small" column={3} data-testid="statement">
          <Descriptions.Item label={t.day}>{statement.day}</Descriptions.Item>
          <Descriptions.Item label={t.paymentCount}>{statement.paymentCount}</Descriptions.Item>
          <Descriptions.Item label={t.paymentAmount}>{yuan(statement.paymentAmount)}</Descriptions.Item>
          <Descriptions.Item label={t.refunds}>
            {statement.refundCount} / {yuan(statement.refundAmount)}
          </Descriptions.Item>
          <Descriptions.Item label={t.fee}>{yuan(statement.feeAmount)}</Descriptions.Item>
          <Descriptions.Item label={t.net}>{yuan(statement.netAmount)}</Descriptions.Item>
          <Descriptions.Item label={t.journal}>{yuan(statement.journalNetAmount)}</Descriptions.Item>
          <Descriptions.Item label={t.reconcile}>
            {statement.reconciled ? (
              <Tag color="green">{t.reconciled}</Tag>
            ) : (
              <Tag color="red">{t.notReconciled}</Tag>
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t.settled}>
            {statement.settled ? <Tag color="blue">{t.settled}</Tag> : <Tag>{t.notSettled}</Tag>}
          </Descriptions.Item>
        </Descriptions>
      ) : null}
    </Card>
  );
}

function MismatchCard() {
  const [billDate, setBillDate] = useState<Dayjs>(() => shanghaiTodayValue(-1));
  const [items, setItems] = useState<Mismatch[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [channel, setChannel] = useState('all');
  const query = `/top-up-mismatches?billDate=${dayText(billDate)}${channel === 'all' ? '' : `&channel=${channel}`}`;
  useEffect(() => {
    setError(null);
    api<{ items: Mismatch[] }>('GET', query).then(
      (r) => setItems(r.items),
      (e) => setError(describeError(e)),
    );
  }, [query]);
  return (
    <Card
      title={t.mismatches}
      extra={
        <Space>
          <Segmented
            options={topUpChannelOptions}
            value={channel}
            onChange={(v) => setChannel(String(v))}
            data-testid="mismatch-channel"
          />
          <span>{t.billDate}</span>
          <DatePicker
            value={billDate}
            onChange={(d) => d && setBillDate(d)}
            allowClear={false}
            data-testid="bill-date"
          />
          <Button
            icon={<DownloadOutlined />}
            onClick={() => download(`${query}&format=csv`).catch((e) => setError(describeError(e)))}
          >
            {t.exportCsv}
          </Button>
          <Button
            icon={<DownloadOutlined />}
            onClick={() => download(`${query}&format=xlsx`).catch((e) => setError(describeError(e)))}
          >
            {t.exportXlsx}
          </Button>
        </Space>
      }
    >
      {error ? <Alert type="error" message={error} style={{ marginBottom: 12 }} /> : null}
      <Table
        rowKey={(m) => `${m.billDate}/${m.outTradeNo}/${m.outRefundNo ?? ''}/${m.kind}`}
        size="small"
        dataSource={items}
        locale={{ emptyText: t.noMismatches }}
        pagination={{ pageSize: 20 }}
        columns={[
          { title: t.outTradeNo, dataIndex: 'outTradeNo' },
          { title: t.outRefundNo, dataIndex: 'outRefundNo', render: (v: string | null) => v ?? '—' },
          {
            title: '渠道',
            dataIndex: 'channel',
            render: (c: string | null) => (c ? <Tag>{topUpChannelText[c] ?? c}</Tag> : '—'),
          },
          {
            title: t.kind,
            dataIndex: 'kind',
            render: (k: string, m: Mismatch) => (
              <Tag color="orange">{(m.outRefundNo ? t.refundMismatchKind : t.mismatchKind)[k] ?? k}</Tag>
            ),
          },
          { title: t.ours, dataIndex: 'ours', render: (v: string | null) => v ?? '—' },
          { title: t.theirs, dataIndex: 'theirs', render: (v: string | null) => v ?? '—' },
          { title: t.foundAt, dataIndex: 'foundAtMs', render: when },
        ]}
      />
    </Card>
  );
}

function CreateDialog({ campuses, onClose }: { campuses: Campuses; onClose: (created?: Merchant) => void }) {
  const [id, setId] = useState('');
  const campus = useNewCampus(campuses);
  const [name, setName] = useState('');
  const [category, setCategory] = useState('canteen');
  const [feePercent, setFeePercent] = useState<number>(0);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    setError(null);
    try {
      onClose(
        await api<Merchant>('POST', '/merchants', {
          ...(id.trim() ? { id: id.trim() } : {}),
          name,
          category,
          feeRateBp: Math.round(feePercent * 100),
          campusId: campus.campusId,
        }),
      );
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <Modal open title={t.create} okText={t.create} onOk={submit} onCancel={() => onClose()}>
      <Form layout="vertical">
        <Form.Item label={t.idOptional}>
          <Input value={id} onChange={(e) => setId(e.target.value)} />
        </Form.Item>
        <Form.Item label={t.name}>
          <Input value={name} onChange={(e) => setName(e.target.value)} />
        </Form.Item>
        <NewCampusField field={campus.field} testId="new-merchant-campus" />
        <Form.Item label={t.categoryLabel}>
          <Select
            value={category}
            onChange={setCategory}
            options={Object.entries(t.category).map(([value, label]) => ({ value, label }))}
          />
        </Form.Item>
        <Form.Item label={t.feeRatePercent}>
          <InputNumber
            min={0}
            max={100}
            step={0.01}
            precision={2}
            value={feePercent}
            onChange={(v) => setFeePercent(v ?? 0)}
          />
        </Form.Item>
      </Form>
      {error ? <Alert type="error" message={error} /> : null}
    </Modal>
  );
}
