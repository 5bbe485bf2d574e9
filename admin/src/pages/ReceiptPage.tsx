import { type Receipt, when, yuan } from '../api.ts';
import { PrintedSlip } from '../components/PrintedSlip.tsx';

/** The cash-desk receipt, laid out for a narrow receipt printer; the button prints it. */
export function ReceiptPage() {
  const raw = sessionStorage.getItem('cc-admin-receipt');
  if (!raw) return <p style={{ padding: 24 }}>没有可打印的收据。</p>;
  const r = JSON.parse(raw) as Receipt;
  return (
    <PrintedSlip
      title="校园一卡通 现金充值收据"
      testId="receipt"
      rows={[
        ['姓名', r.name],
        ['学工号', r.personNo],
        ['卡号', r.cardNo],
        ['充值金额', yuan(r.amount)],
        ['充值后余额', yuan(r.balanceAfter)],
        ['时间', when(r.atMs)],
        ['经办人', r.operator],
        ['流水号', r.operationId],
      ]}
      footer={<p style={{ textAlign: 'center' }}>请妥善保管本收据</p>}
    />
  );
}
