// The card centre's desk work beyond status changes (#19): opening one card by hand, resetting a
// forgotten PIN against the holder's ID card, and a card's limits. Each is confirmed before it is sent;
// the BFF checks card.manage and audits it.
import { cardLimitCeiling, personNoPattern, sixDigitsPattern } from '@campus-card/core/contract/limits';
import { dayBoundsMs, parseDay, shanghaiToday } from '@campus-card/core/time';
import { App, Button, DatePicker, Descriptions, Form, Input, Modal, Select } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, type Card, yuan } from '../api.ts';
import { confirmMoney } from '../components/confirm.tsx';
import { fenOf, MoneyField } from '../components/MoneyField.tsx';
import { amountInWords, type MoneyRule } from '../components/money.ts';
import { describeError } from '../strings.ts';

const idNumberPattern = /^[0-9]{17}[0-9Xx]$/;
/** A limit may be ¥0.00 (a PIN-free limit of 0: every payment asks for the PIN), at most the contract's ceiling. */
const limitRule: MoneyRule = { minFen: 0, maxFen: cardLimitCeiling };
const personTypeText: Record<string, string> = { staff: '教职工', student: '学生', visitor: '访客' };

type ModalApi = ReturnType<typeof App.useApp>['modal'];

/** Asks 确认/取消 with the facts listed; `onOk` runs only after 确认. */
function confirmFacts(
  modal: ModalApi,
  title: string,
  facts: [string, string][],
  onOk: () => Promise<unknown>,
) {
  modal.confirm({
    title,
    width: 480,
    okText: '确认',
    cancelText: '取消',
    content: (
      <Descriptions
        size="small"
        column={1}
        bordered
        style={{ margin: '12px 0' }}
        items={facts.map(([label, children]) => ({ key: label, label, children }))}
      />
    ),
    onOk: async () => {
      await onOk();
    },
  });
}

/** 手工开卡: a new staff member before the identity sync has run, or a visitor. */
export function OpenCardButton({ onOpened }: { onOpened: (cardNo: string) => void }) {
  const { message, modal } = App.useApp();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm();
  const type = Form.useWatch('type', form) as string | undefined;
  const submit = async () => {
    const v = (await form.validateFields()) as Record<string, string> & { expiresOn?: Dayjs };
    // Valid through the picked day: the card expires at the end of that day in Shanghai.
    const expiresOn = v.expiresOn?.format('YYYY-MM-DD');
    const day = expiresOn ? parseDay(expiresOn) : undefined;
    const body = {
      personNo: v.personNo?.trim(),
      name: v.name?.trim(),
      type: v.type,
      department: v.department?.trim() || null,
      idNumber: v.idNumber?.trim().toUpperCase(),
      ...(v.phone?.trim() ? { phone: v.phone.trim() } : {}),
      ...(day !== undefined ? { expiresAtMs: dayBoundsMs(day).endMs } : {}),
    };
    confirmFacts(
      modal,
      '确认开卡',
      [
        ['学工号', body.personNo ?? ''],
        ['姓名', body.name ?? ''],
        ['身份', personTypeText[body.type ?? ''] ?? ''],
        ['院系', body.department ?? '—'],
        ['身份证号', body.idNumber ?? ''],
        ['有效期', expiresOn ? `至 ${expiresOn}（当日 24:00 起停用）` : '长期'],
      ],
      async () => {
        try {
          const card = await api<Card>('POST', '/cards', body);
          message.success(`已开卡，卡号 ${card.cardNo}`);
          setOpen(false);
          onOpened(card.cardNo);
        } catch (e) {
          message.error(describeError(e));
        }
      },
    );
  };
  return (
    <>
      <Button
        onClick={() => {
          form.resetFields();
          setOpen(true);
        }}
      >
        手工开卡
      </Button>
      <Modal
        open={open}
        title="手工开卡"
        okText="下一步"
        cancelText="取消"
        onOk={submit}
        onCancel={() => setOpen(false)}
      >
        <Form form={form} layout="vertical" initialValues={{ type: 'staff' }}>
          <Form.Item
            label="学工号"
            name="personNo"
            rules={[{ required: true, pattern: personNoPattern, message: '学工号为 4–32 位字母或数字' }]}
          >
            <Input maxLength={32} />
          </Form.Item>
          <Form.Item
            label="姓名"
            name="name"
            rules={[{ required: true, whitespace: true, message: '请填写姓名' }]}
          >
            <Input maxLength={64} />
          </Form.Item>
          <Form.Item label="身份" name="type">
            <Select
              aria-label="身份"
              options={Object.entries(personTypeText).map(([value, label]) => ({ value, label }))}
            />
          </Form.Item>
          <Form.Item label="院系或部门" name="department">
            <Input maxLength={64} />
          </Form.Item>
          <Form.Item
            label="身份证号"
            name="idNumber"
            rules={[
              { required: true, pattern: idNumberPattern, message: '身份证号为 18 位（最后一位可为 X）' },
            ]}
          >
            <Input maxLength={18} />
          </Form.Item>
          <Form.Item
            label="手机号（可不填）"
            name="phone"
            rules={[{ pattern: /^1\d{10}$/, message: '手机号为 1 开头的 11 位数字' }]}
          >
            <Input maxLength={11} inputMode="numeric" />
          </Form.Item>
          <Form.Item
            label={type === 'visitor' ? '有效期至' : '有效期至（临时卡填写，长期卡不填）'}
            name="expiresOn"
            rules={[{ required: type === 'visitor', message: '访客卡须填写有效期' }]}
          >
            <DatePicker
              format="YYYY-MM-DD"
              placeholder="选择日期"
              disabledDate={(d: Dayjs) => d.format('YYYY-MM-DD') < shanghaiToday()}
            />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

/** 重置密码 and 修改限额 on a card's page. */
export function CardDeskButtons({ card, onChanged }: { card: Card; onChanged: () => Promise<void> }) {
  const { message, modal } = App.useApp();
  const [dialog, setDialog] = useState<null | 'pin' | 'limits'>(null);
  const [form] = Form.useForm();
  const show = (d: 'pin' | 'limits') => {
    form.resetFields();
    if (d === 'limits')
      form.setFieldsValue({
        dailyLimit: (card.dailyLimit / 100).toFixed(2),
        pinFreeLimit: (card.pinFreeLimit / 100).toFixed(2),
      });
    setDialog(d);
  };
  const done = async (text: string) => {
    message.success(text);
    setDialog(null);
    await onChanged();
  };
  const submit = async () => {
    const v = (await form.validateFields()) as Record<string, string>;
    const who = `${card.name}（${card.cardNo}）`;
    if (dialog === 'pin')
      confirmFacts(
        modal,
        '确认重置支付密码',
        [
          ['持卡人', who],
          ['核验身份证号', v.idNumber?.toUpperCase() ?? ''],
        ],
        async () => {
          try {
            await api('POST', `/cards/${card.cardNo}/pin-reset`, {
              idNumber: v.idNumber?.toUpperCase(),
              pin: v.pin,
            });
            await done('密码已重置');
          } catch (e) {
            message.error(describeError(e));
          }
        },
      );
    else {
      const dailyLimit = fenOf(v.dailyLimit, limitRule);
      const pinFreeLimit = fenOf(v.pinFreeLimit, limitRule);
      if (pinFreeLimit > dailyLimit) {
        form.setFields([{ name: 'pinFreeLimit', errors: ['免密支付限额不能高于日限额'] }]);
        return;
      }
      confirmMoney(modal, {
        title: '确认修改限额',
        amountFen: dailyLimit,
        amountLabel: '日限额',
        details: [
          ['持卡人', who],
          ['免密限额', `${yuan(pinFreeLimit)}（${amountInWords(pinFreeLimit)}）`],
          ['原限额', `日限额 ${yuan(card.dailyLimit)}，免密 ${yuan(card.pinFreeLimit)}`],
        ],
        okText: '确认修改',
        onOk: async () => {
          try {
            await api('PUT', `/cards/${card.cardNo}/limits`, { dailyLimit, pinFreeLimit });
            await done('限额已修改');
          } catch (e) {
            message.error(describeError(e));
          }
        },
      });
    }
  };
  return (
    <>
      <Button onClick={() => show('pin')}>重置密码</Button>
      <Button onClick={() => show('limits')}>修改限额</Button>
      <Modal
        open={dialog !== null}
        title={dialog === 'pin' ? `重置支付密码 · ${card.name}` : `修改限额 · ${card.name}`}
        okText="下一步"
        cancelText="取消"
        onOk={submit}
        onCancel={() => setDialog(null)}
      >
        <Form form={form} layout="vertical">
          {dialog === 'pin' ? (
            <>
              <p>请核对持卡人出示的身份证，输入其身份证号；由持卡人本人输入新密码。</p>
              <Form.Item
                label="身份证号"
                name="idNumber"
                rules={[
                  { required: true, pattern: idNumberPattern, message: '身份证号为 18 位（最后一位可为 X）' },
                ]}
              >
                <Input maxLength={18} autoComplete="off" />
              </Form.Item>
              <Form.Item
                label="新密码"
                name="pin"
                rules={[{ required: true, pattern: sixDigitsPattern, message: '密码为 6 位数字' }]}
              >
                <Input.Password maxLength={6} inputMode="numeric" autoComplete="new-password" />
              </Form.Item>
              <Form.Item
                label="再次输入新密码"
                name="pinAgain"
                dependencies={['pin']}
                rules={[
                  { required: true, message: '请再次输入新密码' },
                  ({ getFieldValue }) => ({
                    validator: async (_, value) => {
                      if (value && value !== getFieldValue('pin')) throw new Error('两次输入的密码不一致');
                    },
                  }),
                ]}
              >
                <Input.Password maxLength={6} inputMode="numeric" autoComplete="new-password" />
              </Form.Item>
            </>
          ) : (
            <>
              <MoneyField name="dailyLimit" label="日限额（元）" rule={limitRule} testId="daily-limit" />
              <MoneyField
                name="pinFreeLimit"
                label="免密支付限额（元）"
                rule={limitRule}
                testId="pin-free-limit"
              />
            </>
          )}
        </Form>
      </Modal>
    </>
  );
}
