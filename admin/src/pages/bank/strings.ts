import { describeError } from '../../strings.ts';

/** The backoffice's 圈存与自助机 page (docs/funds.md § Bank, § Kiosk cash). */
export const bankText = {
  menu: '圈存与自助机',
  tabs: { transfers: '圈存记录', mismatches: '对账差异', boxes: '自助机钱箱', collections: '清点记录' },
  allStatuses: '全部状态',
  status: {
    pending: '处理中',
    uncertain: '冲正中',
    confirmed: '银行已扣款',
    credited: '已到账',
    unapplied: '待处理（未入账）',
    failed: '失败',
    reversed: '已冲正',
  } as Record<string, string>,
  direction: { load: '圈存', payout: '退款到卡' } as Record<string, string>,
  origin: { app: '手机', auto: '自动', kiosk: '自助机', refund: '离校退款' } as Record<string, string>,
  transferId: '流水号',
  cardNo: '校园卡号',
  amount: '金额',
  stateLabel: '状态',
  serial: '银行流水',
  failure: '原因',
  createdAt: '时间',
  resolve: '立即处理未决交易',
  resolved: (settled: number, left: number) => `已处理 ${settled} 笔，仍待银行答复 ${left} 笔`,
  reconcile: '对账',
  reconcileDate: '对账日期',
  reconciled: (checked: number, mismatches: number, confirmed: number) =>
    `银行对账单 ${checked} 笔，差异 ${mismatches} 条，补记到账 ${confirmed} 笔`,
  billDate: '日期',
  kind: {
    missing_ours: '银行有、本系统无',
    missing_theirs: '本系统已到账、银行无',
    amount_differs: '金额不符',
    state_differs: '状态不符',
  } as Record<string, string>,
  ours: '本系统',
  theirs: '银行',
  device: '自助机',
  openAmount: '箱内应有',
  openNotes: '张数',
  lastCollected: '上次清点',
  collect: '清点',
  collectTitle: (device: string) => `清点自助机 ${device} 钱箱`,
  counted: '清点金额（元）',
  note: '备注',
  collectConfirm: '确认清点结果',
  expected: '应有',
  difference: '差额',
  collectedAt: '清点时间',
  collector: '清点人',
  collection: { balanced: '相符', discrepancy: '异常', resolved: '已处理' } as Record<string, string>,
  done: '已记录',
  never: '从未',
  errors: {
    BANK_UNAVAILABLE: '银行前置无应答，请稍后再试',
  } as Record<string, string>,
};

export function describeBankError(error: unknown): string {
  const code = (error as { code?: string }).code;
  return (code && bankText.errors[code]) || describeError(error);
}
