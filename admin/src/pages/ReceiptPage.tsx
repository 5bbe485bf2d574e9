import { Button } from 'antd';
import { type Receipt, when, yuan } from '../api.ts';

/** The cash-desk receipt, laid out for a narrow receipt printer; the button prints it. */
export function ReceiptPage() {
  const raw = sessionStorage.getItem('cc-admin-receipt');
  if (!raw) return <p style={{ padding: 24 }}>没有可打印的收据。</p>;
  const r = JSON.parse(raw) as Receipt;
  const row = (label: string, value: string) => (
    <div style={{ display: 'flex', justifyContent: 'space-between', margin: '6px 0' }}>
      <span style={{ whiteSpace: 'nowrap', marginRight: 12 }}>{label}</span>
      <span style={{ wordBreak: 'break-all', textAlign: 'right' }}>{value}</span>
    </div>
  );
  return (
    <div
      style={{ width: 300, margin: '24px auto', fontFamily: 'monospace', fontSize: 14 }}
      data-testid="receipt"
    >
      <h3 style={{ textAlign: 'center' }}>校园一卡通 现金充值收据</h3>
      <hr />
      {row('姓名', r.name)}
      {row('学工号', r.personNo)}
      {row('卡号', r.cardNo)}
      {row('充值金额', yuan(r.amount))}
      {row('充值后余额', yuan(r.balanceAfter))}
      {row('时间', when(r.atMs))}
      {row('经办人', r.operator)}
      {row('流水号', r.operationId)}
      <hr />
      <p style={{ textAlign: 'center' }}>请妥善保管本收据</p>
      <Button className="no-print" block onClick={() => window.print()}>
        打印
      </Button>
      <style>{'@media print { .no-print { display: none; } }'}</style>
    </div>
  );
}
