import type {
  BankMismatchView,
  BankTransferView,
  KioskCashBox,
  KioskCollection,
} from '@campus-card/core/contract';
import { shanghaiToday } from '@campus-card/core/time';
import { Alert, App, Button, Form, Input, Modal, Select, Space, Table, Tabs, Tag } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, type Me, newRequestId, when, yuan } from '../../api.ts';
import { confirmMoney } from '../../components/confirm.tsx';
import { parseYuan } from '../../components/money.ts';
import { describeBankError, bankText as t } from './strings.ts';

const statusColor: Record<string, string> = {
  credited: 'green',
  failed: 'default',
  reversed: 'default',
  pending: 'blue',
  uncertain: 'orange',
  confirmed: 'blue',
  unapplied: 'red',
};

function TransfersTab({ manage }: { manage: boolean }) {
  const { message } = App.useApp();
  const [status, setStatus] = useState<string>('');
  const [items, setItems] = useState<BankTransferView[]>([]);
  const [error, setError] = useState<string>();
  const [date, setDate] = useState(shanghaiToday());
  const reload = useCallback(() => {
    api<{ items: BankTransferView[] }>('GET', `/bank/transfers${status ? `?status=${status}` : ''}`).then(
      (r) => setItems(r.items),
      (e) => setError(describeBankError(e)),
    );
  }, [status]);
  useEffect(reload, [reload]);
  const act = (fn: () => Promise<unknown>) => fn().then(reload, (e) => setError(describeBankError(e)));
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {error ? <Alert type="error" message={error} closable onClose={() => setError(undefined)} /> : null}
      <Space wrap>
        <Select
          style={{ width: 160 }}
          aria-label="按状态筛选"
          value={status}
          onChange={setStatus}
          options={[
            { value: '', label: t.allStatuses },
            ...Object.entries(t.status).map(([value, label]) => ({ value, label })),
          ]}
        />
        {manage ? (
          <>
            <Button
              data-testid="bank-resolve"
              onClick={() =>
                act(async () => {
                  const r = await api<{ settled: number; left: number }>('POST', '/bank/resolve', {});
                  message.success(t.resolved(r.settled, r.left));
                })
              }
            >
              {t.resolve}
            </Button>
            <Input
              style={{ width: 140 }}
              aria-label={t.reconcileDate}
              value={date}
              onChange={(e) => setDate(e.target.value)}
            />
            <Button
              data-testid="bank-reconcile"
              onClick={() =>
                act(async () => {
                  const r = await api<{ checked: number; mismatches: number; confirmed: number }>(
                    'POST',
                    '/bank/reconciliation',
                    { date },
                  );
                  message.success(t.reconciled(r.checked, r.mismatches, r.confirmed));
                })
              }
            >
              {t.reconcile}
            </Button>
          </>
        ) : null}
      </Space>
      <div data-testid="bank-transfers">
        <Table
          rowKey="id"
          dataSource={items}
          pagination={{ pageSize: 20 }}
          columns={[
            { title: t.createdAt, render: (_, r) => when(r.createdAtMs) },
            { title: t.transferId, dataIndex: 'id' },
            { title: t.cardNo, dataIndex: 'cardNo' },
            {
              title: t.amount,
              render: (_, r) =>
                `${t.direction[r.direction] ?? ''}（${t.origin[r.origin] ?? ''}）${yuan(r.amount)}`,
            },
            {
              title: t.stateLabel,
              render: (_, r) => <Tag color={statusColor[r.status]}>{t.status[r.status] ?? r.status}</Tag>,
            },
            { title: t.serial, render: (_, r) => r.bankSerial ?? '' },
          ]}
        />
      </div>
    </Space>
  );
}

function MismatchesTab() {
  const [items, setItems] = useState<BankMismatchView[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    api<{ items: BankMismatchView[] }>('GET', '/bank/mismatches').then(
      (r) => setItems(r.items),
      (e) => setError(describeBankError(e)),
    );
  }, []);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {error ? <Alert type="error" message={error} /> : null}
      <Table
        rowKey={(r) => `${r.billDate}/${r.transferId}/${r.kind}`}
        dataSource={items}
        pagination={{ pageSize: 20 }}
        columns={[
          { title: t.billDate, dataIndex: 'billDate' },
          { title: t.transferId, dataIndex: 'transferId' },
          { title: t.stateLabel, render: (_, r) => <Tag color="red">{t.kind[r.kind] ?? r.kind}</Tag> },
          { title: t.ours, render: (_, r) => r.ours ?? '—' },
          { title: t.theirs, render: (_, r) => r.theirs ?? '—' },
        ]}
      />
    </Space>
  );
}

function BoxesTab({ manage }: { manage: boolean }) {
  const { modal, message } = App.useApp();
  const [items, setItems] = useState<KioskCashBox[]>([]);
  const [error, setError] = useState<string>();
  const [collecting, setCollecting] = useState<KioskCashBox>();
  const [form] = Form.useForm<{ counted: string; note?: string }>();
  const reload = useCallback(() => {
    api<{ items: KioskCashBox[] }>('GET', '/kiosks/cash-boxes').then(
      (r) => setItems(r.items),
      (e) => setError(describeBankError(e)),
    );
  }, []);
  useEffect(reload, [reload]);

  function onCounted(v: { counted: string; note?: string }) {
    const box = collecting;
    if (!box) return;
    const text = String(v.counted ?? '').trim();
    const parsed = /^0+(\.0{1,2})?$/.test(text) ? { fen: 0 } : parseYuan(text, { maxFen: 100_000_000 });
    if ('error' in parsed) {
      form.setFields([{ name: 'counted', errors: [parsed.error] }]);
      return;
    }
    const requestId = newRequestId();
    confirmMoney(modal, {
      title: t.collectConfirm,
      amountFen: parsed.fen,
      amountLabel: t.counted,
      details: [
        [t.device, box.deviceRef],
        [t.expected, yuan(box.openAmount)],
        [t.difference, yuan(parsed.fen - box.openAmount)],
      ],
      onOk: async () => {
        try {
          const c = await api<KioskCollection>('POST', '/kiosks/collections', {
            deviceRef: box.deviceRef,
            requestId,
            countedAmount: parsed.fen,
            ...(v.note?.trim() ? { note: v.note.trim() } : {}),
          });
          message.success(`${t.done}：${t.collection[c.status]}`);
          setCollecting(undefined);
          form.resetFields();
          reload();
        } catch (e) {
          setError(describeBankError(e));
        }
      },
    });
  }

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {error ? <Alert type="error" message={error} closable onClose={() => setError(undefined)} /> : null}
      <div data-testid="kiosk-boxes">
        <Table
          rowKey="deviceRef"
          dataSource={items}
          pagination={false}
          columns={[
            { title: t.device, dataIndex: 'deviceRef' },
            { title: t.openAmount, render: (_, r) => yuan(r.openAmount) },
            { title: t.openNotes, dataIndex: 'openNotes' },
            {
              title: t.lastCollected,
              render: (_, r) => (r.lastCollectedAtMs ? when(r.lastCollectedAtMs) : t.never),
            },
            ...(manage
              ? [
                  {
                    title: '',
                    render: (_: unknown, r: KioskCashBox) => (
                      <Button size="small" onClick={() => setCollecting(r)}>
                        {t.collect}
                      </Button>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </div>
      <Modal
        open={collecting !== undefined}
        title={collecting ? t.collectTitle(collecting.deviceRef) : ''}
        onCancel={() => setCollecting(undefined)}
        onOk={() => form.submit()}
        destroyOnClose
      >
        <Form form={form} layout="vertical" onFinish={onCounted}>
          <Form.Item name="counted" label={t.counted} rules={[{ required: true }]}>
            <Input inputMode="decimal" />
          </Form.Item>
          <Form.Item name="note" label={t.note}>
            <Input maxLength={200} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}

function CollectionsTab() {
  const [items, setItems] = useState<KioskCollection[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    api<{ items: KioskCollection[] }>('GET', '/kiosks/collections').then(
      (r) => setItems(r.items),
      (e) => setError(describeBankError(e)),
    );
  }, []);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {error ? <Alert type="error" message={error} /> : null}
      <div data-testid="kiosk-collections">
        <Table
          rowKey="id"
          dataSource={items}
          pagination={{ pageSize: 20 }}
          columns={[
            { title: t.collectedAt, render: (_, r) => when(r.createdAtMs) },
            { title: t.device, dataIndex: 'deviceRef' },
            { title: t.expected, render: (_, r) => yuan(r.expectedAmount) },
            { title: t.counted, render: (_, r) => yuan(r.countedAmount) },
            { title: t.difference, render: (_, r) => yuan(r.difference) },
            {
              title: t.stateLabel,
              render: (_, r) => (
                <Tag color={r.status === 'discrepancy' ? 'red' : 'green'}>{t.collection[r.status]}</Tag>
              ),
            },
            { title: t.collector, render: (_, r) => r.collectorName ?? r.collectorId },
            { title: t.note, render: (_, r) => r.note ?? '' },
          ]}
        />
      </div>
    </Space>
  );
}

/** 圈存与自助机: bank transfers with their states, reconciliation differences, kiosks' cash boxes and collections. */
export function BankPage({ me }: { me: Me }) {
  const manage = me.rights.includes('funds.manage');
  return (
    <Tabs
      items={[
        { key: 'transfers', label: t.tabs.transfers, children: <TransfersTab manage={manage} /> },
        { key: 'mismatches', label: t.tabs.mismatches, children: <MismatchesTab /> },
        { key: 'boxes', label: t.tabs.boxes, children: <BoxesTab manage={manage} /> },
        { key: 'collections', label: t.tabs.collections, children: <CollectionsTab /> },
      ]}
    />
  );
}
