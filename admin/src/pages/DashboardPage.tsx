import { Alert, Card, Col, Row, Statistic, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { api, when, yuan } from '../api.ts';
import { Chart } from '../components/Chart.tsx';
import { describeError } from '../strings.ts';

interface Dashboard {
  atMs: number;
  day: string;
  paymentCount: number;
  turnoverAmount: number;
  topUpCount: number;
  topUpAmount: number;
  devicesLive: number;
  devicesUsedToday: number;
  refusedRateBp: number;
  perMinute: {
    minuteMs: number;
    paymentCount: number;
    paymentAmount: number;
    topUpCount: number;
    topUpAmount: number;
  }[];
  paymentsByHour: { hour: number; count: number; amount: number }[];
}

const minuteLabel = (ms: number) =>
  new Date(ms).toLocaleTimeString('zh-CN', {
    timeZone: 'Asia/Shanghai',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });

/** How often the dashboard asks again; the figures come from the same queries as the reports. */
const refreshMs = 5_000;

/** Today at a glance, refreshed every few seconds: sales, top-ups, devices in use, refusals. */
export function DashboardPage() {
  const [data, setData] = useState<Dashboard | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const tick = () =>
      api<Dashboard>('GET', '/dashboard')
        .then(
          (d) => {
            setData(d);
            setError(null);
          },
          (e) => setError(describeError(e)),
        )
        .finally(() => {
          timer = setTimeout(tick, refreshMs);
        });
    tick();
    return () => clearTimeout(timer);
  }, []);
  const minutes = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: {},
      xAxis: { type: 'category', data: data?.perMinute.map((m) => minuteLabel(m.minuteMs)) ?? [] },
      yAxis: { type: 'value', name: '笔/分钟', minInterval: 1 },
      series: [
        { name: '消费', type: 'line', smooth: true, data: data?.perMinute.map((m) => m.paymentCount) ?? [] },
        { name: '充值', type: 'line', smooth: true, data: data?.perMinute.map((m) => m.topUpCount) ?? [] },
      ],
    }),
    [data],
  );
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: {},
      xAxis: { type: 'category', data: Array.from({ length: 24 }, (_, h) => `${h}时`) },
      yAxis: [
        { type: 'value', name: '笔' },
        { type: 'value', name: '元' },
      ],
      series: [
        { name: '消费笔数', type: 'bar', data: data?.paymentsByHour.map((h) => h.count) ?? [] },
        {
          name: '消费金额',
          type: 'line',
          yAxisIndex: 1,
          data: data?.paymentsByHour.map((h) => Number((h.amount / 100).toFixed(2))) ?? [],
        },
      ],
    }),
    [data],
  );
  return (
    <Card
      title="实时监控"
      extra={data ? <Typography.Text type="secondary">更新于 {when(data.atMs)}</Typography.Text> : null}
    >
      {error ? <Alert type="error" message={error} style={{ marginBottom: 12 }} /> : null}
      <Row gutter={16} data-testid="dashboard-figures">
        <Col span={4}>
          <Statistic title="今日营业额" value={data ? yuan(data.turnoverAmount) : '—'} />
        </Col>
        <Col span={4}>
          <Statistic title="今日消费笔数" value={data?.paymentCount ?? '—'} />
        </Col>
        <Col span={4}>
          <Statistic title="今日充值" value={data ? yuan(data.topUpAmount) : '—'} />
        </Col>
        <Col span={4}>
          <Statistic title="今日充值笔数" value={data?.topUpCount ?? '—'} />
        </Col>
        <Col span={4}>
          <Statistic
            title="5 分钟内有交易的设备"
            value={data ? `${data.devicesLive} / ${data.devicesUsedToday}` : '—'}
          />
        </Col>
        <Col span={4}>
          <Statistic title="拒绝率" value={data ? `${(data.refusedRateBp / 100).toFixed(2)}%` : '—'} />
        </Col>
      </Row>
      <Typography.Title level={5}>最近 60 分钟（每分钟笔数）</Typography.Title>
      <Chart option={minutes} height={260} testId="chart-minutes" />
      <Typography.Title level={5}>今日每小时消费</Typography.Title>
      <Chart option={option} height={260} testId="chart-today" />
    </Card>
  );
}
