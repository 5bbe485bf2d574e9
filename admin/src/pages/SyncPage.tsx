import { Card, Progress, Table, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { api, when } from '../api.ts';
import { describeError } from '../strings.ts';

interface SyncRun {
  id: string;
  kind: 'incremental' | 'full';
  status: 'running' | 'succeeded' | 'failed';
  trigger: string;
  phase: string | null;
  rowsRead: number;
  rowsTotal: number;
  counts: Record<string, number>;
  failure: string | null;
  startedAtMs: number;
  finishedAtMs: number | null;
}

const statusTag = {
  running: ['blue', '运行中'],
  succeeded: ['green', '成功'],
  failed: ['red', '失败'],
} as const;

/** The identity sync's runs (read-only here; starting runs and their error lists come later). */
export function SyncPage() {
  const [items, setItems] = useState<SyncRun[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ items: SyncRun[] }>('GET', '/sync/runs').then(
      (page) => setItems(page.items),
      (e) => setError(describeError(e)),
    );
  }, []);
  return (
    <Card title="数据同步记录">
      {error ? <div style={{ color: 'red' }}>{error}</div> : null}
      <Table
        rowKey="id"
        size="small"
        dataSource={items}
        pagination={false}
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
                size="small"
                percent={r.rowsTotal ? Math.round((r.rowsRead / r.rowsTotal) * 100) : 100}
              />
            ),
          },
          {
            title: '计数',
            dataIndex: 'counts',
            render: (c: SyncRun['counts']) =>
              Object.entries(c)
                .filter(([, n]) => n > 0)
                .map(([k, n]) => `${k} ${n}`)
                .join('，'),
          },
          { title: '失败原因', dataIndex: 'failure' },
        ]}
      />
    </Card>
  );
}
