import { Button } from 'antd';
import type { ReactNode } from 'react';

/**
 * A slip laid out for the card centre's narrow receipt printer (the cash top-up receipt, the refund
 * payout slip): a title, label–value rows, a footer; the button prints it and is not printed.
 */
export function PrintedSlip({
  title,
  rows,
  footer,
  testId,
}: {
  title: string;
  rows: readonly (readonly [string, string])[];
  footer: ReactNode;
  testId: string;
}) {
  return (
    <div
      style={{ width: 300, margin: '24px auto', fontFamily: 'monospace', fontSize: 14 }}
      data-testid={testId}
    >
      <h3 style={{ textAlign: 'center' }}>{title}</h3>
      <hr />
      {rows.map(([label, value]) => (
        <div key={label} style={{ display: 'flex', justifyContent: 'space-between', margin: '6px 0' }}>
          <span style={{ whiteSpace: 'nowrap', marginRight: 12 }}>{label}</span>
          <span style={{ wordBreak: 'break-all', textAlign: 'right' }}>{value}</span>
        </div>
      ))}
      <hr />
      {footer}
      <Button className="no-print" block onClick={() => window.print()}>
        打印
      </Button>
      <style>{'@media print { .no-print { display: none; } }'}</style>
    </div>
  );
}
