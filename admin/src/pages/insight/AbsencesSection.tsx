import type { Absence, AbsenceStatus } from '@campus-card/core/contract';
import { Alert, App, Button, Card, Form, Input, Modal, Segmented, Space, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, when } from '../../api.ts';
import { describeError } from '../../strings/errors.ts';
import { absenceText as t } from './absence-strings.ts';

type AbsenceRow = Absence & { holderName: string | null };
type Filter = AbsenceStatus | 'all';

const say = (e: unknown) => t.errors[(e as { code?: string }).code ?? ''] ?? describeError(e);

/**
 * 请假审批 (the right insight.warnings): the counsellor's own department's absences, approved or
 * rejected with a reason the student sees. The BFF scopes the list to the account's department and
 * audits each decision.
 */
export function AbsencesSection() {
  const { modal, message } = App.useApp();
  const [filter, setFilter] = useState<Filter>('pending');
  const [items, setItems] = useState<AbsenceRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [rejecting, setRejecting] = useState<AbsenceRow | null>(null);
  const [form] = Form.useForm<{ note: string }>();

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      const q = filter === 'all' ? '' : `?status=${filter}`;
      setItems((await api<{ items: AbsenceRow[] }>('GET', `/absences${q}`)).items);
    } catch (e) {
      setError(say(e));
    } finally {
      setLoading(false);
    }
  }, [filter]);
  useEffect(() => {
    void load();
  }, [load]);

  const decide = async (row: AbsenceRow, decision: 'approved' | 'rejected', note?: string) => {
    try {
      await api('POST', `/absences/${row.id}/decide`, { decision, ...(note ? { note } : {}) });
      void message.success(decision === 'approved' ? t.approved : t.rejected);
      await load();
    } catch (e) {
      setError(say(e));
    }
  };

  const approve = (row: AbsenceRow) =>
    modal.confirm({
      title: t.approve,
      content: t.approveConfirm(row.holderName ?? row.personNo),
      okText: t.approve,
      onOk: () => decide(row, 'approved'),
    });

  return (
    <Card title={t.title} style={{ marginTop: 16 }}>
      <Typography.Paragraph type="secondary">{t.intro}</Typography.Paragraph>
      <Segmented<Filter>
        value={filter}
        onChange={setFilter}
        options={[
          { label: t.statuses.pending, value: 'pending' },
          { label: t.statuses.approved, value: 'approved' },
          { label: t.statuses.rejected, value: 'rejected' },
          { label: t.statuses.cancelled, value: 'cancelled' },
          { label: t.all, value: 'all' },
        ]}
      />
      {error ? <Alert type="error" showIcon message={error} style={{ marginTop: 16 }} /> : null}
      <Table<AbsenceRow>
        style={{ marginTop: 16 }}
        rowKey="id"
        loading={loading}
        dataSource={items}
        locale={{ emptyText: t.empty }}
        columns={[
          {
            title: t.student,
            render: (_: unknown, a: AbsenceRow) => `${a.holderName ?? ''} ${a.personNo}`,
          },
          { title: t.kind, render: (_: unknown, a: AbsenceRow) => t.kinds[a.kind] },
          {
            title: t.span,
            render: (_: unknown, a: AbsenceRow) => `${when(a.fromMs)} — ${when(a.toMs)}`,
          },
          { title: t.reason, dataIndex: 'reason' },
          { title: t.offCampus, render: (_: unknown, a: AbsenceRow) => (a.offCampus ? t.yes : t.no) },
          {
            title: t.status,
            render: (_: unknown, a: AbsenceRow) => (
              <Tag color={a.status === 'approved' ? 'green' : a.status === 'pending' ? 'blue' : 'default'}>
                {t.statuses[a.status]}
              </Tag>
            ),
          },
          { title: t.decision, render: (_: unknown, a: AbsenceRow) => a.decisionNote ?? '' },
          {
            title: t.actions,
            render: (_: unknown, a: AbsenceRow) =>
              a.status === 'pending' ? (
                <Space>
                  <Button type="primary" size="small" onClick={() => approve(a)}>
                    {t.approve}
                  </Button>
                  <Button
                    size="small"
                    danger
                    onClick={() => {
                      form.resetFields();
                      setRejecting(a);
                    }}
                  >
                    {t.reject}
                  </Button>
                </Space>
              ) : null,
          },
        ]}
      />
      <Modal
        open={rejecting !== null}
        title={t.rejectTitle}
        okText={t.reject}
        okButtonProps={{ danger: true }}
        onCancel={() => setRejecting(null)}
        onOk={async () => {
          const { note } = await form.validateFields();
          const row = rejecting;
          setRejecting(null);
          if (row) await decide(row, 'rejected', note.trim());
        }}
      >
        <Form form={form} layout="vertical">
          <Form.Item
            name="note"
            label={t.rejectReason}
            rules={[{ required: true, whitespace: true, max: 200, message: t.rejectReasonRequired }]}
          >
            <Input.TextArea maxLength={200} rows={3} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
