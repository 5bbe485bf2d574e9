import { Alert, Button, Checkbox, DatePicker, Form, Input, Modal, Space, Table, Tag } from 'antd';
import type { Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { api, when } from '../api.ts';
import { instantValue, pickedInstantMs } from '../calendar.ts';
import { useCampuses } from '../components/campus.tsx';
import { describeError, contentText as t } from '../strings.ts';
import { type Audience, AudienceFields, audienceLabel, audienceOf, type News } from './content-audience.tsx';

// The content page's news tab: the list, publishing now or scheduled, withdrawing, marking important
// (its audience is sent a message outside the app: asked to confirm, audited by the BFF).

/** Asks the editor to confirm sending an important item's messages; answers their choice. */
function confirmImportant(title: string, content: string): Promise<boolean> {
  return new Promise((resolve) =>
    Modal.confirm({
      title,
      content,
      okText: t.markImportant,
      onOk: () => resolve(true),
      onCancel: () => resolve(false),
    }),
  );
}

export function NewsTab({ manage }: { manage: boolean }) {
  const [items, setItems] = useState<News[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [publishing, setPublishing] = useState(false);
  const [editing, setEditing] = useState<News | null>(null);
  const campuses = useCampuses();
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
  const markImportant = async (n: News) => {
    setError(null);
    const query = new URLSearchParams({
      type: n.audience.type,
      ...('value' in n.audience ? { value: n.audience.value } : {}),
    });
    const people = await api<{ people: number }>('GET', `/content/audience-count?${query}`).then(
      (a) => a.people,
      () => null,
    );
    if (!(await confirmImportant(t.importantConfirm(n.title, people), t.importantNote))) return;
    try {
      await api('PATCH', `/news/${n.id}`, { important: true });
    } catch (e) {
      setError(describeError(e));
    }
    load();
  };
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
          {
            title: t.newsTitle,
            render: (_: unknown, n: News) => (
              <Space size={4}>
                {n.important ? <Tag color="red">{t.important}</Tag> : null}
                <span>{n.title}</span>
              </Space>
            ),
          },
          { title: t.audience, dataIndex: 'audience', render: (a: Audience) => audienceLabel(a, campuses) },
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
                        {n.important ? null : (
                          <Button size="small" onClick={() => void markImportant(n)}>
                            {t.markImportant}
                          </Button>
                        )}
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

export interface NewsForm {
  title: string;
  body: string;
  audience: Audience;
  publishAt?: Dayjs | null;
  important?: boolean;
}

/** Publishes a new item, or edits `item` (prefilled; its time only while it is still scheduled). */
export function PublishDialog({ item, onClose }: { item: News | null; onClose: () => void }) {
  const [form] = Form.useForm<NewsForm>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const scheduled = item !== null && item.publishAtMs > Date.now();
  const submit = async (v: NewsForm) => {
    const marking = v.important === true && item?.important !== true;
    if (marking && !(await confirmImportant(t.publishImportantConfirm, t.importantNote))) return;
    setBusy(true);
    setError(null);
    try {
      const fields = {
        title: v.title,
        body: v.body,
        audience: audienceOf(v.audience),
        ...(marking ? { important: true } : {}),
      };
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
                important: item.important,
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
        <Form.Item name="important" valuePropName="checked" extra={t.importantHint}>
          <Checkbox disabled={item?.important === true}>{t.importantField}</Checkbox>
        </Form.Item>
      </Form>
    </Modal>
  );
}
