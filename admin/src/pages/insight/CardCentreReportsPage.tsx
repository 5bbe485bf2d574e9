import type {
  CanteenDayAnswer,
  DeviceFailures,
  DeviceFailuresAnswer,
  MerchantRank,
  MerchantRankingAnswer,
  SpendingGroup,
  SpendingGrouping,
  SpendingStructureAnswer,
  SubsidyEffectAnswer,
  SubsidyGroup,
} from '@campus-card/core/contract/insight';
import {
  Alert,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Form,
  Radio,
  Select,
  Space,
  Table,
  Tabs,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, api, when, yuan } from '../../api.ts';
import { dayText, shanghaiTodayValue } from '../../calendar.ts';
import { Chart } from '../../components/Chart.tsx';
import { outcomeText } from '../../strings/common.ts';
import { describeError } from '../../strings/errors.ts';
import { merchantText } from '../../strings/finance.ts';
import { reportsText as t } from './strings.ts';

const toYuan = (fen: number) => Math.round(fen) / 100;
const refusalText = (code: string) => outcomeText(code).replace(/^失败：/, '');
const categoryText = (category: string) => merchantText.category[category] ?? merchantText.category.other;

type Named<T> = T & { name?: string };

const groupLabel = (by: SpendingGrouping, group: string) =>
  by === 'grade' ? t.gradeOf(group) : t.departmentOf(group);

/** One report's answer for the month asked, its error (in Chinese), and whether it is loading. */
function useReport<T>(path: string | null) {
  const [answer, setAnswer] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setLoading(true);
    setError(null);
    api<T>('GET', path)
      .then((a) => live && setAnswer(a))
      .catch((e) => {
        if (!live) return;
        setAnswer(null);
        setError(e instanceof ApiError && e.code === 'NOT_FOUND' ? t.insightOff : describeError(e));
      })
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [path]);
  return { answer, error, loading };
}

function Failure({ error }: { error: string | null }) {
  return error ? <Alert type="error" showIcon message={error} /> : null;
}

/** 消费结构: a month's spending per department or grade; small groups named without figures. */
function SpendingTab({ month }: { month: string }) {
  const [by, setBy] = useState<SpendingGrouping>('department');
  const { answer, error, loading } = useReport<SpendingStructureAnswer>(
    `/insight/reports/spending-structure?month=${month}&by=${by}`,
  );
  const label = (group: string) => groupLabel(by, group);
  const shown = useMemo(
    () =>
      (answer?.items ?? []).filter((g): g is Extract<SpendingGroup, { suppressed: false }> => !g.suppressed),
    [answer],
  );
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      // The legend above the bars, the group names below them (turned only when there are many).
      legend: { top: 0, data: [t.mealSpend, t.otherSpend] },
      grid: { left: 60, right: 20, top: 50, bottom: 40 },
      xAxis: {
        type: 'category',
        data: shown.map((g) => groupLabel(by, g.group)),
        axisLabel: { interval: 0, rotate: shown.length > 6 ? 30 : 0 },
      },
      yAxis: { type: 'value', name: t.spendingChart },
      series: [
        {
          name: t.mealSpend,
          type: 'bar',
          stack: 'spend',
          data: shown.map((g) => toYuan(g.mealSpendFen / g.students)),
        },
        {
          name: t.otherSpend,
          type: 'bar',
          stack: 'spend',
          data: shown.map((g) => toYuan(g.otherSpendFen / g.students)),
        },
      ],
    }),
    [shown, by],
  );
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Radio.Group
        aria-label={t.grouping}
        value={by}
        onChange={(e) => setBy(e.target.value)}
        options={[
          { value: 'department', label: t.byDepartment },
          { value: 'grade', label: t.byGrade },
        ]}
        optionType="button"
      />
      <Failure error={error} />
      {shown.length > 0 && <Chart option={option} height={280} testId="chart-spending" />}
      <Table<SpendingGroup>
        size="small"
        rowKey="group"
        loading={loading}
        pagination={false}
        dataSource={answer?.items ?? []}
        columns={[
          { title: by === 'grade' ? t.grade : t.department, render: (_, g) => label(g.group) },
          {
            title: t.students,
            render: (_, g) => (g.suppressed ? t.suppressed : g.students),
            onCell: (g) => ({ colSpan: g.suppressed ? 5 : 1 }),
          },
          ...(['meals', 'mealSpendFen', 'otherSpendFen', 'spendPerStudentFen'] as const).map((key) => ({
            title: {
              meals: t.meals,
              mealSpendFen: t.mealSpend,
              otherSpendFen: t.otherSpend,
              spendPerStudentFen: t.perStudent,
            }[key],
            onCell: (g: SpendingGroup) => ({ colSpan: g.suppressed ? 0 : 1 }),
            render: (_: unknown, g: SpendingGroup) =>
              g.suppressed ? null : key === 'meals' ? g.meals : yuan(g[key]),
          })),
        ]}
      />
    </Space>
  );
}

/** 补助效果: recipients' daily spending before and after the month's subsidy, against everyone else. */
function SubsidyTab({ month }: { month: string }) {
  const { answer, error, loading } = useReport<SubsidyEffectAnswer>(
    `/insight/reports/subsidy-effect?month=${month}`,
  );
  const sides = useMemo(
    () =>
      answer
        ? ([
            [t.subsidised, answer.subsidised],
            [t.others, answer.others],
          ] as [string, SubsidyGroup][])
        : [],
    [answer],
  );
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [t.before, t.after] },
      xAxis: { type: 'category', data: sides.map(([name]) => name) },
      yAxis: { type: 'value', name: t.subsidyChart },
      series: (['before', 'after'] as const).map((when) => ({
        name: t[when],
        type: 'bar',
        data: sides.map(([, s]) => (s.suppressed ? null : toYuan(s[when].mealSpendPerDayFen))),
      })),
    }),
    [sides],
  );
  if (loading) return <Card loading />;
  if (error) return <Failure error={error} />;
  if (!answer) return null;
  if (answer.firstDay === null) return <Alert type="info" showIcon message={t.subsidyNone} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph type="secondary">
        {t.subsidyIntro(answer.firstDay, answer.windowDays)}
      </Typography.Paragraph>
      <Descriptions size="small" column={2}>
        <Descriptions.Item label={t.recipients}>{answer.recipients ?? t.suppressed}</Descriptions.Item>
        <Descriptions.Item label={t.subsidyTotal}>
          {answer.subsidyFen === null ? t.suppressed : yuan(answer.subsidyFen)}
        </Descriptions.Item>
      </Descriptions>
      <Chart option={option} height={260} testId="chart-subsidy" />
      <Table<[string, SubsidyGroup]>
        size="small"
        rowKey={([name]) => name}
        pagination={false}
        dataSource={sides}
        columns={[
          { title: '', render: (_, [name]) => name },
          { title: t.students, render: (_, [, s]) => (s.suppressed ? t.suppressed : s.students) },
          ...(['before', 'after'] as const).flatMap((w) => [
            {
              title: `${t[w]}${t.mealsPerDay}`,
              render: (_: unknown, [, s]: [string, SubsidyGroup]) => (s.suppressed ? '—' : s[w].mealsPerDay),
            },
            {
              title: `${t[w]}${t.mealSpendPerDay}`,
              render: (_: unknown, [, s]: [string, SubsidyGroup]) =>
                s.suppressed ? '—' : yuan(s[w].mealSpendPerDayFen),
            },
            {
              title: `${t[w]}${t.otherSpendPerDay}`,
              render: (_: unknown, [, s]: [string, SubsidyGroup]) =>
                s.suppressed ? '—' : yuan(s[w].otherSpendPerDayFen),
            },
          ]),
        ]}
      />
    </Space>
  );
}

/** 商户排行: merchants by turnover (chart of the top 10) and the price bands per category. */
function MerchantsTab({ month }: { month: string }) {
  const { answer, error, loading } = useReport<
    Named<MerchantRankingAnswer> & { items: Named<MerchantRank>[] }
  >(`/insight/reports/merchant-ranking?month=${month}`);
  const top = useMemo(
    () =>
      (answer?.items ?? [])
        .filter((m): m is Named<Extract<MerchantRank, { suppressed: false }>> => !m.suppressed)
        .slice(0, 10),
    [answer],
  );
  const ranking = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 120, right: 30 },
      xAxis: { type: 'value', name: '元' },
      yAxis: { type: 'category', inverse: true, data: top.map((m) => m.name ?? m.merchantId) },
      series: [{ name: t.turnover, type: 'bar', data: top.map((m) => toYuan(m.amountFen)) }],
    }),
    [top],
  );
  const bands = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: (answer?.priceBands ?? []).map((b) => categoryText(b.category)) },
      xAxis: { type: 'category', data: t.bands },
      yAxis: { type: 'value', name: t.payments },
      series: (answer?.priceBands ?? []).map((b) => ({
        name: categoryText(b.category),
        type: 'bar',
        stack: 'bands',
        data: b.payments,
      })),
    }),
    [answer],
  );
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Failure error={error} />
      {top.length > 0 && (
        <>
          <Typography.Text strong>{t.merchantChart}</Typography.Text>
          <Chart option={ranking} height={Math.max(160, top.length * 32)} testId="chart-merchants" />
        </>
      )}
      <Table<Named<MerchantRank>>
        size="small"
        rowKey="merchantId"
        loading={loading}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        dataSource={answer?.items ?? []}
        columns={[
          { title: t.merchant, render: (_, m) => m.name ?? m.merchantId },
          { title: t.category, render: (_, m) => categoryText(m.category) },
          {
            title: t.turnover,
            render: (_, m) => (m.suppressed ? t.suppressed : yuan(m.amountFen)),
            onCell: (m) => ({ colSpan: m.suppressed ? 4 : 1 }),
          },
          ...(['payments', 'cards', 'averageFen'] as const).map((key) => ({
            title: { payments: t.payments, cards: t.cards, averageFen: t.average }[key],
            onCell: (m: MerchantRank) => ({ colSpan: m.suppressed ? 0 : 1 }),
            render: (_: unknown, m: MerchantRank) =>
              m.suppressed ? null : key === 'averageFen' ? yuan(m.averageFen) : m[key],
          })),
        ]}
      />
      {(answer?.priceBands.length ?? 0) > 0 && (
        <>
          <Typography.Text strong>
            {t.bandChart}
            <Typography.Text type="secondary">{t.bandSuppressed}</Typography.Text>
          </Typography.Text>
          <Chart option={bands} height={260} testId="chart-price-bands" />
        </>
      )}
    </Space>
  );
}

/** 设备故障: devices by refusals with the reasons, and a weekday × hour heat map of refusals. */
function DevicesTab({ month }: { month: string }) {
  const { answer, error, loading } = useReport<DeviceFailuresAnswer>(
    `/insight/reports/device-failures?month=${month}`,
  );
  const heat = useMemo(() => {
    const cells = (answer?.pattern ?? []).filter((p) => p.refused !== null && p.refused > 0);
    return {
      tooltip: { position: 'top' },
      grid: { left: 50, right: 20, bottom: 70 },
      xAxis: {
        type: 'category',
        data: Array.from({ length: 24 }, (_, h) => `${h}时`),
        splitArea: { show: true },
      },
      yAxis: { type: 'category', data: t.weekdays, inverse: true, splitArea: { show: true } },
      visualMap: {
        min: 0,
        max: Math.max(1, ...cells.map((c) => c.refused ?? 0)),
        calculable: true,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
      },
      series: [
        {
          name: t.refused,
          type: 'heatmap',
          data: cells.map((c) => [c.hour, c.weekday, c.refused]),
          label: { show: true },
        },
      ],
    };
  }, [answer]);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Failure error={error} />
      {answer && answer.items.length === 0 && <Alert type="success" showIcon message={t.noFailures} />}
      {answer && answer.items.length > 0 && (
        <>
          <Typography.Text strong>{t.patternChart}</Typography.Text>
          <Chart option={heat} height={300} testId="chart-device-failures" />
        </>
      )}
      <Table<DeviceFailures>
        size="small"
        rowKey="deviceId"
        loading={loading}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        dataSource={answer?.items ?? []}
        columns={[
          { title: t.device, dataIndex: 'deviceId' },
          { title: t.operations, dataIndex: 'operations' },
          { title: t.refused, dataIndex: 'refused' },
          { title: t.refusedRate, render: (_, d) => `${((d.refused / d.operations) * 100).toFixed(1)}%` },
          {
            title: t.codes,
            render: (_, d) =>
              [
                ...d.codes.map((c) => `${refusalText(c.code)} ${c.refused} 笔`),
                ...(d.otherRefused > 0 ? [t.otherRefused(d.otherRefused)] : []),
              ].join('；'),
          },
        ]}
      />
    </Space>
  );
}

type CanteenWindow = CanteenDayAnswer['items'][number];
const windowLabel = (w: CanteenWindow) => [w.canteen, w.windowName].filter(Boolean).join(' ') || w.window;
/** 06:00–22:00, the slots a canteen is open. */
const openSlots = Array.from({ length: 64 }, (_, i) => i + 24);
const slotLabel = (slot: number) =>
  `${String(Math.floor(slot / 4)).padStart(2, '0')}:${String((slot % 4) * 15).padStart(2, '0')}`;

/** 食堂人流: a day's forecast per window and 15-minute slot against the payments made. */
function CanteenTab() {
  const [picked, setPicked] = useState<Dayjs>(() => shanghaiTodayValue());
  const day = dayText(picked);
  const [chosen, setChosen] = useState<string | null>(null);
  const { answer, error, loading } = useReport<CanteenDayAnswer>(`/insight/reports/canteen-day?day=${day}`);
  const shown = answer?.items.find((w) => w.window === chosen) ?? answer?.items[0];
  const option = useMemo(
    () =>
      shown && {
        tooltip: { trigger: 'axis' },
        legend: { top: 0, data: [t.forecast, t.actual] },
        grid: { left: 50, right: 20, top: 50, bottom: 40 },
        xAxis: { type: 'category', data: openSlots.map(slotLabel) },
        yAxis: { type: 'value', name: t.payments },
        series: [
          { name: t.actual, type: 'bar', data: openSlots.map((s) => shown.actual[s] ?? 0) },
          {
            name: t.forecast,
            type: 'line',
            smooth: true,
            data: openSlots.map((s) => shown.forecast[s] ?? 0),
          },
        ],
      },
    [shown],
  );
  const total = (xs: number[]) => Math.round(xs.reduce((n, x) => n + x, 0));
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph type="secondary">{t.canteenIntro}</Typography.Paragraph>
      <Space wrap>
        <label htmlFor="canteen-day">{t.day}</label>
        <DatePicker
          id="canteen-day"
          allowClear={false}
          value={picked}
          onChange={(d) => d && setPicked(d)}
          style={{ width: 180 }}
        />
        {answer && answer.items.length > 0 && (
          <Select
            aria-label={t.window}
            style={{ minWidth: 220 }}
            value={shown?.window}
            onChange={setChosen}
            options={answer.items.map((w) => ({ value: w.window, label: windowLabel(w) }))}
          />
        )}
        {answer?.holiday && <Typography.Text type="warning">{t.holidayNote}</Typography.Text>}
      </Space>
      <Failure error={error} />
      {answer && answer.items.length === 0 && <Alert type="info" showIcon message={t.noCanteen} />}
      {shown && option && (
        <>
          <Typography.Text strong>{t.canteenChart(windowLabel(shown))}</Typography.Text>
          <Chart option={option} height={280} testId="chart-canteen-day" />
        </>
      )}
      <Table<CanteenWindow>
        size="small"
        rowKey="window"
        loading={loading}
        pagination={false}
        dataSource={answer?.items ?? []}
        columns={[
          { title: t.canteen, render: (_, w) => w.canteen ?? '' },
          { title: t.window, render: (_, w) => w.windowName ?? '' },
          { title: t.forecastTotal, render: (_, w) => total(w.forecast) },
          { title: t.actualTotal, render: (_, w) => total(w.actual) },
        ]}
      />
    </Space>
  );
}

interface SourceProgress {
  source: string;
  afterMs: number;
  rowsTotal: number;
  runAtMs: number;
  behind: boolean;
}

/** 同步进度: where each source of the insight extract stands (the job behind every insight page). */
function SourcesTab() {
  const [tick, setTick] = useState(0);
  const { answer, error, loading } = useReport<{ items: SourceProgress[] }>(`/insight/sources?t=${tick}`);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph type="secondary">{t.sourcesIntro}</Typography.Paragraph>
      <Failure error={error} />
      <Button onClick={() => setTick((n) => n + 1)}>刷新</Button>
      <Table<SourceProgress>
        size="small"
        rowKey="source"
        loading={loading}
        pagination={false}
        dataSource={answer?.items ?? []}
        columns={[
          { title: t.source, render: (_, s) => t.sourceNames[s.source] ?? s.source },
          { title: t.syncedTo, render: (_, s) => (s.afterMs > 0 ? when(s.afterMs) : '—') },
          { title: t.rowsTotal, dataIndex: 'rowsTotal' },
          { title: t.lastRun, render: (_, s) => when(s.runAtMs) },
          { title: t.state, render: (_, s) => (s.behind ? t.behind : t.caughtUp) },
        ]}
      />
    </Space>
  );
}

/**
 * 分析报表 (report.read): the card centre's monthly reports from the insight store — spending per
 * department or grade, subsidy effectiveness, merchant ranking and price bands, device failure
 * patterns — every figure that counts people shown only for groups of 10 or more; and the insight
 * extract's progress.
 */
export function CardCentreReportsPage() {
  const [draft, setDraft] = useState<Dayjs>(() => shanghaiTodayValue());
  const [month, setMonth] = useState(() => draft.format('YYYY-MM'));
  const [tab, setTab] = useState('spending');
  const ask = useCallback(() => setMonth(draft.format('YYYY-MM')), [draft]);
  return (
    <Card title={t.menu}>
      <Typography.Paragraph type="secondary">{t.intro}</Typography.Paragraph>
      <Form layout="inline" onFinish={ask} style={{ marginBottom: 16 }}>
        <Form.Item label={t.month} htmlFor="report-month">
          <DatePicker
            id="report-month"
            picker="month"
            allowClear={false}
            value={draft}
            onChange={(d) => d && setDraft(d)}
            style={{ width: 180 }}
          />
        </Form.Item>
        <Button type="primary" htmlType="submit">
          {t.query}
        </Button>
      </Form>
      <Tabs
        activeKey={tab}
        onChange={setTab}
        destroyOnHidden
        items={[
          { key: 'spending', label: t.tabs.spending, children: <SpendingTab month={month} /> },
          { key: 'subsidy', label: t.tabs.subsidy, children: <SubsidyTab month={month} /> },
          { key: 'merchants', label: t.tabs.merchants, children: <MerchantsTab month={month} /> },
          { key: 'devices', label: t.tabs.devices, children: <DevicesTab month={month} /> },
          { key: 'canteen', label: t.canteenTab, children: <CanteenTab /> },
          { key: 'sources', label: t.tabs.sources, children: <SourcesTab /> },
        ]}
      />
    </Card>
  );
}
