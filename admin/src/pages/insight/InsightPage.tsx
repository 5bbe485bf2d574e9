import type {
  AttendanceWarning,
  AttendanceWarningsAnswer,
  HiddenNeedCandidate,
} from '@campus-card/core/contract/insight';
import { Alert, App, Button, Card, Form, Input, InputNumber, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api, when, yuan } from '../../api.ts';
import { confirmMoney } from '../../components/confirm.tsx';
import { fenOf, MoneyField } from '../../components/MoneyField.tsx';
import { describeError } from '../../strings/errors.ts';
import { AbsencesSection } from './AbsencesSection.tsx';
import { attendanceReasonText, hiddenNeedReasonText, insightText as t } from './strings.ts';

/** Each student's subsidy: at most ¥1,000 (the BFF refuses more). */
const amountRule = { maxFen: 100_000 };

/** This month in Asia/Shanghai, 'YYYY-MM'. */
const thisMonth = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);

function ReasonField() {
  return (
    <Form.Item
      name="reason"
      label={t.reason}
      extra={t.reasonHint}
      rules={[{ required: true, whitespace: true, min: 4, max: 200, message: t.reasonShort }]}
    >
      <Input style={{ width: 360 }} maxLength={200} />
    </Form.Item>
  );
}

const query = (values: Record<string, unknown>) =>
  new URLSearchParams(
    Object.entries(values)
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => [k, String(v)]),
  ).toString();

/**
 * 隐形资助 (the right insight.aid): one month's hidden-need candidates with their reasons, thresholds
 * the aid office sets. Nothing is fetched until a reason is given: the BFF audits every view with it.
 */
export function HiddenNeedPage() {
  const { modal } = App.useApp();
  const [items, setItems] = useState<HiddenNeedCandidate[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [asked, setAsked] = useState<Record<string, unknown>>({});
  const [selected, setSelected] = useState<string[]>([]);
  const [done, setDone] = useState<string | null>(null);
  const [batchForm] = Form.useForm<{ amount: string }>();

  /** The chosen candidates become a subsidy draft, confirmed with the amounts in figures and 大写. */
  const makeBatch = async () => {
    const { amount } = await batchForm.validateFields();
    const amountFen = fenOf(amount, amountRule);
    const { month, reason, ...thresholds } = asked as { month: string; reason: string };
    confirmMoney(modal, {
      title: t.batchTitle(month),
      amountFen: amountFen * selected.length,
      amountLabel: t.batchTotal,
      details: [
        [t.batchEach, yuan(amountFen)],
        [t.batchCount, String(selected.length)],
      ],
      note: t.batchNote,
      onOk: async () => {
        try {
          await api('POST', '/insight/hidden-need/batch', {
            month,
            reason,
            cardNos: selected,
            amountFen,
            thresholds,
          });
          setDone(t.batchDone);
          setSelected([]);
        } catch (e) {
          setError(describeError(e));
        }
      },
    });
  };

  const run = async (values: Record<string, unknown>) => {
    setLoading(true);
    setError(null);
    setDone(null);
    setAsked(values);
    setSelected([]);
    try {
      const answer = await api<{ total: number; items: HiddenNeedCandidate[] }>(
        'GET',
        `/insight/hidden-need?${query(values)}`,
      );
      setItems(answer.items);
      setTotal(answer.total);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setLoading(false);
    }
  };

  return (
    <Card title={t.aidMenu}>
      <Typography.Paragraph type="secondary">{t.aidIntro}</Typography.Paragraph>
      <Form
        layout="inline"
        onFinish={run}
        initialValues={{ month: thisMonth(), campusDaysMin: 10, mealsRatioMax: 0.8, spendRatioMax: 0.7 }}
      >
        <Form.Item
          name="month"
          label={t.month}
          rules={[{ required: true, pattern: /^\d{4}-(0[1-9]|1[0-2])$/ }]}
        >
          <Input style={{ width: 110 }} />
        </Form.Item>
        <Form.Item name="campusDaysMin" label={t.campusDaysMin}>
          <InputNumber min={1} max={31} precision={0} />
        </Form.Item>
        <Form.Item name="mealsRatioMax" label={t.mealsRatioMax}>
          <InputNumber min={0.05} max={1} step={0.05} />
        </Form.Item>
        <Form.Item name="spendRatioMax" label={t.spendRatioMax}>
          <InputNumber min={0.05} max={1} step={0.05} />
        </Form.Item>
        <ReasonField />
        <Button type="primary" htmlType="submit" loading={loading}>
          {t.query}
        </Button>
      </Form>
      {error ? <Alert type="error" showIcon message={error} style={{ marginTop: 16 }} /> : null}
      {done ? <Alert type="success" showIcon message={done} style={{ marginTop: 16 }} /> : null}
      {items && items.length > 0 ? (
        <Form form={batchForm} layout="inline" style={{ marginTop: 16 }}>
          <MoneyField name="amount" label={t.batchEach} rule={amountRule} testId="aid-amount" />
          <Button type="primary" disabled={selected.length === 0} onClick={() => void makeBatch()}>
            {t.batchButton(selected.length)}
          </Button>
        </Form>
      ) : null}
      {items ? (
        <Table<HiddenNeedCandidate>
          style={{ marginTop: 16 }}
          rowKey="cardNo"
          rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys.map(String)) }}
          dataSource={items}
          locale={{ emptyText: t.empty }}
          title={() => t.total(total)}
          columns={[
            { title: t.cardNo, dataIndex: 'cardNo' },
            { title: t.score, dataIndex: 'score' },
            { title: t.campusDays, dataIndex: 'campusDays' },
            { title: t.meals, dataIndex: 'meals' },
            {
              title: t.mealAverage,
              render: (_: unknown, c: HiddenNeedCandidate) =>
                c.meals > 0 ? yuan(Math.round(c.mealSpendFen / c.meals)) : '—',
            },
            {
              title: t.cohort,
              dataIndex: 'cohort',
              render: (cohort: string) => (cohort === '*' ? t.allStudents : cohort),
            },
            {
              title: t.reasons,
              render: (_: unknown, c: HiddenNeedCandidate) => (
                <Space direction="vertical" size={0}>
                  {c.reasons.map((r) => (
                    <span key={r.code}>{hiddenNeedReasonText(r)}</span>
                  ))}
                </Space>
              ),
            },
          ]}
        />
      ) : null}
    </Card>
  );
}

/**
 * 学业预警 (the right insight.warnings): the counsellor's own department's students to look at now,
 * with the evidence. The department is the account's; the BFF audits every view with its reason.
 * Below it, 请假审批: the department's absences to approve or reject (AbsencesSection).
 */
export function AttendanceWarningsPage() {
  const [answer, setAnswer] = useState<AttendanceWarningsAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const run = async (values: Record<string, unknown>) => {
    setLoading(true);
    setError(null);
    try {
      setAnswer(await api<AttendanceWarningsAnswer>('GET', `/insight/attendance-warnings?${query(values)}`));
    } catch (e) {
      setError(describeError(e));
    } finally {
      setLoading(false);
    }
  };

  return (
    <>
      <Card title={t.warningsMenu}>
        <Typography.Paragraph type="secondary">{t.warningsIntro}</Typography.Paragraph>
        <Form
          layout="inline"
          onFinish={run}
          initialValues={{ streakMin: 4, silentDaysMin: 4, lateReturnsMin: 3 }}
        >
          <Form.Item name="streakMin" label={t.streakMin}>
            <InputNumber min={2} max={50} precision={0} />
          </Form.Item>
          <Form.Item name="silentDaysMin" label={t.silentDaysMin}>
            <InputNumber min={1} max={60} precision={0} />
          </Form.Item>
          <Form.Item name="lateReturnsMin" label={t.lateReturnsMin}>
            <InputNumber min={1} max={31} precision={0} />
          </Form.Item>
          <ReasonField />
          <Button type="primary" htmlType="submit" loading={loading}>
            {t.query}
          </Button>
        </Form>
        {error ? <Alert type="error" showIcon message={error} style={{ marginTop: 16 }} /> : null}
        {answer ? (
          <Table<AttendanceWarning>
            style={{ marginTop: 16 }}
            rowKey="personNo"
            dataSource={answer.items}
            locale={{ emptyText: t.empty }}
            title={() => `${answer.department ?? ''} ${t.total(answer.total)}`}
            columns={[
              { title: t.personNo, dataIndex: 'personNo' },
              { title: t.cardNo, dataIndex: 'cardNo' },
              {
                title: t.reasons,
                render: (_: unknown, w: AttendanceWarning) => (
                  <Space direction="vertical" size={0}>
                    {w.reasons.map((r) => (
                      <Tag key={r.code} color={r.code === 'not_seen' ? 'red' : 'orange'}>
                        {attendanceReasonText(r)}
                      </Tag>
                    ))}
                  </Space>
                ),
              },
              {
                title: t.missed,
                render: (_: unknown, w: AttendanceWarning) => (
                  <Space direction="vertical" size={0}>
                    {w.missed.slice(0, 5).map((m) => (
                      <span key={m.sessionId}>
                        {when(m.startsAtMs)} {m.title}
                      </span>
                    ))}
                  </Space>
                ),
              },
              {
                title: t.lastSeen,
                dataIndex: 'lastSeenMs',
                render: (ms: number | null) => (ms === null ? t.never : when(ms)),
              },
            ]}
          />
        ) : null}
      </Card>
      <AbsencesSection />
    </>
  );
}
