import { App, Button, Card, Segmented, Space, Table, Tag } from 'antd';
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { api, type Me, when, yuan } from '../api.ts';
import { confirmMoney } from '../components/confirm.tsx';
import { devicePricesText } from '../components/device-config-draft.ts';
import { amountInWords } from '../components/money.ts';
import { approvalKindText, describeError, deviceConfigText, outcomeText } from '../strings.ts';

interface Approval {
  id: string;
  kind: string;
  amount: number;
  reason: string;
  targetId: string | null;
  status: 'pending' | 'approving' | 'approved' | 'rejected' | 'failed';
  /** The refusal's code when the approved action could not be carried out. */
  failure: string | null;
  makerId: string;
  makerName: string | null;
  checkerId: string | null;
  checkerName: string | null;
  createdAtMs: number;
  payload: { wallet?: string; prices?: Parameters<typeof devicePricesText>[0] };
}

/** A device's new prices, each in figures and in capital numerals. */
function PricesInWords({ prices }: { prices: Parameters<typeof devicePricesText>[0] }) {
  return (
    <div>
      {prices.priceItems.map((i) => (
        <div key={i.itemNo}>
          {i.itemNo} {i.name}：{yuan(i.priceFen)}（{amountInWords(i.priceFen)}）
        </div>
      ))}
      {prices.meter.unit === 'none' ? null : (
        <div>
          {yuan(prices.meter.priceFen)}（{amountInWords(prices.meter.priceFen)}）/ {prices.meter.priceUnits}{' '}
          {deviceConfigText.units[prices.meter.unit]}
        </div>
      )}
    </div>
  );
}

/** A subsidy batch waiting for its checker (GET /subsidy-batches?status=draft). */
interface PendingBatch {
  id: string;
  title: string;
  status: string;
  totalAmount: number;
  validCount: number;
  approvalRequired: boolean;
  createdBy: string;
  createdAtMs: number;
}

/** A subsidy batch in the queue's shape: approved and rejected on the funds page's own routes. */
const batchRow = (b: PendingBatch): Approval => ({
  id: b.id,
  kind: 'subsidy_batch',
  amount: b.totalAmount,
  reason: `${b.title}（${b.validCount} 人）`,
  targetId: b.id,
  status: 'pending',
  failure: null,
  makerId: b.createdBy,
  makerName: null,
  checkerId: null,
  checkerName: null,
  createdAtMs: b.createdAtMs,
  payload: {},
});

const statusTag = {
  pending: ['gold', '待审批'],
  approving: ['blue', '执行中'],
  approved: ['green', '已批准'],
  rejected: ['red', '已驳回'],
  failed: ['volcano', '执行失败'],
} as const;

/**
 * Maker–checker: adjustments, cash top-ups, top-up refunds and device price changes above their limit,
 * and subsidy batches above the batch threshold, wait here for a second admin; every decision is
 * confirmed with its amount in figures and in 大写.
 */
export function ApprovalsPage({ me }: { me: Me }) {
  const { message, modal } = App.useApp();
  const [status, setStatus] = useState<Approval['status']>('pending');
  const [items, setItems] = useState<Approval[]>([]);
  const batches = me.rights.includes('funds.read');
  const load = useCallback(async () => {
    const [approvals, drafts] = await Promise.all([
      api<{ items: Approval[] }>('GET', `/approvals?status=${status}`),
      batches && status === 'pending'
        ? api<{ items: PendingBatch[] }>('GET', '/subsidy-batches?status=draft')
        : { items: [] },
    ]);
    const waiting = drafts.items.filter((b) => b.approvalRequired).map(batchRow);
    setItems([...waiting, ...approvals.items].sort((a, b) => b.createdAtMs - a.createdAtMs));
  }, [status, batches]);
  useEffect(() => {
    load().catch((e) => message.error(describeError(e)));
  }, [load, message]);
  const decide = (a: Approval, decision: 'approve' | 'reject') =>
    confirmMoney(modal, {
      title: `${decision === 'approve' ? '确认批准' : '确认驳回'}：${approvalKindText[a.kind] ?? '审批'}`,
      // A price change has no single amount: its new prices are shown instead, each with its 大写.
      ...(a.payload.prices ? {} : { amountFen: a.amount }),
      details: [
        ...(a.payload.prices
          ? ([['新价格', <PricesInWords key="p" prices={a.payload.prices} />]] as [string, ReactNode][])
          : []),
        ['对象', a.targetId ?? '—'],
        ['原因', a.reason],
        ['发起人', a.makerName ?? '—'],
      ],
      note: decision === 'approve' ? '批准后立即执行，款项随即变动。' : '驳回后该申请不再执行。',
      okText: decision === 'approve' ? '确认批准' : '确认驳回',
      danger: decision === 'reject',
      onOk: async () => {
        try {
          if (a.kind === 'subsidy_batch') await api('POST', `/subsidy-batches/${a.id}/approve`);
          else await api('POST', `/approvals/${a.id}/${decision}`);
          message.success(
            decision === 'reject'
              ? '已驳回'
              : a.kind === 'subsidy_batch'
                ? '已批准，可由财务入账'
                : '已批准并执行',
          );
          await load();
        } catch (e) {
          message.error(describeError(e));
        }
      },
    });
  return (
    <Card
      title="审批"
      extra={
        <Segmented
          value={status}
          onChange={(v) => setStatus(v as Approval['status'])}
          options={[
            { value: 'pending', label: '待审批' },
            { value: 'approved', label: '已批准' },
            { value: 'rejected', label: '已驳回' },
            { value: 'failed', label: '执行失败' },
          ]}
        />
      }
    >
      <Table
        rowKey="id"
        dataSource={items}
        pagination={false}
        columns={[
          { title: '提交时间', dataIndex: 'createdAtMs', render: when },
          { title: '类型', dataIndex: 'kind', render: (k: string) => approvalKindText[k] ?? k },
          { title: '卡号 / 订单号 / 设备号 / 批次', dataIndex: 'targetId' },
          { title: '金额', dataIndex: 'amount', render: yuan },
          {
            title: '原因',
            dataIndex: 'reason',
            // A device's price change: the checker reads the new prices here (docs/admin.md).
            render: (reason: string, a: Approval) =>
              a.payload.prices ? (
                <>
                  <div>{reason}</div>
                  <div data-testid="approval-prices">{devicePricesText(a.payload.prices)}</div>
                </>
              ) : (
                reason
              ),
          },
          {
            title: '发起人',
            dataIndex: 'makerName',
            render: (n: string | null, a: Approval) => n ?? (a.makerId === me.adminId ? '本人' : '—'),
          },
          { title: '审批人', dataIndex: 'checkerName' },
          {
            title: '状态',
            dataIndex: 'status',
            render: (s: Approval['status'], a: Approval) => (
              <Tag color={statusTag[s][0]} title={a.failure ? outcomeText(a.failure) : undefined}>
                {statusTag[s][1]}
              </Tag>
            ),
          },
          {
            title: '操作',
            render: (_: unknown, a: Approval) =>
              a.kind === 'subsidy_batch' ? (
                <Space>
                  {me.rights.includes('funds.approve') ? (
                    <Button
                      type="primary"
                      size="small"
                      disabled={a.makerId === me.adminId}
                      onClick={() => decide(a, 'approve')}
                    >
                      批准
                    </Button>
                  ) : null}
                  <Button size="small" href={`#/funds/${a.id}`}>
                    查看 / 驳回
                  </Button>
                </Space>
              ) : a.status === 'pending' && me.rights.includes('adjust.approve') ? (
                <Space>
                  <Button
                    type="primary"
                    size="small"
                    disabled={a.makerId === me.adminId}
                    onClick={() => decide(a, 'approve')}
                  >
                    批准
                  </Button>
                  <Button
                    size="small"
                    disabled={a.makerId === me.adminId}
                    onClick={() => decide(a, 'reject')}
                  >
                    驳回
                  </Button>
                </Space>
              ) : null,
          },
        ]}
      />
    </Card>
  );
}
