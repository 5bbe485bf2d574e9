import type { Centre, CentreKey, LinkCheck, SettlementException } from '@campus-card/core/contract';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Empty,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { api, type Me, when, yuan } from '../../api.ts';
import { dayText, shanghaiTodayValue } from '../../calendar.ts';
import { confirmMoney } from '../../components/confirm.tsx';
import { describeFederationError as describe, federationText as t } from '../../strings.ts';
import { ExceptionActions, ExceptionState } from './ExceptionActions.tsx';
import { LinkSecretAction } from './LinkSecretAction.tsx';
import { AddCentreDialog, RevokeKeyDialog, RotateKeyDialog } from './TrustDialogs.tsx';

/** A day's settlement as the admin API answers it: our file's totals and the other centre's, read from its file. */
export interface SettlementView {
  centreId: string;
  day: string;
  receivableAmount: number;
  payableAmount: number;
  /** Null for a day reconciled before the other file's totals were kept. */
  theirReceivableAmount: number | null;
  theirPayableAmount: number | null;
  netAmount: number;
  exceptions: SettlementException[];
  netRecordedAtMs: number | null;
}

/** A key's state now: revoked, retired by a rotation (past its valid-to), not yet valid, or signing. */
function keyState(k: CentreKey, nowMs: number): keyof typeof t.keyState {
  if (k.revokedAtMs !== null) return 'revoked';
  if (k.validToMs !== null && k.validToMs <= nowMs) return 'retired';
  if (k.validFromMs > nowMs) return 'future';
  return 'valid';
}
const keyColor: Record<string, string> = {
  valid: 'green',
  retired: 'default',
  revoked: 'red',
  future: 'blue',
};

/**
 * Federation between card centres (docs/federation.md): the trust list — each centre, its link's state,
 * its campus keys with rotation and revocation — and the daily settlement with a centre: both files'
 * totals, the differences with their kinds, and the net, recorded once the day has no differences.
 */
export function FederationPage({ me }: { me: Me }) {
  const [centres, setCentres] = useState<Centre[]>([]);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api<{ items: Centre[] }>('GET', '/federation/centres').then(
      (r) => setCentres(r.items),
      (e) => setError(describe(e)),
    );
  }, []);
  useEffect(load, [load]);
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <TrustList me={me} centres={centres} error={error} setError={setError} reload={load} />
      <CentreSettlement me={me} centres={centres} />
    </Space>
  );
}

function TrustList(props: {
  me: Me;
  centres: Centre[];
  error: string | null;
  setError: (e: string | null) => void;
  reload: () => void;
}) {
  const { me, centres, setError, reload } = props;
  const manage = me.rights.includes('federation.manage');
  const [adding, setAdding] = useState(false);
  const [rotating, setRotating] = useState<Centre | null>(null);
  const [revoking, setRevoking] = useState<CentreKey | null>(null);
  /** The last link check of each centre from this page: is it up, and the round trip. */
  const [checks, setChecks] = useState<Record<string, LinkCheck>>({});
  const [checking, setChecking] = useState<string | null>(null);
  const { modal } = App.useApp();
  const checkLink = async (c: Centre) => {
    setError(null);
    setChecking(c.id);
    try {
      const check = await api<LinkCheck>(
        'POST',
        `/federation/centres/${encodeURIComponent(c.id)}/link-check`,
      );
      setChecks((known) => ({ ...known, [c.id]: check }));
    } catch (e) {
      setError(describe(e));
    } finally {
      setChecking(null);
    }
  };
  const linkCell = (c: Centre) => {
    const check = checks[c.id];
    return (
      <Space size={4} data-testid={`link-${c.id}`}>
        {check === undefined ? null : check.up ? (
          <Tag color="green">{`${t.linkUp} · ${check.roundTripMs ?? 0} ms`}</Tag>
        ) : (
          <Tag color="red">{t.linkDown}</Tag>
        )}
        {check === undefined ? null : (
          <Typography.Text type="secondary">
            {t.checkedAt} {when(check.checkedAtMs)}
          </Typography.Text>
        )}
        <Button
          size="small"
          loading={checking === c.id}
          disabled={c.status !== 'active'}
          onClick={() => checkLink(c)}
        >
          {t.check}
        </Button>
      </Space>
    );
  };
  const nowMs = Date.now();
  /** A dialog's close: hide it, and read the list again when it changed something. */
  const closed = (hide: () => void) => (done: boolean) => {
    hide();
    if (done) reload();
  };

  const setStatus = (c: Centre) =>
    modal.confirm({
      title: `${c.status === 'active' ? t.suspend : t.resume}：${c.name}（${c.id}）？`,
      content:
        c.status === 'active'
          ? '暂停后该中心的链路、密钥和卡在本中心立即被拒绝，直到恢复。'
          : '恢复后该中心的卡可在本中心消费，链路恢复。',
      okText: c.status === 'active' ? `确认${t.suspend}` : `确认${t.resume}`,
      cancelText: '取消',
      okButtonProps: { danger: c.status === 'active' },
      onOk: async () => {
        setError(null);
        try {
          await api('POST', `/federation/centres/${encodeURIComponent(c.id)}/status`, {
            status: c.status === 'active' ? 'suspended' : 'active',
          });
          reload();
        } catch (e) {
          setError(describe(e));
        }
      },
    });

  const keyTags = (c: Centre) => (
    <Space direction="vertical" size={2}>
      {c.keys.map((k) => {
        const state = keyState(k, nowMs);
        return (
          <Space key={k.kid} size={4} data-testid={`key-${k.kid}`}>
            <span>
              {t.kid} {k.kid}
            </span>
            <Tag color={keyColor[state]}>{t.keyState[state]}</Tag>
            <Typography.Text type="secondary">
              {t.validFrom} {when(k.validFromMs)}
            </Typography.Text>
            {manage && state !== 'revoked' ? (
              <Button size="small" danger onClick={() => setRevoking(k)}>
                {t.revoke}
              </Button>
            ) : null}
          </Space>
        );
      })}
    </Space>
  );

  return (
    <Card
      title={t.trustTitle}
      extra={
        manage ? (
          <Button type="primary" onClick={() => setAdding(true)}>
            {t.add}
          </Button>
        ) : null
      }
    >
      {props.error ? (
        <Alert
          type="error"
          message={props.error}
          closable
          onClose={() => setError(null)}
          style={{ marginBottom: 12 }}
        />
      ) : null}
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={centres}
        locale={{ emptyText: <Empty description={t.noCentres} /> }}
        columns={[
          { title: t.centreId, dataIndex: 'id' },
          { title: t.centreName, dataIndex: 'name' },
          { title: t.linkUrl, dataIndex: 'linkUrl' },
          {
            title: t.status,
            dataIndex: 'status',
            render: (s: string) => (
              <Tag color={s === 'active' ? 'green' : 'orange'}>{t.statusText[s] ?? s}</Tag>
            ),
          },
          { title: t.linkCheck, key: 'link', render: (_: unknown, c: Centre) => linkCell(c) },
          { title: t.keys, key: 'keys', render: (_: unknown, c: Centre) => keyTags(c) },
          ...(manage
            ? [
                {
                  title: t.actions,
                  key: 'actions',
                  render: (_: unknown, c: Centre) => (
                    <Space>
                      <Button size="small" onClick={() => setRotating(c)}>
                        {t.rotate}
                      </Button>
                      <LinkSecretAction centre={c} onDone={reload} />
                      <Button size="small" danger={c.status === 'active'} onClick={() => setStatus(c)}>
                        {c.status === 'active' ? t.suspend : t.resume}
                      </Button>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      {adding ? <AddCentreDialog onClose={closed(() => setAdding(false))} /> : null}
      {rotating ? <RotateKeyDialog centre={rotating} onClose={closed(() => setRotating(null))} /> : null}
      {revoking ? <RevokeKeyDialog keyOf={revoking} onClose={closed(() => setRevoking(null))} /> : null}
    </Card>
  );
}

function CentreSettlement({ me, centres }: { me: Me; centres: Centre[] }) {
  const settle = me.rights.includes('federation.settle');
  const [centreId, setCentreId] = useState<string | null>(null);
  const [day, setDay] = useState<Dayjs>(shanghaiTodayValue(-1));
  const [settlement, setSettlement] = useState<SettlementView | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { modal } = App.useApp();
  const chosen = centreId ?? centres[0]?.id ?? null;
  const path = chosen
    ? `/federation/centres/${encodeURIComponent(chosen)}/settlements/${dayText(day)}`
    : null;

  useEffect(() => {
    setSettlement(undefined);
    if (!path) return;
    api<{ settlement: SettlementView | null }>('GET', path).then(
      (r) => setSettlement(r.settlement),
      (e) => setError(describe(e)),
    );
  }, [path]);

  const run = async (action: () => Promise<{ settlement: SettlementView | null }>) => {
    setError(null);
    setBusy(true);
    try {
      setSettlement((await action()).settlement);
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  };
  const reconcile = () => path && run(() => api('POST', `${path}/reconcile`));
  const recordNet = (s: SettlementView) =>
    confirmMoney(modal, {
      title: `${t.recordNet}：${centres.find((c) => c.id === s.centreId)?.name ?? s.centreId} ${s.day}`,
      amountFen: Math.abs(s.netAmount),
      amountLabel: s.netAmount >= 0 ? t.netOwedToUs : t.netOwedByUs,
      details: [
        [t.receivable, yuan(s.receivableAmount)],
        [t.payable, yuan(s.payableAmount)],
      ],
      note: t.netNote,
      okText: `确认${t.recordNet}`,
      onOk: () => run(() => api('POST', `${path}/net`)),
    });

  const centreName = centres.find((c) => c.id === chosen)?.name ?? chosen ?? '';
  const unresolved = settlement ? settlement.exceptions.filter((e) => e.state !== 'resolved').length : 0;
  const exceptionColumns = [
    { title: '方向', dataIndex: 'direction', render: (d: string) => t.direction[d] ?? d },
    { title: t.operationId, dataIndex: 'operationId' },
    {
      title: '差异类型',
      dataIndex: 'kind',
      render: (k: string) => <Tag color="red">{t.kind[k] ?? '差异'}</Tag>,
    },
    {
      title: t.ourAmount,
      dataIndex: 'ourAmount',
      render: (f: number | null) => (f === null ? '—' : yuan(f)),
    },
    {
      title: t.theirAmount,
      dataIndex: 'theirAmount',
      render: (f: number | null) => (f === null ? '—' : yuan(f)),
    },
    {
      title: t.exceptionStateLabel,
      key: 'state',
      render: (_: unknown, e: SettlementException) => <ExceptionState e={e} />,
    },
    ...(settle && path && settlement && !settlement.netRecordedAtMs
      ? [
          {
            title: t.actions,
            key: 'actions',
            render: (_: unknown, e: SettlementException) => (
              <ExceptionActions
                me={me}
                e={e}
                path={path}
                centreName={centreName}
                onSettlement={setSettlement}
              />
            ),
          },
        ]
      : []),
  ];

  return (
    <Card
      title={t.settlementTitle}
      extra={
        <Space>
          <Select
            aria-label={t.centre}
            style={{ width: 180 }}
            value={chosen}
            onChange={setCentreId}
            options={centres.map((c) => ({ value: c.id, label: `${c.name}（${c.id}）` }))}
          />
          <DatePicker aria-label={t.day} allowClear={false} value={day} onChange={(d) => d && setDay(d)} />
          {settle ? (
            <Button
              onClick={reconcile}
              loading={busy}
              disabled={!path || Boolean(settlement?.netRecordedAtMs)}
            >
              {t.reconcile}
            </Button>
          ) : null}
        </Space>
      }
    >
      {error ? (
        <Alert
          type="error"
          message={error}
          closable
          onClose={() => setError(null)}
          style={{ marginBottom: 12 }}
        />
      ) : null}
      {settlement === null ? <Empty description={t.notReconciled} /> : null}
      {settlement ? (
        <Space direction="vertical" style={{ width: '100%' }} data-testid="centre-settlement">
          <Descriptions
            bordered
            size="small"
            column={2}
            items={[
              {
                key: 'r-ours',
                label: `${t.receivable} · ${t.ourFile}`,
                children: yuan(settlement.receivableAmount),
              },
              {
                key: 'r-theirs',
                label: `${t.receivable} · ${t.theirFile}`,
                children:
                  settlement.theirReceivableAmount === null ? '—' : yuan(settlement.theirReceivableAmount),
              },
              {
                key: 'p-ours',
                label: `${t.payable} · ${t.ourFile}`,
                children: yuan(settlement.payableAmount),
              },
              {
                key: 'p-theirs',
                label: `${t.payable} · ${t.theirFile}`,
                children: settlement.theirPayableAmount === null ? '—' : yuan(settlement.theirPayableAmount),
              },
              {
                key: 'net',
                label: t.net,
                children: (
                  <span data-testid="centre-net">
                    {settlement.netAmount >= 0 ? t.netOwedToUs : t.netOwedByUs}{' '}
                    {yuan(Math.abs(settlement.netAmount))}
                  </span>
                ),
              },
              {
                key: 'state',
                label: '状态',
                children: settlement.netRecordedAtMs ? (
                  <Tag color="green">
                    {t.netRecorded} {when(settlement.netRecordedAtMs)}
                  </Tag>
                ) : (
                  <Tag>{t.netPending}</Tag>
                ),
              },
            ]}
          />
          {settlement.exceptions.length > 0 ? (
            <>
              <Alert
                type={unresolved > 0 ? 'warning' : 'success'}
                message={unresolved > 0 ? t.clearFirst : t.allResolved}
              />
              <Table
                rowKey={(e) => `${e.direction}:${e.operationId}`}
                size="small"
                pagination={false}
                dataSource={settlement.exceptions}
                columns={exceptionColumns}
              />
            </>
          ) : (
            <Alert type="success" message={t.noExceptions} />
          )}
          {settle && !settlement.netRecordedAtMs && unresolved === 0 ? (
            <Button type="primary" loading={busy} onClick={() => recordNet(settlement)}>
              {t.recordNet}
            </Button>
          ) : null}
        </Space>
      ) : null}
    </Card>
  );
}
