import {
  Alert,
  Button,
  Checkbox,
  Divider,
  Drawer,
  Form,
  Input,
  InputNumber,
  Modal,
  message,
  Select,
  Space,
  Switch,
  Table,
  Typography,
} from 'antd';
import { type ReactNode, useEffect, useState } from 'react';
import { api, newRequestId, when, yuan } from '../api.ts';
import { describeError, deviceConfigText as t } from '../strings.ts';
import { amountInWords } from './money.ts';

// A device's configuration (docs/admin.md, "Device configuration"): limits, meal windows, offline use,
// preset prices and meter pricing. Amounts are typed in yuan and sent as whole fen; meal windows are
// HH:MM in Beijing time. Changing prices sends them to a second admin for approval; the rest applies at
// once and reaches the device within a second.

type Meal = 'breakfast' | 'lunch' | 'dinner' | 'late_night';
type Unit = 'none' | 'second' | 'centilitre' | 'cycle';
type PersonType = 'student' | 'staff' | 'alumnus' | 'visitor';

/**
 * Who may use the device (server-side only: the device is not told, the gateway refuses others online and
 * an offline payment by another type becomes an exception at upload). None ticked: everyone.
 */
const personTypeText = {
  label: '可用人员类型',
  hint: '不勾选表示所有人可用。此限制由服务器在线核验；设备离线时无法判断，离线交易上传时不符合的记为异常（无权使用）。',
  options: [
    { value: 'student', label: '学生' },
    { value: 'staff', label: '教职工' },
    { value: 'alumnus', label: '校友' },
    { value: 'visitor', label: '访客' },
  ] satisfies { value: PersonType; label: string }[],
};

interface Settings {
  paymentMaxFen: number;
  repeatIntervalSeconds: number;
  offline: {
    enabled: boolean;
    codeValiditySeconds: number;
    clockSkewSeconds: number;
    paymentMaxFen: number;
    perCardDailyMaxFen: number;
    deviceTotalMaxFen: number;
    recordsMax: number;
    durationMaxSeconds: number;
  };
  meter: {
    unit: Unit;
    priceFen: number;
    priceUnits: number;
    holdFen: number;
    minBalanceFen: number;
    reportIntervalSeconds: number;
    silenceMaxSeconds: number;
  };
  priceItems: { itemNo: number; priceFen: number; name: string }[];
  mealWindows: { meal: Meal; start: string; end: string; perCardMaxFen: number }[];
  personTypes?: PersonType[];
}

interface ConfigView {
  deviceId: string;
  kind: string;
  configVersion: number;
  settings: Settings & { utcOffsetMinutes?: number };
  pendingPrices: {
    approvalId: string;
    reason: string;
    createdAtMs: number;
    prices: Pick<Settings, 'priceItems' | 'meter'>;
  }[];
}

/** Whole fen from what the admin typed in yuan ("12", "12.5", "12.50"); undefined when it is not an amount. */
export function fenOf(text: string): number | undefined {
  const m = /^(\d{1,8})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}
const yuanText = (fen: number) => (fen / 100).toFixed(2);

/** A price change as the checker reads it: each preset key's price, and the meter's unit price. */
export function devicePricesText(prices: Pick<Settings, 'priceItems' | 'meter'>): string {
  const { priceItems, meter } = prices;
  return t.pendingPrices(
    priceItems.map((i) => `${i.itemNo} ${i.name} ${yuan(i.priceFen)}`).join('，'),
    meter.unit === 'none' ? '' : `${yuan(meter.priceFen)} / ${meter.priceUnits} ${t.units[meter.unit]}`,
  );
}
const hhmm = /^(?:[01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/;
const minuteOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3));

/** Money fields of the form, in yuan as typed. */
interface Draft {
  paymentMax: string;
  repeatIntervalSeconds: number;
  offline: Omit<Settings['offline'], 'paymentMaxFen' | 'perCardDailyMaxFen' | 'deviceTotalMaxFen'> & {
    paymentMax: string;
    perCardDailyMax: string;
    deviceTotalMax: string;
  };
  meter: Omit<Settings['meter'], 'priceFen' | 'holdFen' | 'minBalanceFen'> & {
    price: string;
    hold: string;
    minBalance: string;
  };
  priceItems: { itemNo: number; price: string; name: string }[];
  mealWindows: { meal: Meal; start: string; end: string; perCardMax: string }[];
  personTypes: PersonType[];
  reason: string;
}

function draftOf(s: Settings): Draft {
  return {
    paymentMax: yuanText(s.paymentMaxFen),
    repeatIntervalSeconds: s.repeatIntervalSeconds,
    offline: {
      ...s.offline,
      paymentMax: yuanText(s.offline.paymentMaxFen),
      perCardDailyMax: yuanText(s.offline.perCardDailyMaxFen),
      deviceTotalMax: yuanText(s.offline.deviceTotalMaxFen),
    },
    meter: {
      ...s.meter,
      price: yuanText(s.meter.priceFen),
      hold: yuanText(s.meter.holdFen),
      minBalance: yuanText(s.meter.minBalanceFen),
    },
    priceItems: s.priceItems.map((i) => ({ itemNo: i.itemNo, name: i.name, price: yuanText(i.priceFen) })),
    mealWindows: s.mealWindows.map((w) => ({ ...w, perCardMax: yuanText(w.perCardMaxFen) })),
    personTypes: s.personTypes ?? [],
    reason: '',
  };
}

/** The settings the draft stands for, or the first thing wrong with it (in Chinese, for the admin). */
function settingsOf(d: Draft): { settings: Settings } | { error: string } {
  const money = (text: string, label: string): number => {
    const fen = fenOf(text);
    if (fen === undefined) throw new Error(t.badAmount(label));
    return fen;
  };
  try {
    const paymentMaxFen = money(d.paymentMax, t.paymentMax);
    const priceItems = d.priceItems.map((i) => {
      const priceFen = money(i.price, t.itemPrice(i.itemNo));
      if (priceFen < 1 || priceFen > paymentMaxFen) throw new Error(t.itemAboveMax(i.itemNo));
      if (!i.name.trim()) throw new Error(t.itemNameMissing(i.itemNo));
      return { itemNo: i.itemNo, priceFen, name: i.name.trim() };
    });
    if (new Set(priceItems.map((i) => i.itemNo)).size !== priceItems.length) throw new Error(t.itemKeyTwice);
    const mealWindows = d.mealWindows.map((w) => {
      if (!hhmm.test(w.start) || !hhmm.test(w.end)) throw new Error(t.badTime);
      if (minuteOf(w.start) >= minuteOf(w.end)) throw new Error(t.windowBackwards);
      return { meal: w.meal, start: w.start, end: w.end, perCardMaxFen: money(w.perCardMax, t.perCardMax) };
    });
    const sorted = [...mealWindows].sort((a, b) => minuteOf(a.start) - minuteOf(b.start));
    if (sorted.some((w, i) => i > 0 && minuteOf(w.start) < minuteOf((sorted[i - 1] as typeof w).end)))
      throw new Error(t.windowsOverlap);
    const { paymentMax, perCardDailyMax, deviceTotalMax, ...offline } = d.offline;
    const { price, hold, minBalance, ...meter } = d.meter;
    return {
      settings: {
        paymentMaxFen,
        repeatIntervalSeconds: d.repeatIntervalSeconds,
        offline: {
          ...offline,
          paymentMaxFen: money(paymentMax, t.offlinePaymentMax),
          perCardDailyMaxFen: money(perCardDailyMax, t.offlinePerCardDailyMax),
          deviceTotalMaxFen: money(deviceTotalMax, t.offlineDeviceTotalMax),
        },
        meter: {
          ...meter,
          priceFen: money(price, t.meterPrice),
          holdFen: money(hold, t.meterHold),
          minBalanceFen: money(minBalance, t.meterMinBalance),
        },
        priceItems,
        mealWindows,
        personTypes: d.personTypes,
      },
    };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

const pricesOf = (s: Settings) => JSON.stringify({ priceItems: s.priceItems, meter: s.meter });

/** A yuan field with the amount it stands for beside it (or a warning when it is not one). */
function Yuan({ value, onChange, testId }: { value: string; onChange: (v: string) => void; testId: string }) {
  const fen = fenOf(value);
  return (
    <Space>
      <Input
        value={value}
        onChange={(e) => onChange(e.target.value)}
        addonAfter="元"
        style={{ width: 160 }}
        data-testid={testId}
        status={fen === undefined ? 'error' : ''}
      />
      <Typography.Text type={fen === undefined ? 'danger' : 'secondary'} data-testid={`${testId}-shown`}>
        {fen === undefined ? t.notAmount : yuan(fen)}
      </Typography.Text>
    </Space>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return <Form.Item label={label}>{children}</Form.Item>;
}

export function DeviceConfigDrawer({
  deviceId,
  manage,
  onClose,
}: {
  deviceId: string;
  manage: boolean;
  onClose: () => void;
}) {
  const [view, setView] = useState<ConfigView | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [requestId, setRequestId] = useState(newRequestId);
  const load = () =>
    api<ConfigView>('GET', `/devices/${deviceId}/config`).then(
      (v) => {
        setView(v);
        setDraft(draftOf(v.settings));
      },
      (e) => setError(describeError(e)),
    );
  // biome-ignore lint/correctness/useExhaustiveDependencies: loaded once per device
  useEffect(() => {
    load();
  }, [deviceId]);

  const set = (change: (d: Draft) => Draft) => setDraft((d) => (d ? change(d) : d));
  const checked = draft ? settingsOf(draft) : undefined;
  const priced =
    view && checked && 'settings' in checked ? pricesOf(checked.settings) !== pricesOf(view.settings) : false;

  const submit = () => {
    if (!draft || !view || !checked) return;
    if ('error' in checked) {
      setError(checked.error);
      return;
    }
    if (priced && !draft.reason.trim()) {
      setError(t.reasonNeeded);
      return;
    }
    setError(null);
    Modal.confirm({
      title: t.confirmTitle(deviceId),
      // A price change shows every new price in figures and in capital numerals (#19.1).
      content: priced ? (
        <div data-testid="money-confirm">
          <p>{t.confirmPriced}</p>
          {checked.settings.priceItems.map((i) => (
            <div key={i.itemNo}>
              {i.itemNo} {i.name}：{yuan(i.priceFen)}（{amountInWords(i.priceFen)}）
            </div>
          ))}
          {checked.settings.meter.unit === 'none' ? null : (
            <div>
              {yuan(checked.settings.meter.priceFen)}（{amountInWords(checked.settings.meter.priceFen)}）/{' '}
              {checked.settings.meter.priceUnits} {t.units[checked.settings.meter.unit]}
            </div>
          )}
        </div>
      ) : (
        t.confirmPlain
      ),
      okText: t.confirmOk,
      onOk: async () => {
        try {
          const answer = await api<{ status: 'applied' | 'pending_approval' }>(
            'PUT',
            `/devices/${deviceId}/config`,
            {
              requestId,
              ...(priced ? { reason: draft.reason.trim() } : {}),
              ...checked.settings,
            },
          );
          message.success(answer.status === 'pending_approval' ? t.pending : t.applied);
          setRequestId(newRequestId());
          await load();
        } catch (e) {
          const err = e as { code?: string; message?: string };
          if (err.code === 'CONFLICT') setError(t.pendingConflict);
          else setError(`${describeError(e)}${err.message ? `（${err.message}）` : ''}`);
        }
      },
    });
  };

  const meter = draft?.meter;
  return (
    <Drawer
      open
      width={760}
      title={t.title(deviceId, view?.configVersion)}
      onClose={onClose}
      extra={
        manage ? (
          <Button type="primary" onClick={submit} disabled={!draft} data-testid="config-save">
            {t.save}
          </Button>
        ) : null
      }
    >
      {error ? (
        <Alert type="error" message={error} style={{ marginBottom: 12 }} data-testid="config-error" />
      ) : null}
      {view?.pendingPrices.map((p) => (
        <Alert
          key={p.approvalId}
          type="info"
          style={{ marginBottom: 12 }}
          data-testid="config-pending"
          message={t.pendingSince(when(p.createdAtMs), p.reason)}
          description={devicePricesText(p.prices)}
        />
      ))}
      {draft && meter ? (
        <Form layout="horizontal" labelCol={{ span: 7 }} disabled={!manage}>
          <Divider titlePlacement="start">{t.limits}</Divider>
          <Row label={t.paymentMax}>
            <Yuan
              value={draft.paymentMax}
              onChange={(v) => set((d) => ({ ...d, paymentMax: v }))}
              testId="cfg-payment-max"
            />
          </Row>
          <Row label={t.repeatInterval}>
            <InputNumber
              min={0}
              max={65_535}
              precision={0}
              value={draft.repeatIntervalSeconds}
              onChange={(v) => set((d) => ({ ...d, repeatIntervalSeconds: v ?? 0 }))}
            />
          </Row>
          <Row label={personTypeText.label}>
            <Checkbox.Group
              data-testid="cfg-person-types"
              options={personTypeText.options}
              value={draft.personTypes}
              onChange={(v) => set((d) => ({ ...d, personTypes: v as PersonType[] }))}
            />
            <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
              {personTypeText.hint}
            </Typography.Paragraph>
          </Row>

          <Divider titlePlacement="start">{t.mealWindows}</Divider>
          <Typography.Paragraph type="secondary">{t.mealWindowsHint}</Typography.Paragraph>
          <Table
            size="small"
            pagination={false}
            rowKey={(_, i) => String(i)}
            dataSource={draft.mealWindows}
            columns={[
              {
                title: t.meal,
                render: (_: unknown, w, i) => (
                  <Select<Meal>
                    value={w.meal}
                    style={{ width: 100 }}
                    onChange={(meal) =>
                      set((d) => ({
                        ...d,
                        mealWindows: d.mealWindows.map((x, j) => (j === i ? { ...x, meal } : x)),
                      }))
                    }
                    options={Object.entries(t.meals).map(([value, label]) => ({
                      value: value as Meal,
                      label,
                    }))}
                  />
                ),
              },
              ...(['start', 'end'] as const).map((field) => ({
                title: field === 'start' ? t.start : t.end,
                render: (_: unknown, w: Draft['mealWindows'][number], i: number) => (
                  <Input
                    value={w[field]}
                    placeholder="HH:MM"
                    style={{ width: 90 }}
                    data-testid={`cfg-window-${i}-${field}`}
                    status={hhmm.test(w[field]) ? '' : 'error'}
                    onChange={(e) =>
                      set((d) => ({
                        ...d,
                        mealWindows: d.mealWindows.map((x, j) =>
                          j === i ? { ...x, [field]: e.target.value } : x,
                        ),
                      }))
                    }
                  />
                ),
              })),
              {
                title: t.perCardMax,
                render: (_: unknown, w, i) => (
                  <Yuan
                    value={w.perCardMax}
                    testId={`cfg-window-${i}-cap`}
                    onChange={(v) =>
                      set((d) => ({
                        ...d,
                        mealWindows: d.mealWindows.map((x, j) => (j === i ? { ...x, perCardMax: v } : x)),
                      }))
                    }
                  />
                ),
              },
              {
                title: '',
                render: (_: unknown, _w, i) => (
                  <Button
                    size="small"
                    onClick={() =>
                      set((d) => ({ ...d, mealWindows: d.mealWindows.filter((_x, j) => j !== i) }))
                    }
                  >
                    {t.remove}
                  </Button>
                ),
              },
            ]}
          />
          <Button
            style={{ marginTop: 8 }}
            disabled={draft.mealWindows.length >= 8}
            data-testid="cfg-add-window"
            onClick={() =>
              set((d) => ({
                ...d,
                mealWindows: [
                  ...d.mealWindows,
                  { meal: 'lunch', start: '11:00', end: '13:00', perCardMax: '0.00' },
                ],
              }))
            }
          >
            {t.addWindow}
          </Button>

          <Divider titlePlacement="start">{t.prices}</Divider>
          <Typography.Paragraph type="secondary">{t.pricesHint}</Typography.Paragraph>
          <Table
            size="small"
            pagination={false}
            rowKey={(_, i) => String(i)}
            dataSource={draft.priceItems}
            columns={[
              {
                title: t.itemNo,
                render: (_: unknown, item, i) => (
                  <InputNumber
                    min={1}
                    max={255}
                    precision={0}
                    value={item.itemNo}
                    onChange={(v) =>
                      set((d) => ({
                        ...d,
                        priceItems: d.priceItems.map((x, j) => (j === i ? { ...x, itemNo: v ?? 1 } : x)),
                      }))
                    }
                  />
                ),
              },
              {
                title: t.itemName,
                render: (_: unknown, item, i) => (
                  <Input
                    value={item.name}
                    maxLength={8}
                    data-testid={`cfg-item-${i}-name`}
                    onChange={(e) =>
                      set((d) => ({
                        ...d,
                        priceItems: d.priceItems.map((x, j) =>
                          j === i ? { ...x, name: e.target.value } : x,
                        ),
                      }))
                    }
                  />
                ),
              },
              {
                title: t.itemPriceTitle,
                render: (_: unknown, item, i) => (
                  <Yuan
                    value={item.price}
                    testId={`cfg-item-${i}-price`}
                    onChange={(v) =>
                      set((d) => ({
                        ...d,
                        priceItems: d.priceItems.map((x, j) => (j === i ? { ...x, price: v } : x)),
                      }))
                    }
                  />
                ),
              },
              {
                title: '',
                render: (_: unknown, _item, i) => (
                  <Button
                    size="small"
                    onClick={() =>
                      set((d) => ({ ...d, priceItems: d.priceItems.filter((_x, j) => j !== i) }))
                    }
                  >
                    {t.remove}
                  </Button>
                ),
              },
            ]}
          />
          <Button
            style={{ marginTop: 8 }}
            disabled={draft.priceItems.length >= 16}
            data-testid="cfg-add-item"
            onClick={() =>
              set((d) => ({
                ...d,
                priceItems: [
                  ...d.priceItems,
                  { itemNo: Math.max(0, ...d.priceItems.map((x) => x.itemNo)) + 1, name: '', price: '' },
                ],
              }))
            }
          >
            {t.addItem}
          </Button>

          <Divider titlePlacement="start">{t.meter}</Divider>
          <Row label={t.meterUnit}>
            <Select<Unit>
              value={meter.unit}
              style={{ width: 160 }}
              onChange={(unit) => set((d) => ({ ...d, meter: { ...d.meter, unit } }))}
              options={Object.entries(t.units).map(([value, label]) => ({ value: value as Unit, label }))}
            />
          </Row>
          <Row label={t.meterPrice}>
            <Space>
              <Yuan
                value={meter.price}
                testId="cfg-meter-price"
                onChange={(v) => set((d) => ({ ...d, meter: { ...d.meter, price: v } }))}
              />
              <span>/</span>
              <InputNumber
                min={1}
                precision={0}
                value={meter.priceUnits}
                onChange={(v) => set((d) => ({ ...d, meter: { ...d.meter, priceUnits: v ?? 1 } }))}
              />
              <span>{t.units[meter.unit]}</span>
            </Space>
          </Row>
          <Row label={t.meterHold}>
            <Yuan
              value={meter.hold}
              testId="cfg-meter-hold"
              onChange={(v) => set((d) => ({ ...d, meter: { ...d.meter, hold: v } }))}
            />
          </Row>
          <Row label={t.meterMinBalance}>
            <Yuan
              value={meter.minBalance}
              testId="cfg-meter-min-balance"
              onChange={(v) => set((d) => ({ ...d, meter: { ...d.meter, minBalance: v } }))}
            />
          </Row>
          {(['reportIntervalSeconds', 'silenceMaxSeconds'] as const).map((field) => (
            <Row key={field} label={t[field]}>
              <InputNumber
                min={1}
                max={65_535}
                precision={0}
                value={meter[field]}
                onChange={(v) => set((d) => ({ ...d, meter: { ...d.meter, [field]: v ?? 1 } }))}
              />
            </Row>
          ))}

          <Divider titlePlacement="start">{t.offline}</Divider>
          <Row label={t.offlineEnabled}>
            <Switch
              checked={draft.offline.enabled}
              data-testid="cfg-offline-enabled"
              onChange={(enabled) => set((d) => ({ ...d, offline: { ...d.offline, enabled } }))}
            />
          </Row>
          {(
            [
              ['paymentMax', t.offlinePaymentMax],
              ['perCardDailyMax', t.offlinePerCardDailyMax],
              ['deviceTotalMax', t.offlineDeviceTotalMax],
            ] as const
          ).map(([field, label]) => (
            <Row key={field} label={label}>
              <Yuan
                value={draft.offline[field]}
                testId={`cfg-offline-${field}`}
                onChange={(v) => set((d) => ({ ...d, offline: { ...d.offline, [field]: v } }))}
              />
            </Row>
          ))}
          {(['recordsMax', 'durationMaxSeconds', 'codeValiditySeconds', 'clockSkewSeconds'] as const).map(
            (field) => (
              <Row key={field} label={t[field]}>
                <InputNumber
                  min={0}
                  max={field === 'durationMaxSeconds' ? 4_294_967_295 : 65_535}
                  precision={0}
                  value={draft.offline[field]}
                  onChange={(v) => set((d) => ({ ...d, offline: { ...d.offline, [field]: v ?? 0 } }))}
                />
              </Row>
            ),
          )}
          <Typography.Paragraph type="secondary">{t.personTypesNote}</Typography.Paragraph>

          {manage ? (
            <>
              <Divider titlePlacement="start">{t.reason}</Divider>
              <Input.TextArea
                value={draft.reason}
                maxLength={200}
                data-testid="cfg-reason"
                placeholder={priced ? t.reasonNeeded : t.reasonOptional}
                onChange={(e) => set((d) => ({ ...d, reason: e.target.value }))}
              />
              {priced ? <Alert style={{ marginTop: 8 }} type="warning" message={t.pricedWarning} /> : null}
            </>
          ) : null}
        </Form>
      ) : null}
    </Drawer>
  );
}
