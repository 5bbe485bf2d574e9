import type { VisitView } from '@campus-card/core/contract';
import { Alert, Button, Card, Modal, Space, Table } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, type Me, when } from '../../api.ts';
import { describeError } from '../../strings.ts';
import { visitorText as t } from './strings.ts';

function errorOf(error: unknown): string {
  const code = (error as { code?: string }).code;
  return (code && t.errors[code]) || describeError(error);
}

/**
 * Visitors: who is on campus now (checked in at a gate, not out), for the security office; and the
 * invitations waiting for approval, which a department admin sees and decides for their own department.
 */
export function VisitorsPage({ me }: { me: Me }) {
  const canRead = me.rights.includes('visitor.read');
  const canApprove = me.rights.includes('visitor.approve');
  const [onCampus, setOnCampus] = useState<VisitView[]>([]);
  const [pending, setPending] = useState<VisitView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setError(null);
      if (canRead) setOnCampus((await api<{ items: VisitView[] }>('GET', '/visitors/on-campus')).items);
      if (canApprove) setPending((await api<{ items: VisitView[] }>('GET', '/visitors/pending')).items);
    } catch (e) {
      setError(errorOf(e));
    }
  }, [canRead, canApprove]);
  useEffect(() => {
    void load();
  }, [load]);

  function decide(visit: VisitView, decision: 'approve' | 'refuse') {
    const word = decision === 'approve' ? t.approve : t.refuse;
    Modal.confirm({
      title: word,
      content:
        decision === 'approve'
          ? t.approveConfirm(visit.visitorName, visit.hostName)
          : t.refuseConfirm(visit.visitorName, visit.hostName),
      okText: word,
      cancelText: '取消',
      onOk: async () => {
        try {
          await api('POST', `/visitors/${visit.id}/decision`, { decision });
          setResult(t.decided(word));
          await load();
        } catch (e) {
          setError(errorOf(e));
        }
      },
    });
  }

  const common = [
    { title: t.visitor, dataIndex: 'visitorName' },
    { title: t.phone, dataIndex: 'visitorPhoneMasked' },
    { title: t.host, dataIndex: 'hostName' },
    { title: t.department, dataIndex: 'hostDepartment', render: (d: string | null) => d ?? '—' },
    { title: t.purpose, dataIndex: 'purpose' },
    {
      title: t.window,
      key: 'window',
      render: (_: unknown, v: VisitView) => `${when(v.validFromMs)} – ${when(v.validUntilMs)}`,
    },
  ];

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {error ? <Alert type="error" message={error} showIcon closable onClose={() => setError(null)} /> : null}
      {result ? (
        <Alert type="success" message={result} showIcon closable onClose={() => setResult(null)} />
      ) : null}
      <Button onClick={() => void load()}>{t.refresh}</Button>
      {canRead ? (
        <Card title={t.onCampus} id="visitors-on-campus">
          <Table
            rowKey="id"
            size="small"
            pagination={false}
            locale={{ emptyText: t.none }}
            dataSource={onCampus}
            columns={[
              ...common,
              {
                title: t.enteredAt,
                dataIndex: 'lastPassageAtMs',
                render: (ms: number | null) => (ms ? when(ms) : '—'),
              },
            ]}
          />
        </Card>
      ) : null}
      {canApprove ? (
        <Card title={t.pending} id="visitors-pending">
          <Table
            rowKey="id"
            size="small"
            pagination={false}
            locale={{ emptyText: t.none }}
            dataSource={pending}
            columns={[
              ...common,
              {
                title: '',
                key: 'actions',
                render: (_: unknown, v: VisitView) => (
                  <Space>
                    <Button type="primary" size="small" onClick={() => decide(v, 'approve')}>
                      {t.approve}
                    </Button>
                    <Button danger size="small" onClick={() => decide(v, 'refuse')}>
                      {t.refuse}
                    </Button>
                  </Space>
                ),
              },
            ]}
          />
        </Card>
      ) : null}
    </Space>
  );
}
