import { Alert, App, Button, Descriptions, Drawer, Input, Progress, Space, Tag } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, type Me, yuan } from '../api.ts';
import { confirmMoney } from '../components/confirm.tsx';
import { describeError, walletText } from '../strings.ts';
import { type Batch, percent, pollMs, RowsTable, statusOf } from './funds-shared.tsx';

// The funds page's batch drawer.

/** One batch: its state, approval by another admin, posting with a progress bar that polls. */
export function BatchDrawer({ me, id, onClose }: { me: Me; id: string; onClose: () => void }) {
  const [batch, setBatch] = useState<Batch | null>(null);
  const [errorsOnly, setErrorsOnly] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const load = useCallback(
    () =>
      api<Batch>('GET', `/subsidy-batches/${id}${errorsOnly ? '?errorsOnly=true' : ''}`).then(setBatch, (e) =>
        setError(describeError(e)),
      ),
    [id, errorsOnly],
  );
  useEffect(() => {
    load();
  }, [load]);
  useEffect(() => {
    if (batch?.status !== 'posting') return;
    const timer = setTimeout(load, pollMs);
    return () => clearTimeout(timer);
  }, [batch, load]);

  const { modal } = App.useApp();
  const act = async (path: string, body: unknown = {}) => {
    setError(null);
    try {
      await api('POST', `/subsidy-batches/${id}/${path}`, body);
      setRejecting(false);
      await load();
    } catch (e) {
      setError(describeError(e));
    }
  };
  /** Approving and posting move money: confirmed with the total in figures and in 大写. */
  const confirmAct = (path: 'approve' | 'post') => {
    if (!batch) return;
    confirmMoney(modal, {
      title: path === 'post' ? `确认入账：${batch.title}` : `确认审批通过：${batch.title}`,
      amountFen: batch.totalAmount,
      amountLabel: '合计金额',
      details: [
        ['人数', `${batch.validCount} 人（错误行 ${batch.errorCount} 行不入账）`],
        ['钱包', walletText.subsidy ?? ''],
      ],
      note:
        path === 'post'
          ? `确认后逐笔发放到每人的${walletText.subsidy}，不可撤销。`
          : '审批通过后由财务入账。',
      okText: path === 'post' ? '确认入账' : '确认通过',
      onOk: () => act(path),
    });
  };
  const mine = batch?.createdBy === me.adminId;
  const approve = me.rights.includes('funds.approve');
  const post = me.rights.includes('funds.manage');
  // A draft that needs a checker is never posted by anyone before approval (the core refuses it too).
  const canPost =
    batch &&
    (batch.status === 'approved' ||
      batch.status === 'posting' ||
      (batch.status === 'draft' && !batch.approvalRequired));

  return (
    <Drawer open width={820} title={batch?.title ?? '补贴批次'} onClose={onClose}>
      {error ? (
        <Alert type="error" data-testid="batch-error" message={error} style={{ marginBottom: 12 }} />
      ) : null}
      {batch ? (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Descriptions size="small" column={2} bordered>
            <Descriptions.Item label="状态">
              <Tag data-testid="batch-status" color={statusOf(batch)[0]}>
                {statusOf(batch)[1]}
              </Tag>
            </Descriptions.Item>
            <Descriptions.Item label="合计金额">{yuan(batch.totalAmount)}</Descriptions.Item>
            <Descriptions.Item label="有效 / 错误行">
              {batch.validCount} / {batch.errorCount}
            </Descriptions.Item>
            <Descriptions.Item label="需要复核">
              <span data-testid="batch-approval">
                {batch.status !== 'draft'
                  ? batch.approvedBy
                    ? '已复核'
                    : '—'
                  : batch.approvalRequired
                    ? '是（超过限额，需另一位管理员审批）'
                    : '否（限额内，可直接入账）'}
              </span>
            </Descriptions.Item>
            <Descriptions.Item label="已入账">
              {batch.postedCount} 笔，{yuan(batch.postedAmount)}
            </Descriptions.Item>
            <Descriptions.Item label="入账失败">{batch.failedCount} 笔</Descriptions.Item>
            {batch.rejectReason ? (
              <Descriptions.Item label="驳回原因">{batch.rejectReason}</Descriptions.Item>
            ) : null}
          </Descriptions>
          <Progress
            aria-label="入账进度"
            data-testid="batch-progress"
            percent={percent(batch.progress)}
            format={(p) => `${p}% (${batch.progress.done}/${batch.progress.total})`}
            status={batch.status === 'posting' ? 'active' : undefined}
          />
          {batch.status === 'draft' && batch.approvalRequired ? (
            <Alert
              type="info"
              message={
                mine
                  ? '本批次超过限额，需由另一位财务或超级管理员审批后方可入账（已列入审批页）。'
                  : '本批次超过限额，需审批后方可入账。'
              }
            />
          ) : null}
          <Space>
            {approve && !mine && batch.status === 'draft' ? (
              <Button type="primary" onClick={() => confirmAct('approve')}>
                审批通过
              </Button>
            ) : null}
            {approve && (batch.status === 'draft' || batch.status === 'approved') ? (
              <Button danger onClick={() => setRejecting(true)}>
                驳回
              </Button>
            ) : null}
            {post && canPost && batch.status !== 'posting' ? (
              <Button type="primary" onClick={() => confirmAct('post')}>
                入账
              </Button>
            ) : null}
            <Button onClick={() => setErrorsOnly(!errorsOnly)}>
              {errorsOnly ? '显示全部行' : '只看错误行'}
            </Button>
          </Space>
          {rejecting ? (
            <Space.Compact style={{ width: '100%' }}>
              <Input placeholder="驳回原因" value={reason} onChange={(e) => setReason(e.target.value)} />
              <Button danger disabled={!reason.trim()} onClick={() => act('reject', { reason })}>
                确认驳回
              </Button>
            </Space.Compact>
          ) : null}
          <RowsTable rows={batch.rows ?? []} testId="batch-rows" />
        </Space>
      ) : null}
    </Drawer>
  );
}
