import type { AccessLogRow, Place } from '@campus-card/core/contract';
import { addDays, daysBoundsMs, formatDateTime, shanghaiToday } from '@campus-card/core/time';
import { Alert, Button, Card, Input, Select, Space, Table, Tag } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api.ts';
import { Outcome } from '../../components/Outcome.tsx';
import { download } from '../../download.ts';
import { describeError } from '../../strings.ts';
import { accessLogText as t } from './access-log-strings.ts';

const pageSize = 50;

interface Filters {
  from: string;
  to: string;
  placeId?: string;
  personNo?: string;
  decision?: string;
  direction?: string;
  source?: string;
}

/** The filters as the API's query (days cut in Asia/Shanghai, whatever the browser's zone). */
function queryOf(f: Filters, before?: AccessLogRow): string {
  const { startMs, endMs } = daysBoundsMs(f.from, f.to);
  const q = new URLSearchParams({ fromMs: String(startMs), toMs: String(endMs) });
  for (const key of ['placeId', 'personNo', 'decision', 'direction', 'source'] as const) {
    const value = f[key]?.trim();
    if (value) q.set(key, value);
  }
  if (before) {
    q.set('beforeAtMs', String(before.occurredAtMs));
    q.set('beforeId', before.id);
  }
  return q.toString();
}

/**
 * 通行记录: every pass and refusal at the doors, gates and readers, by place (a door, or everything
 * under a building), person, result, direction and source, a day range at a time; newest first, more
 * on demand; exported as CSV (audited by the API).
 */
export function AccessLogCard({ places }: { places: Place[] }) {
  const today = shanghaiToday();
  const [filters, setFilters] = useState<Filters>({ from: addDays(today, -6), to: today });
  const [rows, setRows] = useState<AccessLogRow[]>([]);
  const [more, setMore] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  const search = useCallback(async (f: Filters, before?: AccessLogRow) => {
    setLoading(true);
    setError(null);
    try {
      const page = await api<{ items: AccessLogRow[] }>(
        'GET',
        `/passage/access-log?${queryOf(f, before)}&limit=${pageSize}`,
      );
      setRows((old) => (before ? [...old, ...page.items] : page.items));
      setMore(page.items.length === pageSize);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setLoading(false);
    }
  }, []);
  // The first page of the last seven days when the card opens.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only on mount; later searches are asked for
  useEffect(() => {
    void search(filters);
  }, [search]);

  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  const badRange =
    !/^\d{4}-\d{2}-\d{2}$/.test(filters.from) ||
    !/^\d{4}-\d{2}-\d{2}$/.test(filters.to) ||
    filters.from > filters.to;

  return (
    <Card title={t.title} id="access-log">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Outcome
          error={error}
          note={note}
          onClose={() => {
            setError(null);
            setNote(null);
          }}
        />
        <Space wrap>
          <Input
            aria-label={t.from}
            addonBefore={t.from}
            style={{ width: 200 }}
            value={filters.from}
            onChange={(e) => set({ from: e.target.value })}
          />
          <Input
            aria-label={t.to}
            addonBefore={t.to}
            style={{ width: 200 }}
            value={filters.to}
            onChange={(e) => set({ to: e.target.value })}
          />
          <Select
            aria-label={t.place}
            allowClear
            showSearch
            optionFilterProp="label"
            placeholder={t.place}
            style={{ width: 220 }}
            value={filters.placeId}
            onChange={(v: string | undefined) => set({ placeId: v })}
            options={places.filter((p) => p.kind !== 'campus').map((p) => ({ value: p.id, label: p.name }))}
          />
          <Input
            aria-label={t.personNo}
            placeholder={t.personNo}
            style={{ width: 150 }}
            value={filters.personNo}
            onChange={(e) => set({ personNo: e.target.value })}
          />
          <Select
            aria-label={t.decision}
            allowClear
            placeholder={t.decision}
            style={{ width: 110 }}
            value={filters.decision}
            onChange={(v: string | undefined) => set({ decision: v })}
            options={Object.entries(t.decisions).map(([value, label]) => ({ value, label }))}
          />
          <Select
            aria-label={t.direction}
            allowClear
            placeholder={t.direction}
            style={{ width: 100 }}
            value={filters.direction}
            onChange={(v: string | undefined) => set({ direction: v })}
            options={Object.entries(t.directions).map(([value, label]) => ({ value, label }))}
          />
          <Select
            aria-label={t.source}
            allowClear
            placeholder={t.source}
            style={{ width: 120 }}
            value={filters.source}
            onChange={(v: string | undefined) => set({ source: v })}
            options={Object.entries(t.sources).map(([value, label]) => ({ value, label }))}
          />
          <Button
            id="access-log-search"
            type="primary"
            disabled={badRange}
            onClick={() => void search(filters)}
          >
            {t.search}
          </Button>
          <Button
            id="access-log-export"
            disabled={badRange}
            onClick={async () => {
              try {
                setNote(
                  t.exported(await download(`/passage/access-log/export?${queryOf(filters)}&format=csv`)),
                );
              } catch (e) {
                setError(describeError(e));
              }
            }}
          >
            {t.export}
          </Button>
        </Space>
        {badRange ? <Alert type="warning" message={t.badRange} showIcon /> : null}
        <Table<AccessLogRow>
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={rows}
          pagination={false}
          locale={{ emptyText: t.empty }}
          columns={[
            { title: t.time, render: (_, r) => formatDateTime(r.occurredAtMs) },
            { title: t.door, render: (_, r) => r.doorName ?? t.noDoor(r.deviceId) },
            {
              title: t.person,
              render: (_, r) => (r.name ? `${r.name}（${r.personNo ?? ''}）` : t.unknownPerson),
            },
            { title: t.direction, render: (_, r) => t.directions[r.direction] ?? '' },
            {
              title: t.decision,
              render: (_, r) => (
                <Tag color={r.decision === 'allow' ? 'green' : 'red'}>{t.decisions[r.decision]}</Tag>
              ),
            },
            { title: t.reason, render: (_, r) => (r.reason ? (t.reasons[r.reason] ?? t.otherReason) : '') },
            { title: t.source, render: (_, r) => t.sources[r.source] },
          ]}
        />
        {more ? (
          <Button id="access-log-more" loading={loading} onClick={() => void search(filters, rows.at(-1))}>
            {t.more}
          </Button>
        ) : null}
      </Space>
    </Card>
  );
}
