import type { MeetingBoard, MeetingView } from '@campus-card/core/contract';
import { shanghaiDateTimeMs, shanghaiToday } from '@campus-card/core/time';
import {
  Alert,
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Space,
  Statistic,
  Table,
  Tag,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, type Me, when } from '../../api.ts';
import { download } from '../../download.ts';
import { describeError } from '../../strings.ts';
import { meetingText as t } from './strings.ts';

function errorOf(error: unknown): string {
  const code = (error as { code?: string }).code;
  return (code && t.errors[code]) || describeError(error);
}

const statusColor: Record<string, string> = {
  signed_in: 'green',
  late: 'orange',
  absent: 'red',
  waiting: 'default',
};

/** The live board of one meeting: counts, everyone's state, refreshed every 5 s, and the CSV export. */
function Board({ id, onBack }: { id: string; onBack: () => void }) {
  const [board, setBoard] = useState<MeetingBoard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setBoard(await api<MeetingBoard>('GET', `/meetings/${encodeURIComponent(id)}/board`));
    } catch (e) {
      setError(errorOf(e));
    }
  }, [id]);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 5_000);
    return () => clearInterval(timer);
  }, [load]);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space>
        <Button onClick={onBack}>{t.back}</Button>
        <Button
          onClick={async () => {
            try {
              setNote(t.exported(await download(`/meetings/${encodeURIComponent(id)}/board.csv`)));
            } catch (e) {
              setError(errorOf(e));
            }
          }}
        >
          {t.export}
        </Button>
        <span>{t.live}</span>
      </Space>
      {error ? <Alert type="error" message={error} showIcon /> : null}
      {note ? <Alert type="success" message={note} showIcon /> : null}
      {board ? (
        <Card title={`${t.board}：${board.meeting.title}`} id="meeting-board">
          <Space size="large">
            {(['signed_in', 'late', 'absent', 'waiting'] as const).map((s) => (
              <Statistic key={s} title={t.status[s]} value={board.counts[s]} />
            ))}
          </Space>
          <Table
            rowKey="personNo"
            size="small"
            pagination={false}
            locale={{ emptyText: t.none }}
            dataSource={board.rows}
            columns={[
              { title: t.personNo, dataIndex: 'personNo' },
              { title: t.name, dataIndex: 'name', render: (v: string | null) => v ?? '—' },
              { title: t.department, dataIndex: 'department', render: (v: string | null) => v ?? '—' },
              { title: t.seat, dataIndex: 'seat', render: (v: string | null) => v ?? '—' },
              // Exams: the invigilator compares faces. The card system keeps no person photos yet, so
              // each row says so rather than showing a stranger's face or nothing.
              ...(board.meeting.kind === 'exam'
                ? [{ title: t.photo, key: 'photo', render: () => <Tag>{t.noPhoto}</Tag> }]
                : []),
              {
                title: t.status.signed_in,
                dataIndex: 'status',
                render: (s: string) => <Tag color={statusColor[s]}>{t.status[s]}</Tag>,
              },
              {
                title: t.signedInAt,
                dataIndex: 'signedInAtMs',
                render: (ms: number | null) => (ms ? when(ms) : '—'),
              },
            ]}
          />
        </Card>
      ) : null}
    </Space>
  );
}

interface CreateForm {
  kind: 'meeting' | 'exam';
  title: string;
  location?: string;
  startsAt: string;
  endsAt: string;
  lateAfterMinutes: number;
  rosterBy: 'department' | 'csv' | 'open';
  department?: string;
  csv?: string;
  readers?: string;
}

/**
 * Meetings and exams: the day's list, making one (roster by department, an imported list with seats,
 * or open; readers assigned), and each one's live sign-in board with its export.
 */
export function MeetingsPage({ me }: { me: Me }) {
  const [day, setDay] = useState(shanghaiToday());
  const [items, setItems] = useState<MeetingView[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [form] = Form.useForm<CreateForm>();
  const manage = me.rights.includes('meeting.manage');

  const load = useCallback(async () => {
    try {
      setItems((await api<{ items: MeetingView[] }>('GET', `/meetings?from=${day}&to=${day}`)).items);
    } catch (e) {
      setError(errorOf(e));
    }
  }, [day]);
  useEffect(() => {
    void load();
  }, [load]);

  async function submit(values: CreateForm) {
    const startsAtMs = shanghaiDateTimeMs(values.startsAt);
    const endsAtMs = shanghaiDateTimeMs(values.endsAt);
    if (startsAtMs === undefined || endsAtMs === undefined || endsAtMs <= startsAtMs) {
      setError(t.badTime);
      return;
    }
    const roster =
      values.rosterBy === 'department'
        ? { by: 'department', department: values.department ?? '' }
        : values.rosterBy === 'csv'
          ? { by: 'csv', csv: values.csv ?? '' }
          : { by: 'open' };
    const readers = (values.readers ?? '')
      .split(/[,，\s]+/)
      .map((r) => r.trim())
      .filter(Boolean);
    Modal.confirm({
      title: t.create,
      content: t.confirmCreate(values.title, t.rosterBy[values.rosterBy] ?? ''),
      okText: '创建',
      cancelText: '取消',
      onOk: async () => {
        try {
          const made = await api<MeetingView>('POST', '/meetings', {
            id: `M${Date.now().toString(36).toUpperCase()}${Math.floor(Math.random() * 1e4)}`,
            kind: values.kind,
            title: values.title,
            location: values.location?.trim() || null,
            startsAtMs,
            endsAtMs,
            lateAfterMs: Math.round(values.lateAfterMinutes * 60_000),
            roster,
            readers,
          });
          setNote(t.made(made.title));
          setCreating(false);
          form.resetFields();
          await load();
        } catch (e) {
          setError(errorOf(e));
        }
      },
    });
  }

  if (open) return <Board id={open} onBack={() => setOpen(null)} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {error ? <Alert type="error" message={error} showIcon closable onClose={() => setError(null)} /> : null}
      {note ? <Alert type="success" message={note} showIcon closable onClose={() => setNote(null)} /> : null}
      <Space>
        <label htmlFor="meeting-day">{t.day}</label>
        <Input id="meeting-day" value={day} onChange={(e) => setDay(e.target.value)} style={{ width: 140 }} />
        {manage ? (
          <Button type="primary" id="meeting-create" onClick={() => setCreating(true)}>
            {t.create}
          </Button>
        ) : null}
      </Space>
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        locale={{ emptyText: t.none }}
        dataSource={items}
        columns={[
          { title: t.title, dataIndex: 'title' },
          { title: t.kind.meeting, dataIndex: 'kind', render: (k: string) => t.kind[k] ?? '' },
          {
            title: t.time,
            key: 'time',
            render: (_: unknown, m: MeetingView) => `${when(m.startsAtMs)} – ${when(m.endsAtMs)}`,
          },
          { title: t.location, dataIndex: 'location', render: (v: string | null) => v ?? '—' },
          {
            title: t.people,
            key: 'people',
            render: (_: unknown, m: MeetingView) => (m.openRoster ? t.rosterBy.open : m.rosterSize),
          },
          {
            title: '',
            key: 'open',
            render: (_: unknown, m: MeetingView) => <Button onClick={() => setOpen(m.id)}>{t.open}</Button>,
          },
        ]}
      />
      <Modal
        open={creating}
        title={t.create}
        onCancel={() => setCreating(false)}
        onOk={() => form.submit()}
        okText="下一步"
        cancelText="取消"
      >
        <Form
          form={form}
          layout="vertical"
          initialValues={{
            kind: 'meeting',
            rosterBy: me.department ? 'department' : 'csv',
            department: me.department ?? undefined,
            lateAfterMinutes: 5,
            startsAt: `${day} 09:00`,
            endsAt: `${day} 11:00`,
          }}
          onFinish={submit}
        >
          <Form.Item name="kind" label={t.kind.meeting}>
            <Radio.Group
              options={[
                { label: t.kind.meeting, value: 'meeting' },
                { label: t.kind.exam, value: 'exam' },
              ]}
            />
          </Form.Item>
          <Form.Item name="title" label={t.title} rules={[{ required: true, message: t.needTitle }]}>
            <Input id="meeting-title" maxLength={128} />
          </Form.Item>
          <Form.Item name="location" label={t.location}>
            <Input maxLength={64} />
          </Form.Item>
          <Form.Item name="startsAt" label={t.startsAt}>
            <Input id="meeting-starts" />
          </Form.Item>
          <Form.Item name="endsAt" label={t.endsAt}>
            <Input id="meeting-ends" />
          </Form.Item>
          <Form.Item name="lateAfterMinutes" label={t.lateAfter}>
            <InputNumber min={0} max={240} />
          </Form.Item>
          <Form.Item name="rosterBy" label={t.roster}>
            <Radio.Group
              options={(me.department ? ['department'] : ['department', 'csv', 'open']).map((v) => ({
                label: t.rosterBy[v],
                value: v,
              }))}
            />
          </Form.Item>
          <Form.Item noStyle shouldUpdate>
            {() =>
              form.getFieldValue('rosterBy') === 'department' ? (
                <Form.Item name="department" label={t.department}>
                  <Input maxLength={64} disabled={me.department !== null} />
                </Form.Item>
              ) : form.getFieldValue('rosterBy') === 'csv' ? (
                <Form.Item name="csv" label={t.csv}>
                  <Input.TextArea id="meeting-csv" rows={5} />
                </Form.Item>
              ) : null
            }
          </Form.Item>
          <Form.Item name="readers" label={t.readers}>
            <Input id="meeting-readers" />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
