import { Alert, Card, Col, Row, Statistic, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { ApiError, api, session, when, yuan } from '../api.ts';
import { Chart } from '../components/Chart.tsx';
import { CampusExtra, useCampusFilter } from '../components/campus.tsx';
import { campusText, describeError } from '../strings.ts';

interface Dashboard {
  atMs: number;
  day: string;
  paymentCount: number;
  turnoverAmount: number;
  /** The campus the figures are of; null: the whole centre. */
  campusId: string | null;
  /** Null for a campus: a top-up is the centre's, not a campus's. */
  topUpCount: number | null;
  topUpAmount: number | null;
  devicesOnline: number;
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

/** While the live socket is down, the page asks for the figures this often instead. */
const fallbackMs = 5_000;
/** Reconnection waits double from the first to the last. */
const reconnectFirstMs = 1_000;
const reconnectLastMs = 30_000;
/** The BFF closes a socket with this code when its session ended: the page goes back to the sign-in. */
const sessionEndedCode = 4001;

type Link = 'connecting' | 'live' | 'reconnecting' | 'polled';

/**
 * The figures over the backoffice's events socket: the BFF sends a snapshot on connect and again
 * soon after any payment or top-up (a campus admin's socket carries their campus's). While the socket
 * is down the page reconnects with growing waits and meanwhile falls back to asking GET /dashboard
 * every few seconds. A campus a centre-wide admin picks is asked for that way alone, every few seconds.
 */
function useLiveDashboard(campusId: string): { data: Dashboard | null; error: string | null; link: Link } {
  const [data, setData] = useState<Dashboard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [link, setLink] = useState<Link>('connecting');
  useEffect(() => {
    let ended = false;
    let ws: WebSocket | null = null;
    let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
    let fallbackTimer: ReturnType<typeof setInterval> | undefined;
    let waitMs = reconnectFirstMs;
    const fetchOnce = () =>
      api<Dashboard>('GET', `/dashboard${campusId ? `?campusId=${encodeURIComponent(campusId)}` : ''}`).then(
        (d) => {
          if (ended) return;
          setData(d);
          setError(null);
        },
        (e) => !ended && setError(describeError(e)),
      );
    const fallBack = () => {
      if (!fallbackTimer) fallbackTimer = setInterval(fetchOnce, fallbackMs);
    };
    const retry = () => {
      if (ended) return;
      setLink('reconnecting');
      fallBack();
      reconnectTimer = setTimeout(connect, waitMs);
      waitMs = Math.min(waitMs * 2, reconnectLastMs);
    };
    const connect = async () => {
      let path: string;
      try {
        path = (await api<{ path: string }>('POST', '/events/ticket')).path;
      } catch (e) {
        // A 401 has signed the page out already; anything else is worth another try.
        if (e instanceof ApiError && e.status === 401) return;
        return retry();
      }
      if (ended) return;
      const socket = new WebSocket(
        `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`,
      );
      ws = socket;
      // Live once the first snapshot arrives, not on open: a socket that opens and closes at once
      // (a busy instance turning it away) must not reset the waits or stop the fallback.
      socket.onmessage = (event) => {
        const message = JSON.parse(String(event.data)) as { type: string; dashboard?: Dashboard };
        if (message.type !== 'dashboard' || !message.dashboard) return;
        // The BFF counts an open socket as use of the session: so does the browser's copy.
        session.used();
        setData(message.dashboard);
        setError(null);
        setLink('live');
        waitMs = reconnectFirstMs;
        clearInterval(fallbackTimer);
        fallbackTimer = undefined;
      };
      socket.onclose = (event) => {
        if (ended || ws !== socket) return;
        ws = null;
        // The session ended: the next API call answers 401 and takes the page to the sign-in.
        if (event.code === sessionEndedCode) void api('GET', '/me').catch(() => {});
        retry();
      };
    };
    // The first paint comes from GET; the socket then keeps it current.
    setData(null);
    void fetchOnce();
    if (campusId) {
      setLink('polled');
      fallBack();
    } else {
      setLink('connecting');
      void connect();
    }
    return () => {
      ended = true;
      clearTimeout(reconnectTimer);
      clearInterval(fallbackTimer);
      ws?.close();
    };
  }, [campusId]);
  return { data, error, link };
}

/** Today at a glance, live: sales, top-ups, devices in use, refusals. */
export function DashboardPage() {
  const byCampus = useCampusFilter();
  const { data, error, link } = useLiveDashboard(byCampus.campus);
  const topUps = data?.topUpCount !== null;
  const minutes = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: {},
      xAxis: { type: 'category', data: data?.perMinute.map((m) => minuteLabel(m.minuteMs)) ?? [] },
      yAxis: { type: 'value', name: '笔/分钟', minInterval: 1 },
      series: [
        { name: '消费', type: 'line', smooth: true, data: data?.perMinute.map((m) => m.paymentCount) ?? [] },
        ...(topUps
          ? [
              {
                name: '充值',
                type: 'line',
                smooth: true,
                data: data?.perMinute.map((m) => m.topUpCount) ?? [],
              },
            ]
          : []),
      ],
    }),
    [data, topUps],
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
      extra={
        <CampusExtra filter={byCampus} testId="dashboard-campus">
          <Tag color={link === 'live' || link === 'polled' ? 'green' : 'orange'} data-testid="live-status">
            {link === 'live'
              ? '实时'
              : link === 'polled'
                ? campusText.polled
                : link === 'connecting'
                  ? '连接中…'
                  : '重连中…'}
          </Tag>
          {data ? <Typography.Text type="secondary">更新于 {when(data.atMs)}</Typography.Text> : null}
        </CampusExtra>
      }
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
          <Statistic
            title="今日充值"
            value={
              data ? (data.topUpAmount === null ? campusText.topUpsCentreWide : yuan(data.topUpAmount)) : '—'
            }
          />
        </Col>
        <Col span={4}>
          <Statistic
            title="今日充值笔数"
            value={data ? (data.topUpCount === null ? campusText.topUpsCentreWide : data.topUpCount) : '—'}
          />
        </Col>
        <Col span={4}>
          <Statistic
            title="在线设备 / 今日使用"
            value={data ? `${data.devicesOnline} / ${data.devicesUsedToday}` : '—'}
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
