import { describeError } from '../../strings/errors.ts';

/** The backoffice words of fees, dorm electricity and the network fee (#16). */
export const campusPayText = {
  menu: '缴费与水电网',
  tabs: { fees: '缴费项目', electricity: '电费订单', network: '网费订单' },
  category: {
    tuition: '学费',
    accommodation: '住宿费',
    exam: '考试报名费',
    textbook: '教材费',
    makeup_exam: '补考费',
    certificate: '证书费',
    other: '其他',
  } as Record<string, string>,
  code: '项目编号',
  name: '项目名称',
  categoryLabel: '类别',
  dueDay: '截止日期',
  bills: '应缴人数',
  paidBills: '已缴清',
  progress: '收缴进度',
  amountDue: '应收(元)',
  amountPaid: '实收(元)',
  export: '导出',
  remind: '催缴',
  reminded: (n: number) => `已向 ${n} 人发送缴费提醒`,
  importTitle: '导入缴费名单（CSV）',
  importHint: '每行：项目编号,项目名称,类别,学号,金额(元),截止日期,允许分期(是/否)；同一编号为同一项目。',
  importButton: '导入',
  pull: '从财务系统同步',
  pulled: (n: number) => `已从财务系统新增 ${n} 个项目`,
  imported: (items: number, bills: number) => `已导入 ${items} 个项目，共 ${bills} 人`,
  refundTitle: '缴费退款',
  paymentId: '支付单号',
  amount: '退款金额（元）',
  reason: '退款原因',
  refundButton: '退款',
  refundConfirm: '确认缴费退款',
  amountLabel: '退款金额',
  itemLabel: '缴费项目',
  refundable: '可退金额',
  refundTo: '退回至',
  refundTarget: {
    card: '付款人的校园卡',
    wechat: '原路退回付款人的微信支付',
    alipay: '原路退回付款人的支付宝',
  } as Record<string, string>,
  /** ALREADY_EXISTS of a refund: one payment paid by WeChat Pay or Alipay has one refund to its platform. */
  refundExists: '这笔缴费已有一笔原路退款，不能再次退款',
  platformNote: '这笔费用由付款人直接用微信支付或支付宝缴纳，退款将原路退回，每笔缴费只能原路退款一次。',
  refundOutcome: (channel: string, status: string) =>
    channel === 'card'
      ? '已退回付款人的校园卡'
      : status === 'done'
        ? `已原路退回${channel === 'wechat' ? '微信支付' : '支付宝'}`
        : `已向${channel === 'wechat' ? '微信支付' : '支付宝'}提交退款，到账后自动完成`,
  refundRefused: (channel: string) =>
    `${channel === 'wechat' ? '微信支付' : channel === 'alipay' ? '支付宝' : '系统'}拒绝了这笔退款，缴费与账单均未改变`,
  receipt: '查看收据',
  receiptTitle: '缴费收据',
  receiptNo: '收据号',
  personNo: '学号',
  payer: '姓名',
  paidAt: '缴费时间',
  amountWords: '大写',
  channel: { card: '校园卡', wechat: '微信支付', alipay: '支付宝' } as Record<string, string>,
  channelLabel: '支付方式',
  chartTitle: '各项目收缴进度',
  orders: {
    target: { electricity: '房间', network: '上网账号' } as Record<string, string>,
    amount: '金额',
    status: '状态',
    createdAt: '下单时间',
    reconcile: '立即对账',
    reconciled: (n: number) => `已处理 ${n} 笔待确认订单`,
    statuses: {
      created: '下单中',
      held: '待确认（已冻结）',
      credited: '已到账待扣款',
      completed: '已完成',
      refused: '卡内拒绝',
      failed: '已退回',
      exception: '异常待核对',
    } as Record<string, string>,
  },
  errors: {
    FEE_ITEM_NOT_FOUND: '没有这个缴费项目',
    FEE_REFUND_EXCEEDS_PAID: '退款超过了这笔缴费尚未退还的金额',
    ALREADY_EXISTS: '这个项目编号已经存在',
    UTILITY_UNAVAILABLE: '电控或网费系统暂时无法连接',
    VALIDATION_FAILED: '内容不正确，请检查后再试',
    NOT_FOUND: '没有找到这笔已缴费用',
    // A refund refused by state (e.g. a platform refund that was refused, asked again under its number).
    INVALID_TRANSITION: '这笔缴费当前不能退款',
  } as Record<string, string>,
};

export function describePayError(error: unknown): string {
  const code = (error as { code?: string }).code;
  return (code && campusPayText.errors[code]) || describeError(error);
}
