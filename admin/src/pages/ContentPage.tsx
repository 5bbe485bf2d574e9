import {
  Alert,
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { api, type Me, when } from '../api.ts';
import { describeError, contentText as t } from '../strings.ts';

interface Audience {
  type: 'all' | 'students' | 'staff' | 'department' | 'class';
  value?: string;
}
interface News {
  id: string;
  title: string;
  body: string;
  audience: Audience;
  status: 'published' | 'withdrawn';
  publishAtMs: number;
  author: string;
}
interface Lesson {
  id: string;
  seq: number;
  title: string;
  videoPath: string | null;
  videoUrl: string | null;
  durationSeconds: number;
}
interface Course {
  id: string;
  title: string;
  description: string;
  teacher: string;
  audience: Audience;
  createdAtMs: number;
  lessons: Lesson[];
}

const audienceLabel = (a: Audience) =>
  a.value ? `${t.audienceType[a.type]}：${a.value}` : t.audienceType[a.type];

/** The audience picker shared by news and courses: a type, and a department or class when needed. */
function AudienceFields() {
  return (
    <>
      <Form.Item
        label={t.audience}
        name={['audience', 'type']}
        initialValue="all"
        rules={[{ required: true }]}
      >
        <Select options={Object.entries(t.audienceType).map(([value, label]) => ({ value, label }))} />
      </Form.Item>
      <Form.Item noStyle shouldUpdate={(a, b) => a.audience?.type !== b.audience?.type}>
        {({ getFieldValue }) =>
          ['department', 'class'].includes(getFieldValue(['audience', 'type'])) ? (
            <Form.Item
              label={t.audienceValue}
              name={['audience', 'value']}
              rules={[{ required: true, whitespace: true }]}
            >
              <Input maxLength={64} />
            </Form.Item>
          ) : null
        }
      </Form.Item>
    </>
  );
}

const audienceOf = (a: Audience): Audience =>
  a.type === 'department' || a.type === 'class'
    ? { type: a.type, value: (a.value ?? '').trim() }
    : { type: a.type };

/** News and courses: publish (now or scheduled), withdraw; create courses and add their lessons. */
export function ContentPage({ me }: { me: Me }) {
  const manage = me.rights.includes('content.manage');
  return (
    <Card title={t.title}>
      <Tabs
        items={[
          { key: 'news', label: t.news, children: <NewsTab manage={manage} /> },
          { key: 'courses', label: t.courses, children: <CoursesTab manage={manage} /> },
        ]}
      />
    </Card>
  );
}

function NewsTab({ manage }: { manage: boolean }) {
  const [items, setItems] = useState<News[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [publishing, setPublishing] = useState(false);
  const load = useCallback(() => {
    api<{ items: News[] }>('GET', '/news').then(
      (p) => setItems(p.items),
      (e) => setError(describeError(e)),
    );
  }, []);
  useEffect(load, [load]);
  const withdraw = (n: News) =>
    Modal.confirm({
      title: t.withdrawConfirm(n.title),
      content: t.withdrawNote,
      okText: t.withdraw,
      okButtonProps: { danger: true },
      onOk: async () => {
        setError(null);
        try {
          await api('POST', `/news/${n.id}/withdraw`);
        } catch (e) {
          setError(describeError(e));
        }
        load();
      },
    });
  const now = Date.now();
  return (
    <>
      {error ? <Alert type="error" message={error} style={{ marginBottom: 12 }} /> : null}
      {manage ? (
        <Button type="primary" onClick={() => setPublishing(true)} style={{ marginBottom: 12 }}>
          {t.publish}
        </Button>
      ) : null}
      <Table
        rowKey="id"
        size="small"
        data-testid="news-list"
        dataSource={items}
        pagination={{ pageSize: 20 }}
        columns={[
          { title: t.newsTitle, dataIndex: 'title' },
          { title: t.audience, dataIndex: 'audience', render: audienceLabel },
          { title: t.publishAtColumn, dataIndex: 'publishAtMs', render: (ms: number) => when(ms) },
          {
            title: t.status,
            render: (_: unknown, n: News) =>
              n.status === 'withdrawn' ? (
                <Tag>{t.withdrawn}</Tag>
              ) : n.publishAtMs > now ? (
                <Tag color="blue">{t.scheduled}</Tag>
              ) : (
                <Tag color="green">{t.published}</Tag>
              ),
          },
          { title: t.author, dataIndex: 'author' },
          ...(manage
            ? [
                {
                  title: '操作',
                  render: (_: unknown, n: News) =>
                    n.status === 'published' ? (
                      <Button size="small" danger onClick={() => withdraw(n)}>
                        {t.withdraw}
                      </Button>
                    ) : null,
                },
              ]
            : []),
        ]}
      />
      {publishing ? (
        <PublishDialog
          onClose={() => {
            setPublishing(false);
            load();
          }}
        />
      ) : null}
    </>
  );
}

interface NewsForm {
  title: string;
  body: string;
  audience: Audience;
  publishAt?: Dayjs | null;
}

function PublishDialog({ onClose }: { onClose: () => void }) {
  const [form] = Form.useForm<NewsForm>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (v: NewsForm) => {
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/news', {
        title: v.title,
        body: v.body,
        audience: audienceOf(v.audience),
        ...(v.publishAt ? { publishAtMs: v.publishAt.valueOf() } : {}),
      });
      onClose();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t.publish}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t.submit}
      confirmLoading={busy}
    >
      {error ? <Alert type="error" message={error} style={{ marginBottom: 12 }} /> : null}
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item label={t.newsTitle} name="title" rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item label={t.body} name="body" rules={[{ required: true, whitespace: true }]}>
          <Input.TextArea rows={5} maxLength={20_000} />
        </Form.Item>
        <AudienceFields />
        <Form.Item label={t.publishAt} name="publishAt">
          <DatePicker showTime format="YYYY-MM-DD HH:mm" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function CoursesTab({ manage }: { manage: boolean }) {
  const [items, setItems] = useState<Course[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [lessonFor, setLessonFor] = useState<Course | null>(null);
  const load = useCallback(() => {
    api<{ items: Course[] }>('GET', '/courses').then(
      (p) => setItems(p.items),
      (e) => setError(describeError(e)),
    );
  }, []);
  useEffect(load, [load]);
  return (
    <>
      {error ? <Alert type="error" message={error} style={{ marginBottom: 12 }} /> : null}
      {manage ? (
        <Button type="primary" onClick={() => setCreating(true)} style={{ marginBottom: 12 }}>
          {t.createCourse}
        </Button>
      ) : null}
      <Table
        rowKey="id"
        size="small"
        dataSource={items}
        pagination={{ pageSize: 20 }}
        expandable={{
          rowExpandable: () => true,
          expandedRowRender: (c: Course) =>
            c.lessons.length === 0 ? (
              t.noLessons
            ) : (
              <Table
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={c.lessons}
                columns={[
                  { title: t.seq, dataIndex: 'seq' },
                  { title: t.lessonTitle, dataIndex: 'title' },
                  { title: t.video, render: (_: unknown, l: Lesson) => l.videoPath ?? l.videoUrl },
                  {
                    title: t.duration,
                    dataIndex: 'durationSeconds',
                    render: (s: number) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`,
                  },
                ]}
              />
            ),
        }}
        columns={[
          { title: t.courseTitle, dataIndex: 'title' },
          { title: t.teacher, dataIndex: 'teacher' },
          { title: t.audience, dataIndex: 'audience', render: audienceLabel },
          { title: t.lessons, render: (_: unknown, c: Course) => c.lessons.length },
          ...(manage
            ? [
                {
                  title: '操作',
                  render: (_: unknown, c: Course) => (
                    <Space>
                      <Button size="small" onClick={() => setLessonFor(c)}>
                        {t.addLesson}
                      </Button>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      {creating ? (
        <CourseDialog
          onClose={() => {
            setCreating(false);
            load();
          }}
        />
      ) : null}
      {lessonFor ? (
        <LessonDialog
          course={lessonFor}
          onClose={() => {
            setLessonFor(null);
            load();
          }}
        />
      ) : null}
    </>
  );
}

function CourseDialog({ onClose }: { onClose: () => void }) {
  const [form] = Form.useForm<{ title: string; description?: string; teacher: string; audience: Audience }>();
  const [error, setError] = useState<string | null>(null);
  const submit = async (v: { title: string; description?: string; teacher: string; audience: Audience }) => {
    setError(null);
    try {
      await api('POST', '/courses', {
        title: v.title,
        description: v.description ?? '',
        teacher: v.teacher,
        audience: audienceOf(v.audience),
      });
      onClose();
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <Modal open title={t.createCourse} onCancel={onClose} onOk={() => form.submit()} okText={t.submit}>
      {error ? <Alert type="error" message={error} style={{ marginBottom: 12 }} /> : null}
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item label={t.courseTitle} name="title" rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item label={t.description} name="description">
          <Input.TextArea rows={3} maxLength={5_000} />
        </Form.Item>
        <Form.Item label={t.teacher} name="teacher" rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={64} />
        </Form.Item>
        <AudienceFields />
      </Form>
    </Modal>
  );
}

interface LessonForm {
  seq: number;
  title: string;
  kind: 'path' | 'url';
  video: string;
  minutes: number;
}

function LessonDialog({ course, onClose }: { course: Course; onClose: () => void }) {
  const [form] = Form.useForm<LessonForm>();
  const [error, setError] = useState<string | null>(null);
  const kind = Form.useWatch('kind', form) ?? 'path';
  const nextSeq = Math.max(0, ...course.lessons.map((l) => l.seq)) + 1;
  const submit = async (v: LessonForm) => {
    setError(null);
    try {
      await api('POST', `/courses/${course.id}/lessons`, {
        seq: v.seq,
        title: v.title,
        video: v.kind === 'url' ? { url: v.video.trim() } : { path: v.video.trim() },
        durationSeconds: Math.round(v.minutes * 60),
      });
      onClose();
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <Modal
      open
      title={`${t.addLesson}：${course.title}`}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t.submit}
    >
      {error ? <Alert type="error" message={error} style={{ marginBottom: 12 }} /> : null}
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ seq: nextSeq, kind: 'path' }}>
        <Form.Item label={t.seq} name="seq" rules={[{ required: true }]}>
          <InputNumber min={1} max={10_000} precision={0} />
        </Form.Item>
        <Form.Item label={t.lessonTitle} name="title" rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item label={t.videoKind} name="kind">
          <Radio.Group
            options={[
              { value: 'path', label: t.videoPath },
              { value: 'url', label: t.videoUrl },
            ]}
          />
        </Form.Item>
        <Form.Item
          label={kind === 'url' ? t.videoUrl : t.videoPath}
          name="video"
          rules={[{ required: true, whitespace: true }]}
        >
          <Input maxLength={1024} placeholder={kind === 'url' ? 'https://…' : 'courses/safety/01.mp4'} />
        </Form.Item>
        <Form.Item label={t.durationMinutes} name="minutes" rules={[{ required: true }]}>
          <InputNumber min={0.1} max={1440} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
