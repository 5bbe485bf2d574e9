import { DownloadOutlined } from '@ant-design/icons';
import type { ReportRows } from '@campus-card/core/contract';
import { Alert, Button, Card, Col, DatePicker, Row, Space, Table } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { api, type Me } from '../api.ts';
import { dayText, shanghaiTodayValue } from '../calendar.ts';
import { Chart } from '../components/Chart.tsx';
import { CampusPicker, CampusScopeNote, useCampuses } from '../components/campus.tsx';
import { download } from '../download.ts';
import { campusText, describeError } from '../strings.ts';

/** The charted reports by the names the backoffice's API uses (bff/src/admin/funds.ts), with their rows. */
interface Reports {
  'turnover-daily': ReportRows['turnover/daily'][];
  'turnover-merchants': ReportRows['turnover/merchants'][];
  'turnover-categories': ReportRows['turnover/categories'][];
  'turnover-campuses': ReportRows['turnover/campuses'][];
  'top-up-channels': ReportRows['top-up-channels'][];
  'peak-hours': ReportRows['peak-hours'][];
  'device-usage': ReportRows['device-usage'][];
  'attendance-courses': ReportRows['attendance/courses'][];
}
type Name = keyof Reports;
const names: Name[] = [
  'turnover-daily',
  'turnover-merchants',
  'turnover-categories',
  'turnover-campuses',
  'top-up-channels',
  'peak-hours',
  'device-usage',
  'attendance-courses',
];

const channelText: Record<string, string> = {
  wechat: '微信',
  alipay: '支付宝',
  cash: '现金',
  bank: '银行卡',
};
const categoryText: Record<string, string> = {
  canteen: '餐饮',
  shop: '超市',
  shower: '淋浴',
  laundry: '洗衣',
  library: '图书馆',
  transport: '交通',
  other: '其他',
};
/** The reports one campus's merchants can be narrowed to (the core's campusReports); the rest are the centre's. */
const campusNames: readonly Name[] = [
  'turnover-daily',
  'turnover-merchants',
  'turnover-categories',
  'peak-hours',
];
const weekdays = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];
const yuanOf = (fen: number) => Number((fen / 100).toFixed(2));

/** The reports finance reads, as charts over a range of days, each exportable as CSV or Excel. */
export function ReportsPage({ me }: { me: Me }) {
  const [range, setRange] = useState<[Dayjs, Dayjs]>(() => [shanghaiTodayValue(-29), shanghaiTodayValue()]);
  const [data, setData] = useState<Partial<Reports>>({});
  const [error, setError] = useState<string | null>(null);
  const campuses = useCampuses();
  const [campusPicked, setCampusPicked] = useState('');
  // A campus admin's reports are their campus's (the API narrows them and refuses the centre's).
  const campus = me.campusId ?? campusPicked;
  const shows = (name: Name) => !campus || campusNames.includes(name);
  const query = `from=${dayText(range[0])}&to=${dayText(range[1])}${campus ? `&campusId=${encodeURIComponent(campus)}` : ''}`;

  useEffect(() => {
    setError(null);
    setData({});
    for (const name of names.filter((n) => !campus || campusNames.includes(n)))
      api<{ items: unknown[] }>('GET', `/reports/${name}?${query}`).then(
        (r) => setData((d) => ({ ...d, [name]: r.items })),
        (e) => setError(describeError(e)),
      );
  }, [query, campus]);

  const exportButtons = (name: Name | 'attendance-sessions') => (
    <Space>
      {(['csv', 'xlsx'] as const).map((format) => (
        <Button
          key={format}
          size="small"
          icon={<DownloadOutlined />}
          data-testid={`export-${name}-${format}`}
          onClick={() =>
            download(`/reports/${name}?${query}&format=${format}`).catch((e) => setError(describeError(e)))
          }
        >
          {format === 'csv' ? 'CSV' : 'Excel'}
        </Button>
      ))}
    </Space>
  );

  const options = useMemo(() => {
    const daily = data['turnover-daily'] ?? [];
    const merchants = [...(data['turnover-merchants'] ?? [])]
      .sort((a, b) => b.netAmount - a.netAmount)
      .slice(0, 15);
    const categories = data['turnover-categories'] ?? [];
    const channels = data['top-up-channels'] ?? [];
    const peaks = data['peak-hours'] ?? [];
    const devices = [...(data['device-usage'] ?? [])]
      .sort((a, b) => b.acceptedCount + b.refusedCount - (a.acceptedCount + a.refusedCount))
      .slice(0, 15);
    const courses = data['attendance-courses'] ?? [];
    const byCampus = data['turnover-campuses'] ?? [];
    return {
      campuses: {
        tooltip: { trigger: 'axis' },
        xAxis: { type: 'category', data: byCampus.map((c) => c.campusName) },
        yAxis: { type: 'value', name: '元' },
        series: [{ type: 'bar', name: '净营业额', data: byCampus.map((c) => yuanOf(c.netAmount)) }],
      },
      daily: {
        tooltip: { trigger: 'axis' },
        legend: {},
        xAxis: { type: 'category', data: daily.map((d) => d.day.slice(5)) },
        yAxis: [
          { type: 'value', name: '元' },
          { type: 'value', name: '笔' },
        ],
        series: [
          { name: '净营业额', type: 'bar', data: daily.map((d) => yuanOf(d.netAmount)) },
          // Other centres' cards at our devices (docs/federation.md), drawn only where a centre has any.
          ...(daily.some((d) => d.foreignSaleCount > 0)
            ? [
                {
                  name: '其中联盟卡',
                  type: 'bar',
                  barGap: '-100%',
                  data: daily.map((d) => yuanOf(d.foreignSaleAmount)),
                },
              ]
            : []),
          { name: '笔数', type: 'line', yAxisIndex: 1, data: daily.map((d) => d.paymentCount) },
        ],
      },
      merchants: {
        tooltip: { trigger: 'axis' },
        grid: { left: 120 },
        xAxis: { type: 'value', name: '元' },
        yAxis: { type: 'category', data: merchants.map((m) => m.name).reverse() },
        series: [
          { type: 'bar', name: '净营业额', data: merchants.map((m) => yuanOf(m.netAmount)).reverse() },
        ],
      },
      categories: {
        tooltip: { trigger: 'item', formatter: '{b}: ¥{c} ({d}%)' },
        series: [
          {
            type: 'pie',
            radius: ['40%', '70%'],
            data: categories.map((c) => ({
              name: categoryText[c.category] ?? c.category,
              value: yuanOf(c.netAmount),
            })),
          },
        ],
      },
      channels: {
        tooltip: { trigger: 'item', formatter: '{b}: ¥{c} ({d}%)' },
        legend: { bottom: 0 },
        series: [
          {
            type: 'pie',
            radius: '65%',
            data: channels.map((c) => ({
              name: channelText[c.channel] ?? c.channel,
              value: yuanOf(c.amount),
            })),
          },
        ],
      },
      peaks: {
        tooltip: {
          formatter: (p: { value: number[] }) =>
            `${weekdays[p.value[1] ?? 0]} ${p.value[0]}时：${p.value[2]} 笔`,
        },
        grid: { left: 50, bottom: 80 },
        xAxis: {
          type: 'category',
          data: Array.from({ length: 24 }, (_, h) => `${h}`),
          splitArea: { show: true },
        },
        yAxis: { type: 'category', data: weekdays, splitArea: { show: true } },
        visualMap: {
          min: 0,
          max: Math.max(1, ...peaks.map((p) => p.count)),
          orient: 'horizontal',
          left: 'center',
          bottom: 0,
          calculable: true,
        },
        series: [{ type: 'heatmap', name: '笔数', data: peaks.map((p) => [p.hour, p.weekday, p.count]) }],
      },
      devices: {
        tooltip: { trigger: 'axis' },
        legend: {},
        xAxis: { type: 'category', data: devices.map((d) => d.deviceId), axisLabel: { rotate: 30 } },
        yAxis: { type: 'value', name: '笔' },
        series: [
          { name: '成功', type: 'bar', stack: 'all', data: devices.map((d) => d.acceptedCount) },
          { name: '拒绝', type: 'bar', stack: 'all', data: devices.map((d) => d.refusedCount) },
        ],
      },
      courses,
    };
  }, [data]);

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Space>
        <span>统计日期</span>
        <DatePicker.RangePicker
          value={range}
          allowClear={false}
          onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])}
        />
        <span>{campusText.campus}</span>
        <CampusPicker
          campuses={campuses}
          value={campusPicked}
          onChange={setCampusPicked}
          testId="report-campus"
        />
      </Space>
      <CampusScopeNote me={me} campuses={campuses} />
      {error ? <Alert type="error" message={error} /> : null}
      <Row gutter={[16, 16]}>
        <Col span={24}>
          <Card size="small" title="每日营业额" extra={exportButtons('turnover-daily')}>
            <Chart option={options.daily} testId="chart-turnover-daily" />
          </Card>
        </Col>
        <Col span={12}>
          <Card size="small" title="商户营业额（前 15）" extra={exportButtons('turnover-merchants')}>
            <Chart option={options.merchants} />
          </Card>
        </Col>
        <Col span={12}>
          <Card size="small" title="类别营业额" extra={exportButtons('turnover-categories')}>
            <Chart option={options.categories} />
          </Card>
        </Col>
        {shows('turnover-campuses') ? (
          <Col span={12}>
            <Card size="small" title="校区营业额" extra={exportButtons('turnover-campuses')}>
              <Chart option={options.campuses} testId="chart-turnover-campuses" />
            </Card>
          </Col>
        ) : null}
        {shows('top-up-channels') ? (
          <Col span={12}>
            <Card size="small" title="充值渠道构成" extra={exportButtons('top-up-channels')}>
              <Chart option={options.channels} />
            </Card>
          </Col>
        ) : null}
        <Col span={12}>
          <Card size="small" title="消费高峰时段（笔数）" extra={exportButtons('peak-hours')}>
            <Chart option={options.peaks} />
          </Card>
        </Col>
        {shows('device-usage') ? (
          <Col span={24}>
            <Card size="small" title="设备使用（前 15）" extra={exportButtons('device-usage')}>
              <Chart option={options.devices} height={260} />
            </Card>
          </Col>
        ) : null}
        {shows('attendance-courses') ? (
          <Col span={24}>
            <Card
              size="small"
              title="课程考勤率"
              extra={
                <Space>
                  按场次{exportButtons('attendance-sessions')} 按课程{exportButtons('attendance-courses')}
                </Space>
              }
            >
              <Table
                rowKey={(c) => `${c.term}-${c.courseCode}`}
                size="small"
                dataSource={options.courses}
                pagination={{ pageSize: 10 }}
                columns={[
                  { title: '学期', dataIndex: 'term' },
                  { title: '课程', render: (_: unknown, c) => `${c.courseCode} ${c.title}` },
                  { title: '场次', dataIndex: 'sessionCount' },
                  { title: '应到', dataIndex: 'rosterCount' },
                  { title: '实到', dataIndex: 'presentCount' },
                  { title: '出勤率', dataIndex: 'ratePercent', render: (r: number) => `${r}%` },
                ]}
              />
            </Card>
          </Col>
        ) : null}
      </Row>
    </Space>
  );
}
