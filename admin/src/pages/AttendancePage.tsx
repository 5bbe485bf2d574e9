import { DownloadOutlined } from '@ant-design/icons';
import type {
  AttendanceDayCell as DayCell,
  AttendanceRosterEntry as RosterEntry,
  AttendanceSessionRow as SessionRow,
} from '@campus-card/core/contract';
import {
  Alert,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Drawer,
  Input,
  Radio,
  Select,
  Space,
  Table,
  Tag,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { api, type Me, when } from '../api.ts';
import { dayText, shanghaiTodayValue } from '../calendar.ts';
import { Chart } from '../components/Chart.tsx';
import { download } from '../download.ts';
import { describeError } from '../strings.ts';

const kindText: Record<SessionRow['kind'], string> = { class: '上课', exam: '考试', meeting: '会议' };
const statusTag: Record<RosterEntry['status'], { text: string; color: string }> = {
  present: { text: '出勤', color: 'green' },
  late: { text: '迟到', color: 'orange' },
  absent: { text: '缺勤', color: 'red' },
};

interface Filters {
  range: [Dayjs, Dayjs];
  kind: SessionRow['kind'] | '';
  courseCode: string;
  department: string;
  classCode: string;
}

/** The filters as a query string; a department admin's department is the API's to apply. */
function queryOf(f: Filters): string {
  const q = new URLSearchParams({ from: dayText(f.range[0]), to: dayText(f.range[1]) });
  if (f.kind) q.set('kind', f.kind);
  for (const key of ['courseCode', 'department', 'classCode'] as const)
    if (f[key].trim()) q.set(key, f[key].trim());
  return q.toString();
}

/**
 * 考勤: class meetings, exams and meetings over a range of days with expected, present, late, absent
 * and the rate; the rate by day per course or class; one session's roster; each exportable.
 */
export function AttendancePage({ me }: { me: Me }) {
  const [draft, setDraft] = useState<Filters>({
    range: [shanghaiTodayValue(-6), shanghaiTodayValue()],
    kind: '',
    courseCode: '',
    department: me.department ?? '',
    classCode: '',
  });
  const [query, setQuery] = useState(() => queryOf(draft));
  const [groupBy, setGroupBy] = useState<'course' | 'class'>('course');
  const [sessions, setSessions] = useState<SessionRow[]>([]);
  const [cells, setCells] = useState<DayCell[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [opened, setOpened] = useState<string | null>(null);

  useEffect(() => {
    setLoading(true);
    setError(null);
    api<{ items: SessionRow[] }>('GET', `/attendance/sessions?${query}`)
      .then(
        (r) => setSessions(r.items),
        (e) => setError(describeError(e)),
      )
      .finally(() => setLoading(false));
  }, [query]);
  useEffect(() => {
    api<{ items: DayCell[] }>('GET', `/attendance/by-day?${query}&groupBy=${groupBy}`).then(
      (r) => setCells(r.items),
      (e) => setError(describeError(e)),
    );
  }, [query, groupBy]);

  const chart = useMemo(() => {
    const days = [...new Set(cells.map((c) => c.day))].sort();
    const groups = [...new Set(cells.map((c) => c.group))].sort();
    return {
      tooltip: { trigger: 'axis', valueFormatter: (v: number | null) => (v === null ? '—' : `${v}%`) },
      legend: { type: 'scroll' },
      xAxis: { type: 'category', data: days.map((d) => d.slice(5)) },
      yAxis: { type: 'value', name: '出勤率 %', min: 0, max: 100 },
      series: groups.map((g) => ({
        name: g || '未分班',
        type: 'line',
        connectNulls: true,
        data: days.map((d) => cells.find((c) => c.day === d && c.group === g)?.ratePercent ?? null),
      })),
    };
  }, [cells]);

  const exportButtons = (path: string, testId: string) => (
    <Space>
      {(['csv', 'xlsx'] as const).map((format) => (
        <Button
          key={format}
          size="small"
          icon={<DownloadOutlined />}
          data-testid={`${testId}-${format}`}
          onClick={() =>
            download(`${path}${path.includes('?') ? '&' : '?'}format=${format}`).catch((e) =>
              setError(describeError(e)),
            )
          }
        >
          {format === 'csv' ? 'CSV' : 'Excel'}
        </Button>
      ))}
    </Space>
  );

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card size="small">
        <Space wrap>
          <DatePicker.RangePicker
            value={draft.range}
            allowClear={false}
            onChange={(v) => v?.[0] && v[1] && setDraft({ ...draft, range: [v[0], v[1]] })}
          />
          <Select
            style={{ width: 110 }}
            aria-label="考勤类型"
            value={draft.kind}
            onChange={(kind) => setDraft({ ...draft, kind })}
            options={[
              { value: '', label: '全部类型' },
              { value: 'class', label: '上课' },
              { value: 'exam', label: '考试' },
              { value: 'meeting', label: '会议' },
            ]}
          />
          <Input
            style={{ width: 150 }}
            placeholder="院系"
            value={draft.department}
            disabled={me.department !== null}
            onChange={(e) => setDraft({ ...draft, department: e.target.value })}
          />
          <Input
            style={{ width: 120 }}
            placeholder="班级代码"
            value={draft.classCode}
            onChange={(e) => setDraft({ ...draft, classCode: e.target.value })}
          />
          <Input
            style={{ width: 120 }}
            placeholder="课程代码"
            value={draft.courseCode}
            onChange={(e) => setDraft({ ...draft, courseCode: e.target.value })}
          />
          <Button type="primary" onClick={() => setQuery(queryOf(draft))}>
            查询
          </Button>
        </Space>
      </Card>
      {error ? <Alert type="error" message={error} /> : null}
      <Card
        size="small"
        title="出勤率（按日）"
        extra={
          <Radio.Group
            size="small"
            value={groupBy}
            onChange={(e) => setGroupBy(e.target.value)}
            options={[
              { value: 'course', label: '按课程' },
              { value: 'class', label: '按班级' },
            ]}
            optionType="button"
          />
        }
      >
        <Chart option={chart} height={260} testId="chart-attendance" />
      </Card>
      <Card
        size="small"
        title="考勤场次"
        extra={exportButtons(`/attendance/sessions?${query}`, 'export-sessions')}
      >
        <Table
          rowKey="sessionId"
          size="small"
          loading={loading}
          dataSource={sessions}
          pagination={{ pageSize: 20 }}
          columns={[
            { title: '开始时间', dataIndex: 'startsAtMs', render: (ms: number) => when(ms) },
            { title: '类型', dataIndex: 'kind', render: (k: SessionRow['kind']) => kindText[k] ?? k },
            { title: '名称', dataIndex: 'title' },
            { title: '课程', dataIndex: 'courseCode', render: (c: string | null) => c ?? '—' },
            { title: '应到', dataIndex: 'expectedCount' },
            { title: '出勤', dataIndex: 'presentCount' },
            { title: '迟到', dataIndex: 'lateCount' },
            { title: '缺勤', dataIndex: 'absentCount' },
            { title: '出勤率', dataIndex: 'ratePercent', render: (r: number) => `${r}%` },
            {
              title: '',
              render: (_: unknown, s: SessionRow) => (
                <Button size="small" type="link" onClick={() => setOpened(s.sessionId)}>
                  查看名单
                </Button>
              ),
            },
          ]}
        />
      </Card>
      <SessionDrawer
        sessionId={opened}
        people={draft.classCode.trim() ? `classCode=${encodeURIComponent(draft.classCode.trim())}` : ''}
        onClose={() => setOpened(null)}
        exportButtons={exportButtons}
      />
    </Space>
  );
}

/** One session's roster: each person's status and sign-in time. */
function SessionDrawer({
  sessionId,
  people,
  onClose,
  exportButtons,
}: {
  sessionId: string | null;
  people: string;
  onClose(): void;
  exportButtons(path: string, testId: string): ReactNode;
}) {
  const [data, setData] = useState<{ session: SessionRow; roster: RosterEntry[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const path = sessionId
    ? `/attendance/sessions/${encodeURIComponent(sessionId)}${people ? `?${people}` : ''}`
    : '';
  const load = useCallback(() => {
    if (!path) return;
    setData(null);
    setError(null);
    api<{ session: SessionRow; roster: RosterEntry[] }>('GET', path).then(setData, (e) =>
      setError(describeError(e)),
    );
  }, [path]);
  useEffect(load, [load]);
  const s = data?.session;
  return (
    <Drawer
      open={sessionId !== null}
      onClose={onClose}
      size="large"
      title={s ? `${s.title} · ${when(s.startsAtMs)}` : '考勤名单'}
      extra={path ? exportButtons(path, 'export-roster') : null}
    >
      {error ? <Alert type="error" message={error} /> : null}
      {s ? (
        <Descriptions size="small" column={3} data-testid="roster-summary" style={{ marginBottom: 12 }}>
          <Descriptions.Item label="应到">{s.expectedCount}</Descriptions.Item>
          <Descriptions.Item label="出勤">{s.presentCount}</Descriptions.Item>
          <Descriptions.Item label="迟到">{s.lateCount}</Descriptions.Item>
          <Descriptions.Item label="缺勤">{s.absentCount}</Descriptions.Item>
          <Descriptions.Item label="出勤率">{s.ratePercent}%</Descriptions.Item>
          <Descriptions.Item label="地点">{s.location ?? '—'}</Descriptions.Item>
        </Descriptions>
      ) : null}
      <Table
        rowKey="personNo"
        size="small"
        loading={!data && !error}
        dataSource={data?.roster ?? []}
        pagination={{ pageSize: 50 }}
        data-testid="roster"
        columns={[
          { title: '学工号', dataIndex: 'personNo' },
          { title: '姓名', dataIndex: 'name', render: (n: string | null) => n ?? '—' },
          { title: '院系', dataIndex: 'department', render: (d: string | null) => d ?? '—' },
          { title: '班级', dataIndex: 'classCode', render: (c: string | null) => c ?? '—' },
          {
            title: '状态',
            dataIndex: 'status',
            render: (st: RosterEntry['status']) => (
              <Tag color={statusTag[st].color}>{statusTag[st].text}</Tag>
            ),
          },
          {
            title: '签到时间',
            dataIndex: 'signedInAtMs',
            render: (ms: number | null) => (ms === null ? '—' : when(ms)),
          },
        ]}
      />
    </Drawer>
  );
}
