import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Drawer,
  Form,
  Input,
  Modal,
  Progress,
  Radio,
  Space,
  Statistic,
  Table,
  Tag,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, type Me, when, yuan } from '../api.ts';
import { confirmMoney } from '../components/confirm.tsx';
import { amountInWords, parseYuan } from '../components/money.ts';
import { readListFile } from '../download.ts';
import { describeError, outcomeText, walletText } from '../strings.ts';

interface Row {
  rowNo: number;
  personNo: string;
  name: string | null;
  cardNo: string | null;
  amount: number | null;
  amountText: string;
  note: string | null;
  error: string | null;
  status: 'invalid' | 'pending' | 'posted' | 'failed';
  resultCode: string | null;
}
interface Preview {
  rowCount: number;
  validCount: number;
  errorCount: number;
  totalAmount: number;
  rows: Row[];
}
interface Batch extends Omit<Preview, 'rows'> {
  id: string;
  title: string;
  status: 'draft' | 'approved' | 'rejected' | 'posting' | 'posted';
  postedCount: number;
  postedAmount: number;
  failedCount: number;
  approvalRequired: boolean;
  progress: { done: number; total: number };
  createdBy: string;
  approvedBy: string | null;
  rejectReason: string | null;
  createdAtMs: number;
  rows?: Row[];
}
interface Clearing {
  id: string;
  reason: string;
  status: 'running' | 'done';
  cardCount: number;
  clearedCount: number;
  clearedAmount: number;
  createdAtMs: number;
  finishedAtMs: number | null;
}
type Source =
  | { csv: string }
  | { xlsxBase64: string }
  | { department: string; amount: string }
  | { classCode: string; amount: string };

const batchStatus = {
  draft: ['gold', '待审批'],
  approved: ['blue', '已审批，待入账'],
  rejected: ['default', '已驳回'],
  posting: ['processing', '入账中'],
  posted: ['green', '已入账'],
} as const;

/**
 * A batch's status as one consistent phrase: a draft waits for a checker only when approval is
 * required (over the threshold, or over its maker's unchecked total for the day); otherwise it waits
 * to be posted.
 */
function statusOf(b: Pick<Batch, 'status' | 'approvalRequired'>): readonly [string, string] {
  if (b.status === 'draft' && !b.approvalRequired) return ['cyan', '待入账（无需审批）'];
  return batchStatus[b.status];
}

const rowErrorText: Record<string, string> = {
  UNKNOWN_PERSON: '查无此人',
  NO_ACTIVE_CARD: '无正常状态的卡',
  BAD_AMOUNT: '金额有误',
  DUPLICATE_ROW: '名单中重复',
  BAD_ROW: '格式有误',
};

const pollMs = 800;
const percent = (p: { done: number; total: number }) =>
  p.total ? Math.floor((p.done / p.total) * 100) : 100;

/** Subsidy batches (import, preview, maker–checker, posting with progress) and term-end clearing. */
export function FundsPage({ me }: { me: Me }) {
  const [batches, setBatches] = useState<Batch[]>([]);
  const [clearings, setClearings] = useState<Clearing[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  // #/funds/<batch id> (the approvals queue links here) opens that batch.
  const [openId, setOpenId] = useState<string | null>(
    () => /^#\/funds\/([0-9A-Z]{26})$/.exec(window.location.hash)?.[1] ?? null,
  );
  const [clearOpen, setClearOpen] = useState(false);
  const manage = me.rights.includes('funds.manage');

  const load = useCallback(() => {
    api<{ items: Batch[] }>('GET', '/subsidy-batches').then(
      (p) => setBatches(p.items),
      (e) => setError(describeError(e)),
    );
    api<{ items: Clearing[] }>('GET', '/subsidy-clearings').then(
      (p) => setClearings(p.items),
      (e) => setError(describeError(e)),
    );
  }, []);
  useEffect(load, [load]);
  // A clearing that is running is followed until it is done.
  useEffect(() => {
    if (!clearings.some((c) => c.status === 'running')) return;
    const timer = setTimeout(load, pollMs);
    return () => clearTimeout(timer);
  }, [clearings, load]);

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      {error ? <Alert type="error" message={error} /> : null}
      <Card
        title="补贴发放批次"
        extra={
          manage ? (
            <Button type="primary" onClick={() => setImporting(true)}>
              导入补贴名单
            </Button>
          ) : null
        }
      >
        <Table
          rowKey="id"
          size="small"
          dataSource={batches}
          pagination={false}
          onRow={(b) => ({ onClick: () => setOpenId(b.id), style: { cursor: 'pointer' } })}
          columns={[
            { title: '批次', dataIndex: 'title' },
            { title: '创建时间', dataIndex: 'createdAtMs', render: when },
            {
              title: '状态',
              dataIndex: 'status',
              render: (_: unknown, b: Batch) => <Tag color={statusOf(b)[0]}>{statusOf(b)[1]}</Tag>,
            },
            { title: '有效/错误行', render: (_: unknown, b: Batch) => `${b.validCount} / ${b.errorCount}` },
            { title: '总金额', dataIndex: 'totalAmount', render: yuan },
            {
              title: '入账进度',
              render: (_: unknown, b: Batch) => <Progress size="small" percent={percent(b.progress)} />,
            },
          ]}
        />
      </Card>
      <Card
        title="学期末补贴清零"
        extra={
          manage ? (
            <Button danger onClick={() => setClearOpen(true)}>
              发起清零
            </Button>
          ) : null
        }
      >
        <Table
          rowKey="id"
          size="small"
          dataSource={clearings}
          pagination={false}
          columns={[
            { title: '发起时间', dataIndex: 'createdAtMs', render: when },
            { title: '原因', dataIndex: 'reason' },
            {
              title: '进度',
              render: (_: unknown, c: Clearing) => (
                <Progress
                  size="small"
                  data-testid="clearing-progress"
                  percent={c.status === 'done' ? 100 : percent({ done: c.clearedCount, total: c.cardCount })}
                />
              ),
            },
            { title: '清零卡数', dataIndex: 'clearedCount' },
            { title: '清零金额', dataIndex: 'clearedAmount', render: yuan },
          ]}
        />
      </Card>
      {importing ? (
        <ImportDialog
          onClose={(id) => {
            setImporting(false);
            load();
            if (id) setOpenId(id);
          }}
        />
      ) : null}
      {openId ? (
        <BatchDrawer
          me={me}
          id={openId}
          onClose={() => {
            setOpenId(null);
            if (window.location.hash.startsWith('#/funds/')) window.location.hash = '/funds';
            load();
          }}
        />
      ) : null}
      {clearOpen ? (
        <ClearingDialog
          onClose={() => {
            setClearOpen(false);
            load();
          }}
        />
      ) : null}
    </Space>
  );
}

function RowsTable({ rows, testId }: { rows: Row[]; testId: string }) {
  return (
    <Table
      data-testid={testId}
      rowKey="rowNo"
      size="small"
      dataSource={rows}
      pagination={{ pageSize: 10 }}
      rowClassName={(r) => (r.error ? 'row-error' : '')}
      columns={[
        { title: '行', dataIndex: 'rowNo', width: 50 },
        { title: '学工号', dataIndex: 'personNo' },
        { title: '姓名', dataIndex: 'name' },
        { title: '金额', dataIndex: 'amountText' },
        { title: '备注', dataIndex: 'note' },
        {
          title: '结果',
          render: (_: unknown, r: Row) =>
            r.error ? (
              <Tag color="red">{rowErrorText[r.error] ?? r.error}</Tag>
            ) : r.status === 'failed' ? (
              <Tag color="red">入账{outcomeText(r.resultCode ?? '')}</Tag>
            ) : r.status === 'posted' ? (
              <Tag color="green">已入账</Tag>
            ) : (
              <Tag>待入账</Tag>
            ),
        },
      ]}
    />
  );
}

/** Choose a list (file, department or class), see every row's error, then submit it as a draft. */
function ImportDialog({ onClose }: { onClose: (createdId?: string) => void }) {
  const [title, setTitle] = useState('');
  const [kind, setKind] = useState<'file' | 'department' | 'classCode'>('file');
  const [file, setFile] = useState<File | null>(null);
  const [group, setGroup] = useState('');
  const [amount, setAmount] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const source = async (): Promise<Source> => {
    if (kind === 'file') {
      if (!file) throw new Error('请选择 CSV 或 Excel 文件');
      return readListFile(file);
    }
    // The amount each person gets is checked as typed, like every money field (#19.1).
    const each = parseYuan(amount, { maxFen: 99_999_999 });
    if ('error' in each) throw new Error(`每人金额：${each.error}`);
    return kind === 'department' ? { department: group, amount } : { classCode: group, amount };
  };
  const run = async (step: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await step();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  const doPreview = () =>
    run(async () =>
      setPreview(await api<Preview>('POST', '/subsidy-batches/preview', { source: await source() })),
    );
  const submit = () =>
    run(async () => {
      const batch = await api<Batch>('POST', '/subsidy-batches', { title, source: await source() });
      onClose(batch.id);
    });

  return (
    <Modal
      open
      width={860}
      title="导入补贴名单"
      onCancel={() => onClose()}
      footer={[
        <Button key="preview" onClick={doPreview} loading={busy}>
          预览
        </Button>,
        <Button
          key="submit"
          type="primary"
          disabled={!preview || !title.trim()}
          onClick={submit}
          loading={busy}
        >
          提交审批
        </Button>,
      ]}
    >
      <Form layout="vertical">
        <Form.Item label="批次名称">
          <Input
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            placeholder="如：2026 秋季困难补贴"
          />
        </Form.Item>
        <Form.Item label="名单来源">
          <Radio.Group
            value={kind}
            onChange={(e) => {
              setKind(e.target.value);
              setPreview(null);
            }}
            options={[
              { value: 'file', label: '文件（CSV / Excel）' },
              { value: 'department', label: '按院系' },
              { value: 'classCode', label: '按班级' },
            ]}
          />
        </Form.Item>
        {kind === 'file' ? (
          <Form.Item label="名单文件" extra="列：学工号、金额（元）、备注；首行可为表头">
            <input
              type="file"
              data-testid="list-file"
              accept=".csv,.xlsx,text/csv"
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                setPreview(null);
              }}
            />
          </Form.Item>
        ) : (
          <Space>
            <Form.Item label={kind === 'department' ? '院系' : '班级编号'} htmlFor="import-group">
              <Input id="import-group" value={group} onChange={(e) => setGroup(e.target.value)} />
            </Form.Item>
            <Form.Item
              label="每人金额（元）"
              htmlFor="import-amount"
              extra={(() => {
                const each = amount ? parseYuan(amount, { maxFen: 99_999_999 }) : undefined;
                return each && 'fen' in each ? `大写：${amountInWords(each.fen)}` : null;
              })()}
            >
              <Input
                id="import-amount"
                prefix="¥"
                inputMode="decimal"
                value={amount}
                onChange={(e) => setAmount(e.target.value)}
              />
            </Form.Item>
          </Space>
        )}
      </Form>
      {error ? <Alert type="error" message={error} style={{ marginBottom: 12 }} /> : null}
      {preview ? (
        <>
          <Space size="large" data-testid="preview-summary">
            <Statistic title="总行数" value={preview.rowCount} />
            <Statistic title="有效" value={preview.validCount} />
            <Statistic
              title="错误"
              value={preview.errorCount}
              valueStyle={{ color: preview.errorCount ? '#cf1322' : undefined }}
            />
            <Statistic title="合计金额" value={yuan(preview.totalAmount)} />
          </Space>
          <RowsTable rows={preview.rows} testId="preview-rows" />
        </>
      ) : null}
    </Modal>
  );
}

/** One batch: its state, approval by another admin, posting with a progress bar that polls. */
function BatchDrawer({ me, id, onClose }: { me: Me; id: string; onClose: () => void }) {
  const [batch, setBatch] = useState<Batch | null>(null);
  const [errorsOnly, setErrorsOnly] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const load = useCallback(
    () =>
      api<Batch>('GET', `/subsidy-batches/${id}${errorsOnly ? '?errorsOnly=true' : ''}`).then(setBatch, (e) =>
        setError(describeError(e)),
      ),
    [id, errorsOnly],
  );
  useEffect(() => {
    load();
  }, [load]);
  useEffect(() => {
    if (batch?.status !== 'posting') return;
    const timer = setTimeout(load, pollMs);
    return () => clearTimeout(timer);
  }, [batch, load]);

  const { modal } = App.useApp();
  const act = async (path: string, body: unknown = {}) => {
    setError(null);
    try {
      await api('POST', `/subsidy-batches/${id}/${path}`, body);
      setRejecting(false);
      await load();
    } catch (e) {
      setError(describeError(e));
    }
  };
  /** Approving and posting move money: confirmed with the total in figures and in 大写. */
  const confirmAct = (path: 'approve' | 'post') => {
    if (!batch) return;
    confirmMoney(modal, {
      title: path === 'post' ? `确认入账：${batch.title}` : `确认审批通过：${batch.title}`,
      amountFen: batch.totalAmount,
      amountLabel: '合计金额',
      details: [
        ['人数', `${batch.validCount} 人（错误行 ${batch.errorCount} 行不入账）`],
        ['钱包', walletText.subsidy ?? ''],
      ],
      note:
        path === 'post'
          ? `确认后逐笔发放到每人的${walletText.subsidy}，不可撤销。`
          : '审批通过后由财务入账。',
      okText: path === 'post' ? '确认入账' : '确认通过',
      onOk: () => act(path),
    });
  };
  const mine = batch?.createdBy === me.adminId;
  const approve = me.rights.includes('funds.approve');
  const post = me.rights.includes('funds.manage');
  // A draft that needs a checker is never posted by anyone before approval (the core refuses it too).
  const canPost =
    batch &&
    (batch.status === 'approved' ||
      batch.status === 'posting' ||
      (batch.status === 'draft' && !batch.approvalRequired));

  return (
    <Drawer open width={820} title={batch?.title ?? '补贴批次'} onClose={onClose}>
      {error ? (
        <Alert type="error" data-testid="batch-error" message={error} style={{ marginBottom: 12 }} />
      ) : null}
      {batch ? (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Descriptions size="small" column={2} bordered>
            <Descriptions.Item label="状态">
              <Tag data-testid="batch-status" color={statusOf(batch)[0]}>
                {statusOf(batch)[1]}
              </Tag>
            </Descriptions.Item>
            <Descriptions.Item label="合计金额">{yuan(batch.totalAmount)}</Descriptions.Item>
            <Descriptions.Item label="有效 / 错误行">
              {batch.validCount} / {batch.errorCount}
            </Descriptions.Item>
            <Descriptions.Item label="需要复核">
              <span data-testid="batch-approval">
                {batch.status !== 'draft'
                  ? batch.approvedBy
                    ? '已复核'
                    : '—'
                  : batch.approvalRequired
                    ? '是（超过限额，需另一位管理员审批）'
                    : '否（限额内，可直接入账）'}
              </span>
            </Descriptions.Item>
            <Descriptions.Item label="已入账">
              {batch.postedCount} 笔，{yuan(batch.postedAmount)}
            </Descriptions.Item>
            <Descriptions.Item label="入账失败">{batch.failedCount} 笔</Descriptions.Item>
            {batch.rejectReason ? (
              <Descriptions.Item label="驳回原因">{batch.rejectReason}</Descriptions.Item>
            ) : null}
          </Descriptions>
          <Progress
            data-testid="batch-progress"
            percent={percent(batch.progress)}
            format={(p) => `${p}% (${batch.progress.done}/${batch.progress.total})`}
            status={batch.status === 'posting' ? 'active' : undefined}
          />
          {batch.status === 'draft' && batch.approvalRequired ? (
            <Alert
              type="info"
              message={
                mine
                  ? '本批次超过限额，需由另一位财务或超级管理员审批后方可入账（已列入审批页）。'
                  : '本批次超过限额，需审批后方可入账。'
              }
            />
          ) : null}
          <Space>
            {approve && !mine && batch.status === 'draft' ? (
              <Button type="primary" onClick={() => confirmAct('approve')}>
                审批通过
              </Button>
            ) : null}
            {approve && (batch.status === 'draft' || batch.status === 'approved') ? (
              <Button danger onClick={() => setRejecting(true)}>
                驳回
              </Button>
            ) : null}
            {post && canPost && batch.status !== 'posting' ? (
              <Button type="primary" onClick={() => confirmAct('post')}>
                入账
              </Button>
            ) : null}
            <Button onClick={() => setErrorsOnly(!errorsOnly)}>
              {errorsOnly ? '显示全部行' : '只看错误行'}
            </Button>
          </Space>
          {rejecting ? (
            <Space.Compact style={{ width: '100%' }}>
              <Input placeholder="驳回原因" value={reason} onChange={(e) => setReason(e.target.value)} />
              <Button danger disabled={!reason.trim()} onClick={() => act('reject', { reason })}>
                确认驳回
              </Button>
            </Space.Compact>
          ) : null}
          <RowsTable rows={batch.rows ?? []} testId="batch-rows" />
        </Space>
      ) : null}
    </Drawer>
  );
}

/** Term-end clearing: the reason, then the shared confirmation with what it will take, in 大写. */
function ClearingDialog({ onClose }: { onClose: () => void }) {
  const { modal } = App.useApp();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const start = async () => {
    setError(null);
    try {
      const preview = await api<{ cardCount: number; totalAmount: number }>(
        'GET',
        '/subsidy-clearings/preview',
      );
      confirmMoney(modal, {
        title: '确认学期末补贴清零',
        amountFen: preview.totalAmount,
        amountLabel: '清零金额',
        details: [
          ['卡数', `${preview.cardCount} 张`],
          ['原因', reason.trim()],
        ],
        note: `所有${walletText.subsidy}的余额转回补贴资金账户，不可撤销。`,
        okText: '确认清零',
        danger: true,
        onOk: async () => {
          try {
            await api('POST', '/subsidy-clearings', { reason });
            onClose();
          } catch (e) {
            setError(describeError(e));
          }
        },
      });
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <Modal
      open
      title="学期末补贴清零"
      okText="下一步"
      okButtonProps={{ danger: true, disabled: !reason.trim() }}
      onOk={start}
      onCancel={onClose}
    >
      <p>所有{walletText.subsidy}的余额将转回补贴资金账户，主钱包不受影响。此操作不可撤销。</p>
      <Input
        placeholder="原因，如：2026 秋季学期末补贴清零"
        value={reason}
        onChange={(e) => setReason(e.target.value)}
      />
      {error ? <Alert type="error" message={error} style={{ marginTop: 12 }} /> : null}
    </Modal>
  );
}
