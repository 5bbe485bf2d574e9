import { App, Button, Card, Segmented, Space, Table, Tag } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, type Me, when, yuan } from '../api.ts';
import { devicePricesText } from '../components/DeviceConfigDrawer.tsx';
import { approvalKindText, describeError } from '../strings.ts';

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

const statusTag = {
  pending: ['gold', '待审批'],
  approving: ['blue', '执行中'],
  approved: ['green', '已批准'],
  rejected: ['red', '已驳回'],
  failed: ['volcano', '执行失败'],
} as const;

/** Maker–checker: adjustments and top-up refunds above the limit wait here for a second admin. */
export function ApprovalsPage({ me }: { me: Me }) {
  const { message } = App.useApp();
  const [status, setStatus] = useState<Approval['status']>('pending');
  const [items, setItems] = useState<Approval[]>([]);
  const load = useCallback(async () => {
    setItems((await api<{ items: Approval[] }>('GET', `/approvals?status=${status}`)).items);
  }, [status]);
  useEffect(() => {
    load().catch((e) => message.error(describeError(e)));
  }, [load, message]);
  const decide = async (id: string, decision: 'approve' | 'reject') => {
    try {
      await api('POST', `/approvals/${id}/${decision}`);
      message.success(decision === 'approve' ? '已批准并执行' : '已驳回');
      await load();
    } catch (e) {
      message.error(describeError(e));
    }
  };
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
          { title: '卡号 / 订单号 / 设备号', dataIndex: 'targetId' },
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
          { title: '发起人', dataIndex: 'makerName' },
          { title: '审批人', dataIndex: 'checkerName' },
          {
            title: '状态',
            dataIndex: 'status',
            render: (s: Approval['status'], a: Approval) => (
              <Tag color={statusTag[s][0]} title={a.failure ?? undefined}>
                {statusTag[s][1]}
              </Tag>
            ),
          },
          {
            title: '操作',
            render: (_: unknown, a: Approval) =>
              a.status === 'pending' && me.rights.includes('adjust.approve') ? (
                <Space>
                  <Button
                    type="primary"
                    size="small"
                    disabled={a.makerId === me.adminId}
                    onClick={() => decide(a.id, 'approve')}
                  >
                    批准
                  </Button>
                  <Button
                    size="small"
                    disabled={a.makerId === me.adminId}
                    onClick={() => decide(a.id, 'reject')}
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
