import { Badge, Button, Card, Col, Empty, Row, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api, type Me } from '../api.ts';
import { describeError, workbenchText as t } from '../strings.ts';

/** One to-do: how many are waiting ('50+' when a list is cut), or why it could not be read. */
type Count = { n: number; more: boolean } | { error: string } | null;

interface Todo {
  key: string;
  title: string;
  hint: string;
  /** The page where it is dealt with. */
  href: string;
  /** Shown only to a role holding this right (the API would refuse the reads otherwise). */
  right: string;
  count: (me: Me) => Promise<{ n: number; more: boolean }>;
}

const listMax = 50;

const todos: Todo[] = [
  {
    key: 'approvals',
    title: t.approvals,
    hint: t.approvalsHint,
    href: '#/approvals',
    right: 'adjust.approve',
    // Adjustments, cash top-ups, top-up refunds and device price changes someone else proposed, and
    // subsidy batches above the threshold another admin made (a maker never checks their own).
    count: async (me) => {
      const [approvals, drafts] = await Promise.all([
        api<{ items: { makerId: string }[] }>('GET', '/approvals?status=pending'),
        me.rights.includes('funds.approve')
          ? api<{ items: { approvalRequired: boolean; createdBy: string }[] }>(
              'GET',
              '/subsidy-batches?status=draft',
            )
          : { items: [] },
      ]);
      const n =
        approvals.items.filter((a) => a.makerId !== me.adminId).length +
        drafts.items.filter((b) => b.approvalRequired && b.createdBy !== me.adminId).length;
      return { n, more: approvals.items.length >= 100 };
    },
  },
  {
    key: 'offline',
    title: t.offline,
    hint: t.offlineHint,
    href: '#/offline',
    right: 'offline.read',
    count: async () => {
      const page = await api<{ items: unknown[] }>('GET', '/offline-exceptions?status=open');
      return { n: page.items.length, more: page.items.length >= listMax };
    },
  },
  {
    key: 'sync',
    title: t.sync,
    hint: t.syncHint,
    href: '#/sync',
    right: 'sync.read',
    // The failures since the last run that succeeded (newest first): those are still unresolved.
    count: async () => {
      const runs = await api<{ items: { status: string; startedAtMs: number }[] }>('GET', '/sync/runs');
      const newestFirst = [...runs.items].sort((a, b) => b.startedAtMs - a.startedAtMs);
      const lastGood = newestFirst.findIndex((r) => r.status === 'succeeded');
      const open = lastGood === -1 ? newestFirst : newestFirst.slice(0, lastGood);
      return { n: open.filter((r) => r.status === 'failed').length, more: false };
    },
  },
  {
    key: 'devices',
    title: t.devices,
    hint: t.devicesHint,
    href: '#/devices',
    right: 'device.read',
    count: async () => {
      const devices = await api<{ items: { status: string; presence?: { online: boolean } | null }[] }>(
        'GET',
        '/devices',
      );
      const n = devices.items.filter((d) => d.status === 'active' && d.presence?.online !== true).length;
      return { n, more: false };
    },
  },
];

/**
 * Every role's landing page: its to-dos, each with a badge of how many wait and a link to the page
 * where they are dealt with; a to-do shows only to a role that holds the right to read it.
 */
export function WorkbenchPage({ me }: { me: Me }) {
  const mine = todos.filter((todo) => me.rights.includes(todo.right));
  const [counts, setCounts] = useState<Record<string, Count>>({});
  useEffect(() => {
    let gone = false;
    for (const todo of todos.filter((x) => me.rights.includes(x.right)))
      todo.count(me).then(
        (c) => !gone && setCounts((all) => ({ ...all, [todo.key]: c })),
        (e) => !gone && setCounts((all) => ({ ...all, [todo.key]: { error: describeError(e) } })),
      );
    return () => {
      gone = true;
    };
  }, [me]);
  return (
    <Card title={t.title} data-testid="workbench">
      <Typography.Paragraph>{t.greeting(me.displayName, me.roleName)}</Typography.Paragraph>
      {mine.length === 0 ? (
        <Empty description={t.noTodos} />
      ) : (
        <Row gutter={[16, 16]}>
          {mine.map((todo) => {
            const c = counts[todo.key] ?? null;
            const n = c && 'n' in c ? c.n : 0;
            return (
              <Col key={todo.key} xs={24} md={12} xl={6}>
                <Card size="small" data-testid={`todo-${todo.key}`}>
                  <Typography.Title level={5} style={{ marginTop: 0 }}>
                    <a href={todo.href}>{todo.title}</a>{' '}
                    <span data-testid={`todo-${todo.key}-count`}>
                      <Badge
                        count={c && 'n' in c ? `${c.n}${c.more ? '+' : ''}` : 0}
                        showZero={c !== null && 'n' in c}
                        color={n > 0 ? '#cf1322' : '#8c8c8c'}
                      />
                    </span>
                  </Typography.Title>
                  <Typography.Paragraph type="secondary">
                    {c && 'error' in c ? `${t.loadFailed}：${c.error}` : n === 0 && c ? t.none : todo.hint}
                  </Typography.Paragraph>
                  <Button href={todo.href} size="small" type={n > 0 ? 'primary' : 'default'}>
                    {t.open}
                  </Button>
                </Card>
              </Col>
            );
          })}
        </Row>
      )}
    </Card>
  );
}
