import { Alert, Button, Form, Input, InputNumber, Modal, Progress, Radio, Space, Table } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api.ts';
import { useCampuses } from '../components/campus.tsx';
import { describeError, contentText as t } from '../strings.ts';
import { ChunkedUpload, type UploadProgress } from '../upload.ts';
import {
  type Audience,
  AudienceFields,
  audienceLabel,
  audienceOf,
  type Course,
  type Lesson,
} from './content-audience.tsx';

// The content page's courses tab: courses, their lessons and lesson videos uploaded in chunks.

export function CoursesTab({ manage }: { manage: boolean }) {
  const [items, setItems] = useState<Course[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Course | null>(null);
  const [lessonFor, setLessonFor] = useState<{ course: Course; lesson: Lesson | null } | null>(null);
  const campuses = useCampuses();
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
          { title: t.audience, dataIndex: 'audience', render: (a: Audience) => audienceLabel(a, campuses) },
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
export function CourseDialog({ course, onClose }: { course: Course | null; onClose: () => void }) {
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

export interface LessonForm {
  seq: number;
  title: string;
  kind: 'upload' | 'url';
  video: string;
  /** Typed only when the video's own length cannot be read (see LessonDialog). */
  minutes?: number;
}

/**
 * The video's length in whole seconds, read from its metadata in the browser; null when it cannot be
 * read (not a playable video, or a URL the page's CSP or the network keeps it from loading).
 */
export function readVideoSeconds(src: string, timeoutMs = 10_000): Promise<number | null> {
  return new Promise((resolve) => {
    const video = document.createElement('video');
    const done = (seconds: number | null) => {
      clearTimeout(timer);
      video.onloadedmetadata = null;
      video.ondurationchange = null;
      video.onerror = null;
      video.removeAttribute('src');
      video.load();
      resolve(seconds);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    const settle = () => {
      if (Number.isFinite(video.duration) && video.duration > 0)
        done(Math.max(1, Math.round(video.duration)));
      else if (video.duration === Number.POSITIVE_INFINITY) {
        // A recorded WebM may carry no length: seeking past its end makes the browser find it.
        video.ondurationchange = settle;
        video.currentTime = Number.MAX_SAFE_INTEGER;
      } else done(null);
    };
    video.preload = 'metadata';
    video.onloadedmetadata = settle;
    video.onerror = () => done(null);
    video.src = src;
  });
}

const formatSeconds = (seconds: number) =>
  seconds >= 60 ? `${Math.floor(seconds / 60)} 分 ${seconds % 60} 秒` : `${seconds} 秒`;

/**
 * Adds a lesson to `course`, or edits `lesson` (prefilled). The video is uploaded here (the default) or
 * given by URL; its length is read from the video itself, and typed only when it cannot be read.
 */
export function LessonDialog({
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
  // The length read from the video: a number, 'reading', 'unreadable' (then typed), or none yet.
  const [length, setLength] = useState<number | 'reading' | 'unreadable' | null>(
    lesson?.durationSeconds ?? null,
  );
  const kind = Form.useWatch('kind', form) ?? 'upload';
  const videoPath = Form.useWatch('video', form);
  const nextSeq = Math.max(0, ...course.lessons.map((l) => l.seq)) + 1;
  // Each change of video source starts a new round: a reading or an upload of an earlier video that
  // ends after the change is dropped, so it cannot fill in the new one's length or path.
  const round = useRef(0);
  const measure = (src: string, release?: () => void) => {
    const mine = round.current;
    setLength('reading');
    void readVideoSeconds(src).then((seconds) => {
      release?.();
      if (mine === round.current) setLength(seconds ?? 'unreadable');
    });
  };
  const submit = async (v: LessonForm) => {
    setError(null);
    const durationSeconds =
      typeof length === 'number' ? length : v.minutes ? Math.max(1, Math.round(v.minutes * 60)) : null;
    if (durationSeconds === null) {
      setError(t.durationUnknown);
      return;
    }
    try {
      const fields = {
        seq: v.seq,
        title: v.title,
        video: v.kind === 'url' ? { url: v.video.trim() } : { path: v.video.trim() },
        durationSeconds,
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
        onFinishFailed={({ errorFields }) => {
          if (errorFields.some((f) => f.name[0] === 'video' && kind === 'upload')) setError(t.videoRequired);
        }}
        initialValues={
          lesson
            ? {
                seq: lesson.seq,
                title: lesson.title,
                kind: lesson.videoUrl ? 'url' : 'upload',
                video: lesson.videoUrl ?? lesson.videoPath ?? '',
              }
            : { seq: nextSeq, kind: 'upload' }
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
            onChange={() => {
              round.current += 1;
              form.setFieldValue('video', '');
              setLength(null);
            }}
            options={[
              { value: 'upload', label: t.videoUpload },
              { value: 'url', label: t.videoUrl },
            ]}
          />
        </Form.Item>
        {kind === 'url' ? (
          <Form.Item label={t.videoUrl} name="video" rules={[{ required: true, whitespace: true }]}>
            <Input
              maxLength={1024}
              placeholder="https://…"
              onBlur={(e) => {
                const url = e.target.value.trim();
                round.current += 1;
                if (url) measure(url);
              }}
            />
          </Form.Item>
        ) : (
          <>
            <Form.Item name="video" rules={[{ required: true, message: t.videoRequired }]} hidden>
              <Input />
            </Form.Item>
            <VideoUpload
              onPicked={(file) => {
                round.current += 1;
                const src = URL.createObjectURL(file);
                measure(src, () => URL.revokeObjectURL(src));
              }}
              onDone={(path) => {
                if (form.getFieldValue('kind') === 'upload') form.setFieldValue('video', path);
              }}
            />
            {videoPath ? (
              <p>
                {t.videoPath}：<span data-testid="lesson-video-path">{videoPath}</span>
              </p>
            ) : null}
          </>
        )}
        <Form.Item label={t.duration}>
          <span data-testid="lesson-duration">
            {typeof length === 'number'
              ? t.durationRead(formatSeconds(length))
              : length === 'reading'
                ? t.durationReading
                : length === 'unreadable'
                  ? t.durationUnreadable
                  : t.durationPending}
          </span>
        </Form.Item>
        {length === 'unreadable' ? (
          <Form.Item
            label={t.durationMinutes}
            name="minutes"
            rules={[{ required: true, message: t.durationUnknown }]}
          >
            <InputNumber min={0.1} max={1440} />
          </Form.Item>
        ) : null}
      </Form>
    </Modal>
  );
}

/**
 * Picks a video and uploads it in chunks with a progress bar (percent, MB/s), pause and resume. The
 * same file picked again after a failure or a reload resumes from the chunks the server has.
 */
export function VideoUpload({
  onDone,
  onPicked,
}: {
  onDone: (path: string) => void;
  /** Told of each file as it is picked (before its upload ends). */
  onPicked?: (file: File) => void;
}) {
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
          if (file) {
            onPicked?.(file);
            pick(file);
          }
        }}
      />
      {progress ? (
        <div data-testid="video-upload" style={{ marginTop: 8 }}>
          <Progress
            aria-label="上传进度"
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
