import { Form, Input } from 'antd';
import type { Rule } from 'antd/es/form';
import { amountInWords, type MoneyRule, parseYuan } from './money.ts';

/**
 * The one money input of the backoffice: yuan typed as text, checked as typed (negative, zero, more
 * than two decimals, above the maximum and non-numbers are refused with the reason, never clamped or
 * rounded as an InputNumber's min/max would), with the amount in capital numerals under it. Read the
 * value with fenOf(values[name], rule) after validateFields.
 */
export function MoneyField({
  name,
  label,
  rule,
  testId,
}: {
  name: string;
  label: string;
  rule: MoneyRule;
  testId?: string;
}) {
  const form = Form.useFormInstance();
  const text = Form.useWatch(name, form) as string | undefined;
  const parsed = text ? parseYuan(text, rule) : undefined;
  const rules: Rule[] = [
    {
      validator: async (_, value) => {
        const p = parseYuan(value, rule);
        if ('error' in p) throw new Error(p.error);
      },
    },
  ];
  return (
    <Form.Item
      label={label}
      name={name}
      rules={rules}
      validateTrigger={['onChange', 'onBlur']}
      extra={
        parsed && 'fen' in parsed ? (
          <span data-testid="money-words">大写：{amountInWords(parsed.fen)}</span>
        ) : null
      }
    >
      <Input prefix="¥" inputMode="decimal" autoComplete="off" data-testid={testId} />
    </Form.Item>
  );
}

/** The fen of a value MoneyField has validated; throws if it is not valid (a caller that skipped validation). */
export function fenOf(text: unknown, rule: MoneyRule): number {
  const p = parseYuan(text, rule);
  if ('error' in p) throw new RangeError(p.error);
  return p.fen;
}
