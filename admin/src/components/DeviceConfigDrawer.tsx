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
import { useEffect, useState } from 'react';
import { api, newRequestId, when, yuan } from '../api.ts';
import { describeError, deviceConfigText as t } from '../strings.ts';
import {
  type ConfigView,
  type Draft,
  devicePricesText,
  draftOf,
  hhmm,
  type Meal,
  type PersonType,
  personTypeText,
  pricesOf,
  settingsOf,
  type Unit,
} from './device-config-draft.ts';
import { Row, Yuan } from './device-config-fields.tsx';
import { amountInWords } from './money.ts';

// A device's configuration (docs/admin.md, "Device configuration"): limits, meal windows, offline use,
// preset prices and meter pricing. Amounts are typed in yuan and sent as whole fen; meal windows are
// HH:MM in Beijing time. Changing prices sends them to a second admin for approval; the rest applies at
// once and reaches the device within a second.

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
