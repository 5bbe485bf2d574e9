import type { DisputeReason, DisputeStatus } from '@campus-card/core/contract';
import { describeError } from '../../strings.ts';

/** The backoffice's 消费纠错 page (#19): disputes students opened on their payments. */
export const disputeText = {
  menu: '消费纠错',
  title: '消费纠错',
  intro:
    '学生对某笔消费提出纠错后，由卡务中心代商户核实：同意则原路退回卡内（不超过该笔消费尚未退还的金额），驳回须说明原因，学生在账单详情里可见处理结果。',
  allStatuses: '全部',
  status: {
    open: '待处理',
    refunding: '退款中',
    accepted: '已退款',
    rejected: '已驳回',
  } satisfies Record<DisputeStatus, string>,
  statusColor: { open: 'orange', refunding: 'blue', accepted: 'green', rejected: 'default' } satisfies Record<
    DisputeStatus,
    string
  >,
  reason: {
    wrong_amount: '金额不对',
    charged_twice: '重复扣款',
    not_mine: '不是本人消费',
    not_received: '没有拿到商品或服务',
    other: '其他',
  } satisfies Record<DisputeReason, string>,
  createdAt: '申请时间',
  holder: '持卡人',
  cardNo: '校园卡号',
  merchant: '商户',
  paymentAmount: '消费金额',
  reasonLabel: '纠错原因',
  note: '学生说明',
  outcome: '处理结果',
  decidedBy: '处理人',
  actions: '操作',
  accept: '同意退款',
  reject: '驳回',
  acceptTitle: '同意纠错并退款',
  rejectTitle: '驳回纠错申请',
  refundAmount: '退款金额（元）',
  refundLabel: '退款金额',
  acceptNote: '处理说明（选填，学生可见）',
  rejectReason: '驳回原因（学生可见）',
  rejectReasonRequired: '请填写驳回原因',
  confirmAccept: '确认退款',
  confirmReject: '确认驳回',
  acceptHint: (amount: string) => `将从商户账户退回 ${amount} 到学生卡内，同一纠错只会退款一次。`,
  refunded: (amount: string) => `已退款 ${amount}`,
  accepted: (amount: string) => `已同意纠错，退款 ${amount} 已到学生卡内`,
  rejected: '已驳回，学生可在账单详情中看到原因',
  errors: {
    DISPUTE_ALREADY_OPEN: '这笔消费已有纠错申请在处理中',
    DISPUTE_DECIDED: '该纠错申请已由他人处理，请刷新',
    DISPUTE_NOT_FOUND: '纠错申请不存在',
    REFUND_EXCEEDS_PAYMENT: '退款超过了该笔消费尚未退还的金额',
    CARD_CANCELLED: '该卡已注销，无法退回卡内，请驳回并说明线下办理',
  } as Record<string, string>,
};

export function describeDisputeError(error: unknown): string {
  const code = (error as { code?: string }).code;
  return (code && disputeText.errors[code]) || describeError(error);
}
