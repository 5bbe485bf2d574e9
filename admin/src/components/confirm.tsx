import type { App } from 'antd';
import { Descriptions } from 'antd';
import type { ReactNode } from 'react';
import { yuan } from '../api.ts';
import { amountInWords } from './money.ts';

type ModalApi = ReturnType<typeof App.useApp>['modal'];

/**
 * The one confirmation before an action that moves money or stops it moving: the amount in figures
 * and in capital numerals (大写), what it is, and 确认/取消. `onOk` runs only after 确认; the dialog
 * waits for it and closes (errors are the caller's to show).
 */
export function confirmMoney(
  modal: ModalApi,
  options: {
    title: string;
    /** The amount in fen; omit for an action without one (disabling a merchant). */
    amountFen?: number;
    /** Label of the amount line, 金额 unless given. */
    amountLabel?: string;
    details?: [string, ReactNode][];
    note?: ReactNode;
    okText?: string;
    danger?: boolean;
    onOk: () => Promise<unknown>;
  },
): void {
  const rows: [string, ReactNode][] = [];
  if (options.amountFen !== undefined) {
    rows.push([options.amountLabel ?? '金额', <strong key="a">{yuan(options.amountFen)}</strong>]);
    rows.push([
      '大写',
      <span key="w" data-testid="confirm-words">
        {amountInWords(options.amountFen)}
      </span>,
    ]);
  }
  rows.push(...(options.details ?? []));
  modal.confirm({
    title: options.title,
    width: 480,
    okText: options.okText ?? '确认',
    cancelText: '取消',
    okButtonProps: { danger: options.danger ?? false },
    content: (
      <div data-testid="money-confirm">
        {rows.length ? (
          <Descriptions
            size="small"
            column={1}
            bordered
            style={{ margin: '12px 0' }}
            items={rows.map(([label, children]) => ({ key: label, label, children }))}
          />
        ) : null}
        {options.note ? <div>{options.note}</div> : null}
      </div>
    ),
    onOk: async () => {
      await options.onOk();
    },
  });
}
