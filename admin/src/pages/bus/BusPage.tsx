import type { BusNoShow, BusRide, BusRoute, BusRun } from '@campus-card/core/contract';
import { addDays, formatMinute, shanghaiDateTimeMs, shanghaiToday } from '@campus-card/core/time';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Statistic,
  Table,
  Tabs,
  Tag,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, type Me, when, yuan } from '../../api.ts';
import { confirmMoney } from '../../components/confirm.tsx';
import { fenOf, MoneyField } from '../../components/MoneyField.tsx';
import { describeError } from '../../strings.ts';
import { busText as t } from './strings.ts';

function errorOf(error: unknown): string {
  const code = (error as { code?: string }).code;
  return (code && t.errors[code]) || describeError(error);
}

/** A fare is at most 100 yuan (the contract's bound). */
const fareRule = { maxFen: 10_000 };

type Notify = { ok(text: string): void; fail(error: unknown): void };

/** One run's counts by booking state and its rides, online and uploaded. */
function RunDetail({ id, onBack, notify }: { id: string; onBack: () => void; notify: Notify }) {
  const [detail, setDetail] = useState<{
    run: BusRun;
    counts: Record<string, number>;
    rides: BusRide[];
  } | null>(null);
  useEffect(() => {
    api<typeof detail>('GET', `/bus/runs/${encodeURIComponent(id)}`).then(setDetail, notify.fail);
  }, [id, notify]);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Button onClick={onBack}>{t.back}</Button>
      {detail ? (
        <Card title={`${detail.run.routeName} ${when(detail.run.departsAtMs)}`} id="bus-run-detail">
          <Space size="large">
            <Statistic title={t.seats} value={detail.run.seats} />
            {(['booked', 'ridden', 'no_show', 'cancelled'] as const).map((s) => (
              <Statistic key={s} title={t.counts[s]} value={detail.counts[s] ?? 0} />
            ))}
            <Statistic title={t.boarded} value={detail.run.boarded} />
          </Space>
          <Table
            rowKey={(r) => `${r.deviceId}:${r.sequence}`}
            size="small"
            pagination={false}
            locale={{ emptyText: t.none }}
            dataSource={detail.rides}
            columns={[
              { title: t.time, dataIndex: 'occurredAtMs', render: (ms: number) => when(ms) },
              { title: t.cardNo, dataIndex: 'cardNo' },
              {
                title: t.kind,
                render: (_: unknown, r: BusRide) =>
                  r.status === 'boarded' ? (
                    <Tag color="green">{t.rideKind[r.kind ?? ''] ?? ''}</Tag>
                  ) : (
                    <Tag color="red">
                      {t.rideRefused}：{t.reason[r.reason ?? ''] ?? t.reason.NOT_PERMITTED}
                    </Tag>
                  ),
              },
              { title: t.amount, dataIndex: 'amountFen', render: (fen: number) => (fen ? yuan(fen) : '—') },
              { title: '', dataIndex: 'source', render: (s: string) => t.source[s] ?? '' },
            ]}
          />
        </Card>
      ) : null}
    </Space>
  );
}

interface RouteForm {
  name: string;
  stops: string;
  charges: boolean;
  fare?: string;
}

function RoutesTab({ manage, notify }: { manage: boolean; notify: Notify }) {
  const { modal } = App.useApp();
  const [routes, setRoutes] = useState<BusRoute[]>([]);
  const [editing, setEditing] = useState<BusRoute | 'new' | null>(null);
  const [form] = Form.useForm<RouteForm>();
  const charges = Form.useWatch('charges', form);
  const load = useCallback(async () => {
    try {
      setRoutes((await api<{ items: BusRoute[] }>('GET', '/bus/routes')).items);
    } catch (e) {
      notify.fail(e);
    }
  }, [notify]);
  useEffect(() => {
    void load();
  }, [load]);

  function open(route: BusRoute | 'new') {
    setEditing(route);
    form.setFieldsValue(
      route === 'new'
        ? { name: '', stops: '', charges: false, fare: '' }
        : {
            name: route.name,
            stops: route.stops.join('\n'),
            charges: route.fareFen !== null,
            fare: route.fareFen === null ? '' : (route.fareFen / 100).toFixed(2),
          },
    );
  }

  async function submit() {
    const values = await form.validateFields();
    const stops = values.stops
      .split(/\n/)
      .map((s) => s.trim())
      .filter(Boolean);
    if (stops.length < 2 || stops.some((s) => s.length > 32)) return notify.fail(new Error(t.needStops));
    const fareFen = values.charges ? fenOf(values.fare, fareRule) : null;
    const body = { name: values.name.trim(), stops, fareFen };
    const save = async () => {
      try {
        if (editing === 'new') await api('POST', '/bus/routes', body);
        else if (editing) await api('PUT', `/bus/routes/${encodeURIComponent(editing.id)}`, body);
        setEditing(null);
        notify.ok(t.saved);
        await load();
      } catch (e) {
        notify.fail(e);
      }
    };
    if (fareFen !== null)
      confirmMoney(modal, {
        title: t.confirmRouteFare(body.name),
        amountFen: fareFen,
        amountLabel: t.fare,
        onOk: save,
      });
    else
      modal.confirm({ title: t.confirmRoute(body.name), okText: t.save, cancelText: t.cancel, onOk: save });
  }

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {manage ? (
        <Button type="primary" id="bus-route-new" onClick={() => open('new')}>
          {t.newRoute}
        </Button>
      ) : null}
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        locale={{ emptyText: t.none }}
        dataSource={routes}
        columns={[
          { title: t.route, dataIndex: 'name' },
          { title: t.stops, dataIndex: 'stops', render: (s: string[]) => s.join(' → ') },
          {
            title: t.fare,
            dataIndex: 'fareFen',
            render: (fen: number | null) => (fen === null ? t.bookedOnly : yuan(fen)),
          },
          ...(manage
            ? [
                {
                  title: '',
                  render: (_: unknown, r: BusRoute) => <Button onClick={() => open(r)}>{t.editRoute}</Button>,
                },
              ]
            : []),
        ]}
      />
      <Modal
        open={editing !== null}
        title={editing === 'new' ? t.newRoute : t.editRoute}
        okText={t.save}
        cancelText={t.cancel}
        onOk={() => void submit().catch(() => undefined)}
        onCancel={() => setEditing(null)}
        destroyOnHidden
      >
        <Form form={form} layout="vertical">
          <Form.Item
            name="name"
            label={t.route}
            rules={[{ required: true, whitespace: true, max: 64, message: t.needName }]}
          >
            <Input id="bus-route-name" />
          </Form.Item>
          <Form.Item
            name="stops"
            label={t.stops}
            extra={t.stopsHint}
            rules={[{ required: true, message: t.needStops }]}
          >
            <Input.TextArea id="bus-route-stops" rows={4} />
          </Form.Item>
          <Form.Item name="charges" valuePropName="checked">
            <Checkbox id="bus-route-charges">{t.fareOn}</Checkbox>
          </Form.Item>
          {charges ? <MoneyField name="fare" label={t.fare} rule={fareRule} testId="bus-route-fare" /> : null}
        </Form>
      </Modal>
    </Space>
  );
}

interface RunForm {
  routeId: string;
  departsAt: string;
  seats: string;
}

function RunsTab({ manage, notify }: { manage: boolean; notify: Notify }) {
  const { modal } = App.useApp();
  const [day, setDay] = useState(shanghaiToday());
  const [runs, setRuns] = useState<BusRun[]>([]);
  const [routes, setRoutes] = useState<BusRoute[]>([]);
  const [editing, setEditing] = useState<BusRun | 'new' | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [form] = Form.useForm<RunForm>();
  const load = useCallback(async () => {
    try {
      setRuns((await api<{ items: BusRun[] }>('GET', `/bus/runs?from=${day}&to=${day}`)).items);
      setRoutes((await api<{ items: BusRoute[] }>('GET', '/bus/routes')).items);
    } catch (e) {
      notify.fail(e);
    }
  }, [day, notify]);
  useEffect(() => {
    void load();
  }, [load]);

  function open(run: BusRun | 'new') {
    setEditing(run);
    form.setFieldsValue(
      run === 'new'
        ? { routeId: routes[0]?.id ?? '', departsAt: `${day} 07:30`, seats: '40' }
        : { routeId: run.routeId, departsAt: formatMinute(run.departsAtMs), seats: String(run.seats) },
    );
  }

  async function submit() {
    const values = await form.validateFields();
    const departsAtMs = shanghaiDateTimeMs(values.departsAt);
    if (departsAtMs === undefined) return notify.fail(new Error(t.badTime));
    const seats = /^\d{1,3}$/.test(values.seats.trim()) ? Number(values.seats) : Number.NaN;
    if (!(seats >= 1 && seats <= 200)) return notify.fail(new Error(t.badSeats));
    const routeName = routes.find((r) => r.id === values.routeId)?.name ?? '';
    modal.confirm({
      title: editing === 'new' ? t.newRun : t.editRun,
      content: t.confirmRun(routeName, values.departsAt, seats),
      okText: t.save,
      cancelText: t.cancel,
      onOk: async () => {
        try {
          if (editing === 'new')
            await api('POST', '/bus/runs', { routeId: values.routeId, departsAtMs, seats });
          else if (editing)
            await api('PUT', `/bus/runs/${encodeURIComponent(editing.id)}`, { departsAtMs, seats });
          setEditing(null);
          notify.ok(t.saved);
          await load();
        } catch (e) {
          notify.fail(e);
        }
      },
    });
  }

  function cancelRun(run: BusRun) {
    modal.confirm({
      title: t.cancelRun,
      content: t.confirmCancel(run.routeName, when(run.departsAtMs)),
      okText: t.cancelRun,
      okButtonProps: { danger: true },
      cancelText: t.cancel,
      onOk: async () => {
        try {
          const { told } = await api<{ told: number }>(
            'POST',
            `/bus/runs/${encodeURIComponent(run.id)}/cancel`,
          );
          notify.ok(t.cancelled(told));
          await load();
        } catch (e) {
          notify.fail(e);
        }
      },
    });
  }

  if (openId) return <RunDetail id={openId} onBack={() => setOpenId(null)} notify={notify} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space>
        <label htmlFor="bus-day">{t.day}</label>
        <Input id="bus-day" value={day} onChange={(e) => setDay(e.target.value)} style={{ width: 140 }} />
        {manage ? (
          <Button type="primary" id="bus-run-new" onClick={() => open('new')} disabled={routes.length === 0}>
            {t.newRun}
          </Button>
        ) : null}
      </Space>
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        locale={{ emptyText: t.none }}
        dataSource={runs}
        columns={[
          { title: t.time, dataIndex: 'departsAtMs', render: (ms: number) => when(ms) },
          { title: t.route, dataIndex: 'routeName' },
          { title: t.booked, render: (_: unknown, r: BusRun) => `${r.booked} / ${r.seats}` },
          { title: t.boarded, dataIndex: 'boarded' },
          {
            title: '',
            dataIndex: 'status',
            render: (s: string) => (
              <Tag color={s === 'scheduled' ? 'green' : 'default'}>{t.status[s] ?? ''}</Tag>
            ),
          },
          {
            title: '',
            render: (_: unknown, r: BusRun) => (
              <Space>
                <Button onClick={() => setOpenId(r.id)}>{t.open}</Button>
                {manage && r.status === 'scheduled' ? (
                  <>
                    <Button onClick={() => open(r)}>{t.editRun}</Button>
                    <Button danger onClick={() => cancelRun(r)}>
                      {t.cancelRun}
                    </Button>
                  </>
                ) : null}
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={editing !== null}
        title={editing === 'new' ? t.newRun : t.editRun}
        okText={t.save}
        cancelText={t.cancel}
        onOk={() => void submit().catch(() => undefined)}
        onCancel={() => setEditing(null)}
        destroyOnHidden
      >
        <Form form={form} layout="vertical">
          <Form.Item name="routeId" label={t.route} rules={[{ required: true, message: t.needRoute }]}>
            <Select
              id="bus-run-route"
              disabled={editing !== 'new'}
              options={routes.map((r) => ({ value: r.id, label: r.name }))}
            />
          </Form.Item>
          <Form.Item name="departsAt" label={t.departsAt} rules={[{ required: true, message: t.badTime }]}>
            <Input id="bus-run-departs" />
          </Form.Item>
          <Form.Item name="seats" label={t.seats} rules={[{ required: true, message: t.badSeats }]}>
            <Input id="bus-run-seats" inputMode="numeric" />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}

function NoShowsTab({ notify }: { notify: Notify }) {
  const [items, setItems] = useState<BusNoShow[]>([]);
  useEffect(() => {
    const today = shanghaiToday();
    api<{ items: BusNoShow[] }>('GET', `/bus/no-shows?from=${addDays(today, -30)}&to=${today}`).then(
      (r) => setItems(r.items),
      notify.fail,
    );
  }, [notify]);
  return (
    <Table
      rowKey="bookingId"
      size="small"
      pagination={false}
      locale={{ emptyText: t.none }}
      title={() => t.noShowDays}
      dataSource={items}
      columns={[
        { title: t.time, dataIndex: 'departsAtMs', render: (ms: number) => when(ms) },
        { title: t.route, dataIndex: 'routeName' },
        { title: t.cardNo, dataIndex: 'cardNo' },
      ]}
    />
  );
}

/**
 * 校车管理 (transport office): the day's runs with booked and boarded counts and each run's rides; routes
 * with their stops and fare; the no-shows of the last 30 days. Routes and runs are made, changed and
 * cancelled (each asked to confirm; a fare shown with its 大写) by those holding bus.manage.
 */
export function BusPage({ me }: { me: Me }) {
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const manage = me.rights.includes('bus.manage');
  const [notify] = useState<Notify>(() => ({
    ok: (text) => {
      setError(null);
      setNote(text);
    },
    fail: (e) => {
      setNote(null);
      setError(errorOf(e));
    },
  }));
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {error ? <Alert type="error" message={error} showIcon closable onClose={() => setError(null)} /> : null}
      {note ? <Alert type="success" message={note} showIcon closable onClose={() => setNote(null)} /> : null}
      {/* Each tab loads when shown: a route made on 线路 is offered at once on 班次. */}
      <Tabs
        destroyOnHidden
        items={[
          { key: 'runs', label: t.tabs.runs, children: <RunsTab manage={manage} notify={notify} /> },
          { key: 'routes', label: t.tabs.routes, children: <RoutesTab manage={manage} notify={notify} /> },
          { key: 'no-shows', label: t.tabs.noShows, children: <NoShowsTab notify={notify} /> },
        ]}
      />
    </Space>
  );
}
