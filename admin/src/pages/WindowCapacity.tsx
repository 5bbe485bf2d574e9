import {
  type WindowCapacity,
  windowCapacityDefault,
  windowCapacityMax,
  windowCapacityMin,
} from '@campus-card/core/contract/insight';
import { App, Button, Form, InputNumber, Modal, Space, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { describeError } from '../strings/errors.ts';

/** 窗口容量 on the merchants page (#17): the canteen card's 空闲/适中/繁忙/拥挤 are the forecast against it. */
const text = {
  column: '窗口容量',
  unit: (n: number) => `${n} 笔/15分钟`,
  defaultValue: (n: number) => `默认（${n} 笔/15分钟）`,
  edit: '设置',
  title: (name: string) => `设置窗口容量：${name}`,
  label: '每 15 分钟可接待的刷卡笔数',
  hint: `小程序「食堂人流」按预测笔数与容量之比显示：不到 40% 空闲，不到 75% 适中，不到 100% 繁忙，达到或超过容量为拥挤。不设置时按 ${windowCapacityDefault} 笔计算。`,
  required: `请输入 ${windowCapacityMin}–${windowCapacityMax} 之间的整数`,
  save: '保存',
  reset: '恢复默认',
  saved: '已保存',
};

/** The capacities set (by merchant id) and a reload; read with merchant.read. */
export function useWindowCapacities(enabled: boolean) {
  const [capacities, setCapacities] = useState<Map<string, number>>(new Map());
  const load = useCallback(() => {
    if (!enabled) return;
    api<{ items: WindowCapacity[] }>('GET', '/window-capacities').then(
      (r) => setCapacities(new Map(r.items.map((c) => [c.merchantId, c.paymentsPer15Min]))),
      () => setCapacities(new Map()),
    );
  }, [enabled]);
  useEffect(load, [load]);
  return { capacities, reload: load };
}

/** A canteen window's capacity, with 设置 for merchant.manage (1–1,000, or back to the default). */
export function WindowCapacityCell({
  merchant,
  value,
  manage,
  onSaved,
}: {
  merchant: { id: string; name: string };
  value: number | undefined;
  manage: boolean;
  onSaved: () => void;
}) {
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm<{ paymentsPer15Min: number }>();
  const save = async (paymentsPer15Min: number | null) => {
    setError(null);
    try {
      await api('PUT', `/window-capacities/${encodeURIComponent(merchant.id)}`, { paymentsPer15Min });
      setOpen(false);
      void message.success(text.saved);
      onSaved();
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <Space>
      <span>{value === undefined ? text.defaultValue(windowCapacityDefault) : text.unit(value)}</span>
      {manage ? (
        <Button
          size="small"
          aria-label={`${text.edit}${text.column}`}
          onClick={() => {
            form.setFieldsValue({ paymentsPer15Min: value ?? windowCapacityDefault });
            setOpen(true);
          }}
        >
          {text.edit}
        </Button>
      ) : null}
      <Modal
        open={open}
        title={text.title(merchant.name)}
        onCancel={() => setOpen(false)}
        footer={[
          <Button key="reset" onClick={() => void save(null)}>
            {text.reset}
          </Button>,
          <Button
            key="save"
            type="primary"
            onClick={async () => {
              const { paymentsPer15Min } = await form.validateFields();
              await save(paymentsPer15Min);
            }}
          >
            {text.save}
          </Button>,
        ]}
      >
        <Typography.Paragraph type="secondary">{text.hint}</Typography.Paragraph>
        {/* No min/max on the field: a value out of bounds is said in words, not silently clamped. */}
        <Form form={form} layout="vertical">
          <Form.Item
            name="paymentsPer15Min"
            label={text.label}
            rules={[
              {
                required: true,
                type: 'integer',
                min: windowCapacityMin,
                max: windowCapacityMax,
                message: text.required,
              },
            ]}
          >
            <InputNumber precision={0} style={{ width: 200 }} />
          </Form.Item>
        </Form>
        {error ? <Typography.Text type="danger">{error}</Typography.Text> : null}
      </Modal>
    </Space>
  );
}

export const windowCapacityColumnTitle = text.column;
