import { Card, Input, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { api } from '../api.ts';
import { describeError, statusText } from '../strings.ts';
import { OpenCardButton } from './card-desk.tsx';

interface Hit {
  personNo: string;
  name: string;
  personType: string;
  department: string | null;
  cardNo: string;
  cardStatus: string;
}

/** Find a person by number, card number or the start of a name. */
export function SearchPage({
  onOpen,
  mayOpenCards,
}: {
  onOpen: (cardNo: string) => void;
  mayOpenCards: boolean;
}) {
  const [hits, setHits] = useState<Hit[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const search = async (q: string) => {
    if (!q.trim()) return;
    setLoading(true);
    setError(null);
    try {
      setHits((await api<{ items: Hit[] }>('GET', `/people?q=${encodeURIComponent(q.trim())}`)).items);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setLoading(false);
    }
  };
  return (
    <Card title="查找持卡人">
      <Space style={{ marginBottom: 16 }} wrap>
        <Input.Search
          placeholder="学工号、卡号或姓名"
          aria-label="学工号、卡号或姓名"
          enterButton="查询"
          onSearch={search}
          style={{ width: 420 }}
          data-testid="search"
        />
        {mayOpenCards ? <OpenCardButton onOpened={onOpen} /> : null}
      </Space>
      {error ? <div style={{ color: 'red' }}>{error}</div> : null}
      <Table
        rowKey="cardNo"
        loading={loading}
        dataSource={hits}
        pagination={false}
        onRow={(hit) => ({ onClick: () => onOpen(hit.cardNo), style: { cursor: 'pointer' } })}
        columns={[
          { title: '学工号', dataIndex: 'personNo' },
          { title: '姓名', dataIndex: 'name' },
          { title: '院系', dataIndex: 'department' },
          { title: '卡号', dataIndex: 'cardNo' },
          {
            title: '卡状态',
            dataIndex: 'cardStatus',
            render: (s: string) => <Tag color={s === 'active' ? 'green' : 'red'}>{statusText[s] ?? s}</Tag>,
          },
        ]}
      />
    </Card>
  );
}
