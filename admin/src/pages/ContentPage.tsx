import {
  Alert,
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Modal,
  Progress,
  Radio,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type Me, when } from '../api.ts';
import { instantValue, pickedInstantMs } from '../calendar.ts';
import { describeError, contentText as t } from '../strings.ts';
import { ChunkedUpload, type UploadProgress } from '../upload.ts';

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
  const [editing, setEditing] = useState<News | null>(null);
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
                      <Space>
                        <Button size="small" onClick={() => setEditing(n)}>
                          {t.edit}
                        </Button>
                        <Button size="small" danger onClick={() => withdraw(n)}>
                          {t.withdraw}
                        </Button>
                      </Space>
                    ) : null,
                },
              ]
            : []),
        ]}
      />
      {publishing || editing ? (
        <PublishDialog
          item={editing}
          onClose={() => {
            setPublishing(false);
            setEditing(null);
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

/** Publishes a new item, or edits `item` (prefilled; its time only while it is still scheduled). */
function PublishDialog({ item, onClose }: { item: News | null; onClose: () => void }) {
  const [form] = Form.useForm<NewsForm>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const scheduled = item !== null && item.publishAtMs > Date.now();
  const submit = async (v: NewsForm) => {
    setBusy(true);
    setError(null);
    try {
      const fields = { title: v.title, body: v.body, audience: audienceOf(v.audience) };
      if (item === null)
        await api('POST', '/news', {
          ...fields,
          ...(v.publishAt ? { publishAtMs: pickedInstantMs(v.publishAt) } : {}),
        });
      else
        await api('PATCH', `/news/${item.id}`, {
          ...fields,
          ...(scheduled && v.publishAt && pickedInstantMs(v.publishAt) !== item.publishAtMs
            ? { publishAtMs: pickedInstantMs(v.publishAt) }
            : {}),
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
      title={item ? t.editNews : t.publish}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t.submit}
      confirmLoading={busy}
    >
      {error ? <Alert type="error" message={error} style={{ marginBottom: 12 }} /> : null}
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={
          item
            ? {
                title: item.title,
                body: item.body,
                audience: item.audience,
                publishAt: scheduled ? instantValue(item.publishAtMs) : null,
              }
            : undefined
        }
      >
        <Form.Item label={t.newsTitle} name="title" rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item label={t.body} name="body" rules={[{ required: true, whitespace: true }]}>
          <Input.TextArea rows={5} maxLength={20_000} />
        </Form.Item>
        <AudienceFields />
        <Form.Item
          label={t.publishAt}
          name="publishAt"
          extra={item && !scheduled ? t.publishAtLocked : undefined}
        >
          <DatePicker showTime format="YYYY-MM-DD HH:mm" disabled={item !== null && !scheduled} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function CoursesTab({ manage }: { manage: boolean }) {
  const [items, setItems] = useState<Course[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Course | null>(null);
  const [lessonFor, setLessonFor] = useState<{ course: Course; lesson: Lesson | null } | null>(null);
  const load = useCallback(() => {
    api<{ items: Course[] }>('GET', '/courses').then(
      (p) => setItems(p.items),
      (e) => setError(describeError(e)),
    );
  }, []);
  useEffect(load, [load]);
  const remove = (l: Lesson) =>
    Modal.confirm({
      title: t.removeLessonConfirm(l.title),
      content: t.removeLessonNote,
      okText: t.removeLesson,
      okButtonProps: { danger: true },
      onOk: async () => {
        setError(null);
        try {
          await api('DELETE', `/lessons/${l.id}`);
        } catch (e) {
          setError(describeError(e));
        }
        load();
      },
    });
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
                  ...(manage
                    ? [
                        {
                          title: '操作',
                          render: (_: unknown, l: Lesson) => (
                            <Space>
                              <Button size="small" onClick={() => setLessonFor({ course: c, lesson: l })}>
                                {t.edit}
                              </Button>
                              <Button size="small" danger onClick={() => remove(l)}>
                                {t.removeLesson}
                              </Button>
                            </Space>
                          ),
                        },
                      ]
                    : []),
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
                      <Button size="small" onClick={() => setEditing(c)}>
                        {t.edit}
                      </Button>
                      <Button size="small" onClick={() => setLessonFor({ course: c, lesson: null })}>
                        {t.addLesson}
                      </Button>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      {creating || editing ? (
        <CourseDialog
          course={editing}
          onClose={() => {
            setCreating(false);
            setEditing(null);
            load();
          }}
        />
      ) : null}
      {lessonFor ? (
        <LessonDialog
          course={lessonFor.course}
          lesson={lessonFor.lesson}
          onClose={() => {
            setLessonFor(null);
            load();
          }}
        />
      ) : null}
    </>
  );
}

/** Creates a course, or edits `course` (prefilled). */
function CourseDialog({ course, onClose }: { course: Course | null; onClose: () => void }) {
  const [form] = Form.useForm<{ title: string; description?: string; teacher: string; audience: Audience }>();
  const [error, setError] = useState<string | null>(null);
  const submit = async (v: { title: string; description?: string; teacher: string; audience: Audience }) => {
    setError(null);
    try {
      const fields = {
        title: v.title,
        description: v.description ?? '',
        teacher: v.teacher,
        audience: audienceOf(v.audience),
      };
      if (course) await api('PATCH', `/courses/${course.id}`, fields);
      else await api('POST', '/courses', fields);
      onClose();
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <Modal
      open
      title={course ? t.editCourse : t.createCourse}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t.submit}
    >
      {error ? <Alert type="error" message={error} style={{ marginBottom: 12 }} /> : null}
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={
          course
            ? {
                title: course.title,
                description: course.description,
                teacher: course.teacher,
                audience: course.audience,
              }
            : undefined
        }
      >
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

/** Adds a lesson to `course`, or edits `lesson` (prefilled); a video can be uploaded here. */
function LessonDialog({
  course,
  lesson,
  onClose,
}: {
  course: Course;
  lesson: Lesson | null;
  onClose: () => void;
}) {
  const [form] = Form.useForm<LessonForm>();
  const [error, setError] = useState<string | null>(null);
  const kind = Form.useWatch('kind', form) ?? 'path';
  const nextSeq = Math.max(0, ...course.lessons.map((l) => l.seq)) + 1;
  const submit = async (v: LessonForm) => {
    setError(null);
    try {
      const fields = {
        seq: v.seq,
        title: v.title,
        video: v.kind === 'url' ? { url: v.video.trim() } : { path: v.video.trim() },
        durationSeconds: Math.round(v.minutes * 60),
      };
      if (lesson) await api('PATCH', `/lessons/${lesson.id}`, fields);
      else await api('POST', `/courses/${course.id}/lessons`, fields);
      onClose();
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <Modal
      open
      title={`${lesson ? t.editLesson : t.addLesson}：${course.title}`}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t.submit}
    >
      {error ? <Alert type="error" message={error} style={{ marginBottom: 12 }} /> : null}
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={
          lesson
            ? {
                seq: lesson.seq,
                title: lesson.title,
                kind: lesson.videoUrl ? 'url' : 'path',
                video: lesson.videoUrl ?? lesson.videoPath ?? '',
                minutes: lesson.durationSeconds / 60,
              }
            : { seq: nextSeq, kind: 'path' }
        }
      >
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
        {kind === 'path' ? <VideoUpload onDone={(path) => form.setFieldValue('video', path)} /> : null}
        <Form.Item label={t.durationMinutes} name="minutes" rules={[{ required: true }]}>
          <InputNumber min={0.1} max={1440} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * Picks a video and uploads it in chunks with a progress bar (percent, MB/s), pause and resume. The
 * same file picked again after a failure or a reload resumes from the chunks the server has.
 */
function VideoUpload({ onDone }: { onDone: (path: string) => void }) {
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const upload = useRef<ChunkedUpload | null>(null);
  useEffect(() => () => upload.current?.pause(), []);
  const pick = (file: File) => {
    upload.current?.pause();
    const next = new ChunkedUpload(file, setProgress);
    upload.current = next;
    void next.start().then((path) => {
      if (path) onDone(path);
    });
  };
  const resume = () =>
    void upload.current?.start().then((path) => {
      if (path) onDone(path);
    });
  const percent = progress && progress.totalBytes > 0 ? (progress.sentBytes * 100) / progress.totalBytes : 0;
  return (
    <Form.Item label={t.uploadPick}>
      <input
        type="file"
        aria-label={t.uploadPick}
        accept=".mp4,.m4v,.webm,video/mp4,video/webm,video/x-m4v"
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) pick(file);
        }}
      />
      {progress ? (
        <div data-testid="video-upload" style={{ marginTop: 8 }}>
          <Progress
            percent={Math.floor(percent)}
            status={
              progress.phase === 'failed' ? 'exception' : progress.phase === 'done' ? 'success' : 'active'
            }
          />
          <Space wrap>
            <span data-testid="upload-phase">{t.uploadPhase[progress.phase]}</span>
            <span>{t.uploadAmount(progress.sentBytes, progress.totalBytes, progress.bytesPerSecond)}</span>
            {progress.resumedChunks > 0 ? <span>{t.uploadResumed(progress.resumedChunks)}</span> : null}
            {progress.phase === 'uploading' || progress.phase === 'starting' ? (
              <Button size="small" onClick={() => upload.current?.pause()}>
                {t.uploadPause}
              </Button>
            ) : null}
            {progress.phase === 'paused' || progress.phase === 'failed' ? (
              <Button size="small" onClick={resume}>
                {t.uploadResume}
              </Button>
            ) : null}
          </Space>
          {progress.error ? <Alert type="error" message={progress.error} style={{ marginTop: 8 }} /> : null}
        </div>
      ) : null}
    </Form.Item>
  );
}
