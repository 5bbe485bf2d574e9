import { adjustmentAmountCeiling, topUpAmountCeiling } from '@campus-card/core/contract/limits';
import { shanghaiToday } from '@campus-card/core/time';
import {
  App,
  Button,
  Descriptions,
  Form,
  Input,
  Modal,
  Card as Panel,
  Radio,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type Card, type Me, newRequestId, type Receipt, when, yuan } from '../api.ts';
import { confirmMoney } from '../components/confirm.tsx';
import { fenOf, MoneyField } from '../components/MoneyField.tsx';
import type { MoneyRule } from '../components/money.ts';
import { TopUpsPanel } from '../components/TopUpsPanel.tsx';
import {
  actionText,
  actorText,
  cardEventText,
  describeError,
  operationKindText,
  outcomeText,
  statusText,
  walletText,
} from '../strings.ts';
import { CardDeskButtons } from './card-desk.tsx';

interface Detail {
  card: Card;
  holds: { id: string; merchantId: string; amount: number; expiresAtMs: number; createdAtMs: number }[];
  history: {
    kind: string;
    fromStatus: string | null;
    toStatus: string;
    reason: string | null;
    actorType?: string;
    createdAtMs: number;
  }[];
}
interface Operation {
  id: string;
  kind: string;
  outcome: string;
  amount: number;
  merchantId: string | null;
  createdAtMs: number;
}

/** A cash top-up at the desk: one fen to ¥5,000; an adjustment, either way, up to ¥100,000 (the contract's bounds). */
const topUpRule: MoneyRule = { maxFen: topUpAmountCeiling };
const adjustRule: MoneyRule = { maxFen: adjustmentAmountCeiling };

/** Which status actions a card in each status can take. */
const actionsFrom: Record<Card['status'], string[]> = {
  active: ['report_loss', 'freeze', 'reissue'],
  lost: ['cancel_loss', 'reissue'],
  frozen: ['unfreeze'],
  cancelled: [],
};

type Dialog =
  | null
  | { kind: 'action'; action: string }
  | { kind: 'close' }
  | { kind: 'top_up' }
  | { kind: 'adjust' };

/** One card: who, status, wallets, holds, status history and recent operations, with the actions the role has. */
export function CardPage({ me, cardNo }: { me: Me; cardNo: string }) {
  const { message, modal } = App.useApp();
  const [detail, setDetail] = useState<Detail | null>(null);
  const [ops, setOps] = useState<Operation[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [busy, setBusy] = useState(false);
  // One idempotency key per open dialog: a double click or a retry after a timeout repeats, not doubles.
  const requestId = useRef(newRequestId());
  const [form] = Form.useForm();
  const may = (right: string) => me.rights.includes(right);

  const load = useCallback(async () => {
    try {
      setDetail(await api<Detail>('GET', `/cards/${cardNo}`));
      setOps((await api<{ items: Operation[] }>('GET', `/cards/${cardNo}/operations`)).items);
    } catch (e) {
      setError(describeError(e));
    }
  }, [cardNo]);
  useEffect(() => {
    load();
  }, [load]);

  const open = (d: Dialog) => {
    requestId.current = newRequestId();
    form.resetFields();
    setDialog(d);
  };
  /** Sends the open dialog's request; errors are shown and the dialog stays for another try. */
  const send = async (values: Record<string, string>) => {
    if (!dialog) return;
    setBusy(true);
    try {
      if (dialog.kind === 'action') {
        await api('POST', `/cards/${cardNo}/actions`, {
          action: dialog.action,
          reason: values.reason ?? null,
        });
        message.success(`已${actionText[dialog.action]}`);
      } else if (dialog.kind === 'close') {
        await api('POST', `/cards/${cardNo}/close-out`, {
          requestId: requestId.current,
          reason: values.reason,
        });
        message.success('已注销，余额已转入退款清单');
      } else if (dialog.kind === 'top_up') {
        const receipt = await api<Receipt | { status: 'pending_approval' }>(
          'POST',
          `/cards/${cardNo}/cash-top-ups`,
          { requestId: requestId.current, amount: fenOf(values.amount, topUpRule) },
        );
        if (!('amount' in receipt)) message.info('超过您当日的现金充值额度，已提交审批');
        else {
          sessionStorage.setItem('cc-admin-receipt', JSON.stringify(receipt));
          window.open(`${window.location.pathname}#/receipt`, '_blank');
          message.success(`充值成功 ${yuan(receipt.amount)}`);
        }
      } else {
        const fen = fenOf(values.amount, adjustRule);
        const answer = await api<{ status: string }>('POST', '/adjustments', {
          requestId: requestId.current,
          cardNo,
          wallet: values.wallet,
          amount: values.direction === 'debit' ? -fen : fen,
          reason: values.reason,
        });
        message.success(answer.status === 'posted' ? '调账已入账' : '金额超过限额，已提交审批');
      }
      setDialog(null);
      await load();
    } catch (e) {
      message.error(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  /** Checks the form; a money action is then confirmed with its amount in figures and in 大写. */
  const submit = async () => {
    if (!dialog || !detail) return;
    const values = (await form.validateFields()) as Record<string, string>;
    const { card } = detail;
    const who: [string, string] = ['持卡人', `${card.name}（${card.cardNo}）`];
    if (dialog.kind === 'top_up')
      confirmMoney(modal, {
        title: '确认现金充值',
        amountFen: fenOf(values.amount, topUpRule),
        amountLabel: '充值金额',
        details: [who, ['钱包', walletText.main ?? '']],
        note: '请先收妥现金再确认。',
        okText: '确认充值',
        onOk: () => send(values),
      });
    else if (dialog.kind === 'adjust') {
      const debit = values.direction === 'debit';
      confirmMoney(modal, {
        title: debit ? '确认调减（从钱包扣减）' : '确认调增（向钱包补入）',
        amountFen: fenOf(values.amount, adjustRule),
        amountLabel: debit ? '扣减金额' : '补入金额',
        details: [who, ['钱包', walletText[values.wallet ?? 'main'] ?? ''], ['原因', values.reason ?? '']],
        okText: '确认调账',
        danger: debit,
        onOk: () => send(values),
      });
    } else if (dialog.kind === 'close')
      confirmMoney(modal, {
        title: '确认注销并退还余额',
        amountFen: card.balance.main,
        amountLabel: '应退主钱包余额',
        details: [who, ['原因', values.reason ?? '']],
        note: '注销后卡片不可再用，余额转入退款清单，由财务退给持卡人；补贴钱包余额退回补贴资金。此操作不可撤销。',
        okText: '确认注销',
        danger: true,
        onOk: () => send(values),
      });
    else await send(values);
  };

  // A new one-time activation code for the student to bind with: shown here once, never again.
  const issueActivationCode = async () => {
    try {
      const issued = await api<{ activationCode: string; expiresAtMs: number }>(
        'POST',
        `/cards/${cardNo}/activation-code`,
        {},
      );
      modal.info({
        title: '激活码（只显示这一次）',
        content: (
          <Space direction="vertical">
            <Typography.Text strong copyable data-testid="activation-code">
              {issued.activationCode}
            </Typography.Text>
            <span>
              有效期至 {when(issued.expiresAtMs)}
              ，只能使用一次，旧激活码随即作废。请打印交给学生或通过学校短信发送。
            </span>
          </Space>
        ),
      });
    } catch (e) {
      message.error(describeError(e));
    }
  };

  if (error) return <Panel>{error}</Panel>;
  if (!detail) return <Panel loading />;
  const { card } = detail;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Panel
        title={`${card.name}（${card.personNo}）`}
        extra={
          <Space wrap>
            {may('card.manage')
              ? actionsFrom[card.status].map((a) => (
                  <Button
                    key={a}
                    danger={a === 'report_loss' || a === 'freeze'}
                    onClick={() => open({ kind: 'action', action: a })}
                  >
                    {actionText[a]}
                  </Button>
                ))
              : null}
            {may('card.manage') && card.status !== 'cancelled' ? (
              <Button onClick={() => void issueActivationCode()}>生成激活码</Button>
            ) : null}
            {may('card.manage') && card.status !== 'cancelled' ? (
              <CardDeskButtons card={card} onChanged={load} />
            ) : null}
            {may('cash.top_up') && card.status !== 'cancelled' ? (
              <Button type="primary" onClick={() => open({ kind: 'top_up' })}>
                现金充值
              </Button>
            ) : null}
            {may('adjust.request') && card.status !== 'cancelled' ? (
              <Button onClick={() => open({ kind: 'adjust' })}>调账</Button>
            ) : null}
            {may('card.close') && card.status !== 'cancelled' ? (
              <Button danger onClick={() => open({ kind: 'close' })}>
                注销退款
              </Button>
            ) : null}
          </Space>
        }
      >
        <Descriptions column={3} bordered size="small">
          <Descriptions.Item label="卡号">{card.cardNo}</Descriptions.Item>
          <Descriptions.Item label="状态">
            <Tag color={card.status === 'active' ? 'green' : 'red'} data-testid="card-status">
              {statusText[card.status]}
            </Tag>
          </Descriptions.Item>
          <Descriptions.Item label="院系">{card.department ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={walletText.main}>{yuan(card.balance.main)}</Descriptions.Item>
          <Descriptions.Item label={walletText.subsidy}>{yuan(card.balance.subsidy)}</Descriptions.Item>
          <Descriptions.Item label="冻结中（预授权）">
            {yuan(card.balance.mainPending + card.balance.subsidyPending)}
          </Descriptions.Item>
          <Descriptions.Item label="日限额">{yuan(card.dailyLimit)}</Descriptions.Item>
          <Descriptions.Item label="免密限额">{yuan(card.pinFreeLimit)}</Descriptions.Item>
          <Descriptions.Item label="支付密码">{card.pinSet ? '已设置' : '未设置'}</Descriptions.Item>
          <Descriptions.Item label="今日已用">{yuan(card.spentToday)}</Descriptions.Item>
          <Descriptions.Item label="补卡次数">{card.reissueCount}</Descriptions.Item>
          <Descriptions.Item label="有效期">
            {card.expiresAtMs === null ? '长期' : `至 ${shanghaiToday(card.expiresAtMs - 1)}`}
          </Descriptions.Item>
        </Descriptions>
      </Panel>
      <Panel title="未结算预授权" size="small">
        <Table
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={detail.holds}
          columns={[
            { title: '商户', dataIndex: 'merchantId' },
            { title: '金额', dataIndex: 'amount', render: yuan },
            { title: '开始', dataIndex: 'createdAtMs', render: when },
            { title: '到期', dataIndex: 'expiresAtMs', render: when },
          ]}
        />
      </Panel>
      <Panel title="卡状态记录" size="small">
        <Table
          rowKey={(r) => `${r.createdAtMs}-${r.kind}`}
          size="small"
          pagination={false}
          dataSource={[...detail.history].reverse()}
          columns={[
            { title: '时间', dataIndex: 'createdAtMs', render: when },
            { title: '操作', dataIndex: 'kind', render: (k: string) => cardEventText[k] ?? '其他' },
            { title: '状态', dataIndex: 'toStatus', render: (s: string) => statusText[s] ?? s },
            {
              title: '操作人',
              dataIndex: 'actorType',
              render: (a: string | undefined) => (a ? (actorText[a] ?? a) : '—'),
            },
            { title: '原因', dataIndex: 'reason' },
          ]}
        />
      </Panel>
      <Panel title="最近交易" size="small">
        <Table
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={ops}
          columns={[
            { title: '时间', dataIndex: 'createdAtMs', render: when },
            { title: '类型', dataIndex: 'kind', render: (k: string) => operationKindText[k] ?? '其他' },
            { title: '金额', dataIndex: 'amount', render: yuan },
            { title: '结果', dataIndex: 'outcome', render: (o: string) => outcomeText(o) },
            { title: '流水号', dataIndex: 'id' },
          ]}
        />
      </Panel>
      <TopUpsPanel me={me} cardNo={cardNo} onChanged={load} />
      <Modal
        open={dialog !== null}
        title={
          dialog?.kind === 'action'
            ? `${actionText[dialog.action]} · ${card.name}`
            : dialog?.kind === 'close'
              ? '注销并退还余额'
              : dialog?.kind === 'top_up'
                ? '现金充值'
                : '手工调账'
        }
        okText="确认"
        cancelText="取消"
        confirmLoading={busy}
        onOk={submit}
        onCancel={() => setDialog(null)}
      >
        <Form form={form} layout="vertical" initialValues={{ wallet: 'main', direction: 'credit' }}>
          {dialog?.kind === 'adjust' ? (
            <Form.Item label="方向" name="direction">
              <Radio.Group
                options={[
                  { value: 'credit', label: '调增（补入）' },
                  { value: 'debit', label: '调减（扣减）' },
                ]}
              />
            </Form.Item>
          ) : null}
          {dialog?.kind === 'top_up' || dialog?.kind === 'adjust' ? (
            <MoneyField
              name="amount"
              label="金额（元）"
              rule={dialog.kind === 'top_up' ? topUpRule : adjustRule}
              testId="money-input"
            />
          ) : null}
          {dialog?.kind === 'adjust' ? (
            <Form.Item label="钱包" name="wallet">
              <Radio.Group
                options={[
                  { value: 'main', label: walletText.main },
                  { value: 'subsidy', label: walletText.subsidy },
                ]}
              />
            </Form.Item>
          ) : null}
          {dialog?.kind !== 'top_up' ? (
            <Form.Item
              label="原因"
              name="reason"
              rules={dialog?.kind === 'action' ? [] : [{ required: true, message: '请填写原因' }]}
            >
              <Input.TextArea rows={2} maxLength={200} />
            </Form.Item>
          ) : null}
        </Form>
      </Modal>
    </Space>
  );
}
