import type { SyncRun, SyncRunError } from '@campus-card/core/contract';
import { Alert, Button, Card, Drawer, Progress, Space, Table, Tag } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, type Me, when } from '../api.ts';
import { describeError } from '../strings.ts';

const statusTag = {
  running: ['blue', '运行中'],
  succeeded: ['green', '成功'],
  failed: ['red', '失败'],
} as const;

const pollMs = 1000;
const countText: Record<string, string> = {
  created: '新建',
  updated: '更新',
  cancelled: '注销',
  invalid: '无效行',
  roster: '考勤名单',
};
const describeCounts = (c: Record<string, number>) =>
  Object.entries(c)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${countText[k] ?? k} ${n}`)
    .join('，');

/** The identity sync's runs: start one (sync.run), follow its progress, open its rows not applied. */
export function SyncPage({ me }: { me?: Me }) {
  const [items, setItems] = useState<SyncRun[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const load = useCallback(() => {
    api<{ items: SyncRun[] }>('GET', '/sync/runs').then(
      (page) => setItems(page.items),
      (e) => setError(describeError(e)),
    );
  }, []);
  useEffect(load, [load]);
  // A run that is going is followed until it ends.
  useEffect(() => {
    if (!items.some((r) => r.status === 'running')) return;
    const timer = setTimeout(load, pollMs);
    return () => clearTimeout(timer);
  }, [items, load]);
  const start = async (kind: SyncRun['kind']) => {
    setError(null);
    try {
      const run = await api<SyncRun>('POST', '/sync/runs', { kind });
      setItems((list) => [run, ...list]);
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <Card
      title="数据同步记录"
      extra={
        me?.rights.includes('sync.run') ? (
          <Space>
            <Button type="primary" onClick={() => start('incremental')}>
              增量同步
            </Button>
            <Button onClick={() => start('full')}>全量核对</Button>
          </Space>
        ) : null
      }
    >
      {error ? (
        <Alert type="error" data-testid="sync-error" message={error} style={{ marginBottom: 12 }} />
      ) : null}
      {openId ? <RunDrawer id={openId} onClose={() => setOpenId(null)} /> : null}
      <Table
        rowKey="id"
        size="small"
        dataSource={items}
        pagination={false}
        onRow={(r) => ({ onClick: () => setOpenId(r.id), style: { cursor: 'pointer' } })}
        columns={[
          { title: '开始', dataIndex: 'startedAtMs', render: when },
          { title: '类型', dataIndex: 'kind', render: (k: string) => (k === 'full' ? '全量' : '增量') },
          {
            title: '状态',
            dataIndex: 'status',
            render: (s: SyncRun['status']) => <Tag color={statusTag[s][0]}>{statusTag[s][1]}</Tag>,
          },
          {
            title: '进度',
            render: (_: unknown, r: SyncRun) => (
              <Progress
                aria-label="同步进度"
                size="small"
                percent={r.rowsTotal ? Math.round((r.rowsRead / r.rowsTotal) * 100) : 100}
              />
            ),
          },
          {
            title: '计数',
            dataIndex: 'counts',
            render: describeCounts,
          },
          { title: '失败原因', dataIndex: 'failure' },
        ]}
      />
    </Card>
  );
}

/** One run's progress and the source rows it could not apply, with the reason for each. */
function RunDrawer({ id, onClose }: { id: string; onClose: () => void }) {
  const [run, setRun] = useState<(SyncRun & { errors: SyncRunError[] }) | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    () =>
      api<SyncRun & { errors: SyncRunError[] }>('GET', `/sync/runs/${id}`).then(setRun, (e) =>
        setError(describeError(e)),
      ),
    [id],
  );
  useEffect(() => {
    load();
  }, [load]);
  useEffect(() => {
    if (run?.status !== 'running') return;
    const timer = setTimeout(load, pollMs);
    return () => clearTimeout(timer);
  }, [run, load]);
  return (
    <Drawer open width={760} title="同步详情" onClose={onClose}>
      {error ? <Alert type="error" message={error} /> : null}
      {run ? (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Progress
            aria-label="同步进度"
            data-testid="sync-progress"
            percent={run.rowsTotal ? Math.round((run.rowsRead / run.rowsTotal) * 100) : 100}
            status={run.status === 'running' ? 'active' : run.status === 'failed' ? 'exception' : undefined}
          />
          <div>
            已读 {run.rowsRead} / {run.rowsTotal} 行；{describeCounts(run.counts)}
          </div>
          <Table
            rowKey="seq"
            size="small"
            dataSource={run.errors}
            pagination={{ pageSize: 20 }}
            columns={[
              { title: '来源', dataIndex: 'stream' },
              { title: '来源行', dataIndex: 'sourceRowId' },
              { title: '学工号', dataIndex: 'personNo' },
              { title: '错误', dataIndex: 'code', render: (c: string) => <Tag color="red">{c}</Tag> },
              { title: '原因', dataIndex: 'reason' },
            ]}
          />
        </Space>
      ) : null}
    </Drawer>
  );
}
