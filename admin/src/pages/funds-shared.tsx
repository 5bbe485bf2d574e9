import type { SubsidyRow as Row, SubsidyBatch } from '@campus-card/core/contract';
import { Table, Tag } from 'antd';
import { outcomeText } from '../strings.ts';

// What the funds page's parts share: a batch's states and row errors in words, the rows table.

/** A batch as the list shows it, and with a page of its rows when opened. */
export type Batch = SubsidyBatch & { rows?: Row[] };
export type Source =
  | { csv: string }
  | { xlsxBase64: string }
  | { department: string; amount: string }
  | { classCode: string; amount: string };

export const batchStatus = {
  draft: ['gold', '待审批'],
  approved: ['blue', '已审批，待入账'],
  rejected: ['default', '已驳回'],
  posting: ['processing', '入账中'],
  posted: ['green', '已入账'],
} as const;

/**
 * A batch's status as one consistent phrase: a draft waits for a checker only when approval is
 * required (over the threshold, or over its maker's unchecked total for the day); otherwise it waits
 * to be posted.
 */
export function statusOf(b: Pick<Batch, 'status' | 'approvalRequired'>): readonly [string, string] {
  if (b.status === 'draft' && !b.approvalRequired) return ['cyan', '待入账（无需审批）'];
  return batchStatus[b.status];
}

export const rowErrorText: Record<string, string> = {
  UNKNOWN_PERSON: '查无此人',
  NO_ACTIVE_CARD: '无正常状态的卡',
  BAD_AMOUNT: '金额有误',
  DUPLICATE_ROW: '名单中重复',
  BAD_ROW: '格式有误',
};

export const pollMs = 800;
export const percent = (p: { done: number; total: number }) =>
  p.total ? Math.floor((p.done / p.total) * 100) : 100;

export function RowsTable({ rows, testId }: { rows: Row[]; testId: string }) {
  return (
    <Table
      data-testid={testId}
      rowKey="rowNo"
      size="small"
      dataSource={rows}
      pagination={{ pageSize: 10 }}
      rowClassName={(r) => (r.error ? 'row-error' : '')}
      columns={[
        { title: '行', dataIndex: 'rowNo', width: 50 },
        { title: '学工号', dataIndex: 'personNo' },
        { title: '姓名', dataIndex: 'name' },
        { title: '金额', dataIndex: 'amountText' },
        { title: '备注', dataIndex: 'note' },
        {
          title: '结果',
          render: (_: unknown, r: Row) =>
            r.error ? (
              <Tag color="red">{rowErrorText[r.error] ?? r.error}</Tag>
            ) : r.status === 'failed' ? (
              <Tag color="red">入账{outcomeText(r.resultCode ?? '')}</Tag>
            ) : r.status === 'posted' ? (
              <Tag color="green">已入账</Tag>
            ) : (
              <Tag>待入账</Tag>
            ),
        },
      ]}
    />
  );
}
