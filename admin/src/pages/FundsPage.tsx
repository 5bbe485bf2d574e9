import type { SubsidyClearing as Clearing } from '@campus-card/core/contract';
import { Alert, App, Button, Card, Input, Modal, Progress, Space, Table, Tag } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, type Me, when, yuan } from '../api.ts';
import { confirmMoney } from '../components/confirm.tsx';
import { describeError, walletText } from '../strings.ts';
import { BatchDrawer } from './FundsBatch.tsx';
import { ImportDialog } from './FundsImport.tsx';
import { type Batch, percent, pollMs, statusOf } from './funds-shared.tsx';

/** Subsidy batches (import, preview, maker–checker, posting with progress) and term-end clearing. */
export function FundsPage({ me }: { me: Me }) {
  const [batches, setBatches] = useState<Batch[]>([]);
  const [clearings, setClearings] = useState<Clearing[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  // #/funds/<batch id> (the approvals queue links here) opens that batch.
  const [openId, setOpenId] = useState<string | null>(
    () => /^#\/funds\/([0-9A-Z]{26})$/.exec(window.location.hash)?.[1] ?? null,
  );
  const [clearOpen, setClearOpen] = useState(false);
  const manage = me.rights.includes('funds.manage');

  const load = useCallback(() => {
    api<{ items: Batch[] }>('GET', '/subsidy-batches').then(
      (p) => setBatches(p.items),
      (e) => setError(describeError(e)),
    );
    api<{ items: Clearing[] }>('GET', '/subsidy-clearings').then(
      (p) => setClearings(p.items),
      (e) => setError(describeError(e)),
    );
  }, []);
  useEffect(load, [load]);
  // A clearing that is running is followed until it is done.
  useEffect(() => {
    if (!clearings.some((c) => c.status === 'running')) return;
    const timer = setTimeout(load, pollMs);
    return () => clearTimeout(timer);
  }, [clearings, load]);

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      {error ? <Alert type="error" message={error} /> : null}
      <Card
        title="补贴发放批次"
        extra={
          manage ? (
            <Button type="primary" onClick={() => setImporting(true)}>
              导入补贴名单
            </Button>
          ) : null
        }
      >
        <Table
          rowKey="id"
          size="small"
          dataSource={batches}
          pagination={false}
          onRow={(b) => ({ onClick: () => setOpenId(b.id), style: { cursor: 'pointer' } })}
          columns={[
            { title: '批次', dataIndex: 'title' },
            { title: '创建时间', dataIndex: 'createdAtMs', render: when },
            {
              title: '状态',
              dataIndex: 'status',
              render: (_: unknown, b: Batch) => <Tag color={statusOf(b)[0]}>{statusOf(b)[1]}</Tag>,
            },
            { title: '有效/错误行', render: (_: unknown, b: Batch) => `${b.validCount} / ${b.errorCount}` },
            { title: '总金额', dataIndex: 'totalAmount', render: yuan },
            {
              title: '入账进度',
              render: (_: unknown, b: Batch) => (
                <Progress aria-label="入账进度" size="small" percent={percent(b.progress)} />
              ),
            },
          ]}
        />
      </Card>
      <Card
        title="学期末补贴清零"
        extra={
          manage ? (
            <Button danger onClick={() => setClearOpen(true)}>
              发起清零
            </Button>
          ) : null
        }
      >
        <Table
          rowKey="id"
          size="small"
          dataSource={clearings}
          pagination={false}
          columns={[
            { title: '发起时间', dataIndex: 'createdAtMs', render: when },
            { title: '原因', dataIndex: 'reason' },
            {
              title: '进度',
              render: (_: unknown, c: Clearing) => (
                <Progress
                  aria-label="清零进度"
                  size="small"
                  data-testid="clearing-progress"
                  percent={c.status === 'done' ? 100 : percent({ done: c.clearedCount, total: c.cardCount })}
                />
              ),
            },
            { title: '清零卡数', dataIndex: 'clearedCount' },
            { title: '清零金额', dataIndex: 'clearedAmount', render: yuan },
          ]}
        />
      </Card>
      {importing ? (
        <ImportDialog
          onClose={(id) => {
            setImporting(false);
            load();
            if (id) setOpenId(id);
          }}
        />
      ) : null}
      {openId ? (
        <BatchDrawer
          me={me}
          id={openId}
          onClose={() => {
            setOpenId(null);
            if (window.location.hash.startsWith('#/funds/')) window.location.hash = '/funds';
            load();
          }}
        />
      ) : null}
      {clearOpen ? (
        <ClearingDialog
          onClose={() => {
            setClearOpen(false);
            load();
          }}
        />
      ) : null}
    </Space>
  );
}

/** Term-end clearing: the reason, then the shared confirmation with what it will take, in 大写. */
function ClearingDialog({ onClose }: { onClose: () => void }) {
  const { modal } = App.useApp();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const start = async () => {
    setError(null);
    try {
      const preview = await api<{ cardCount: number; totalAmount: number }>(
        'GET',
        '/subsidy-clearings/preview',
      );
      confirmMoney(modal, {
        title: '确认学期末补贴清零',
        amountFen: preview.totalAmount,
        amountLabel: '清零金额',
        details: [
          ['卡数', `${preview.cardCount} 张`],
          ['原因', reason.trim()],
        ],
        note: `所有${walletText.subsidy}的余额转回补贴资金账户，不可撤销。`,
        okText: '确认清零',
        danger: true,
        onOk: async () => {
          try {
            await api('POST', '/subsidy-clearings', { reason });
            onClose();
          } catch (e) {
            setError(describeError(e));
          }
        },
      });
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <Modal
      open
      title="学期末补贴清零"
      okText="下一步"
      okButtonProps={{ danger: true, disabled: !reason.trim() }}
      onOk={start}
      onCancel={onClose}
    >
      <p>所有{walletText.subsidy}的余额将转回补贴资金账户，主钱包不受影响。此操作不可撤销。</p>
      <Input
        placeholder="原因，如：2026 秋季学期末补贴清零"
        value={reason}
        onChange={(e) => setReason(e.target.value)}
      />
      {error ? <Alert type="error" message={error} style={{ marginTop: 12 }} /> : null}
    </Modal>
  );
}
