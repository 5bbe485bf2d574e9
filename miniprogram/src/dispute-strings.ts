// The words of 消费纠错 (disputing a payment), kept apart from strings.ts like bus-strings.ts.
import type { DisputeReason, DisputeStatus } from '@campus-card/core/contract';

export const disputeStrings = {
  title: '消费纠错',
  open: '消费有误？申请纠错',
  intro: (amount: string) => `对这笔 ${amount} 的消费申请纠错，卡务中心核实后会退款或答复原因。`,
  reasonLabel: '纠错原因',
  noteLabel: '补充说明（选填）',
  notePlaceholder: '例如：只买了一份，扣了两份的钱',
  submit: '提交纠错申请',
  submitting: '正在提交…',
  confirmTitle: '确认提交',
  confirm: (amount: string, reason: string) => `对 ${amount} 的消费申请纠错（${reason}）？`,
  submitted: '已提交，请等待卡务中心处理',
  cancel: '取消',
  chooseReason: '请选择纠错原因',
  stateLabel: '纠错进度',
  refundLabel: '纠错退款',
  answerLabel: '处理说明',
  reasons: {
    wrong_amount: '金额不对',
    charged_twice: '重复扣款',
    not_mine: '不是我消费的',
    not_received: '没有拿到商品或服务',
    other: '其他',
  } satisfies Record<DisputeReason, string>,
  statuses: {
    open: '处理中',
    refunding: '退款中',
    accepted: '已退款',
    rejected: '未通过',
  } satisfies Record<DisputeStatus, string>,
  errors: {
    DISPUTE_ALREADY_OPEN: '这笔消费已有纠错申请在处理中',
    DISPUTE_NOT_FOUND: '没有找到这条纠错申请',
    DISPUTE_DECIDED: '这条纠错申请已处理',
    PAYMENT_NOT_FOUND: '没有找到这笔消费',
    REFUND_EXCEEDS_PAYMENT: '这笔消费已全额退款',
  },
};

export const disputeReasonOrder: readonly DisputeReason[] = [
  'wrong_amount',
  'charged_twice',
  'not_mine',
  'not_received',
  'other',
];
