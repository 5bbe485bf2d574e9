// The Chinese label of every code the BFF sends (operation kinds, channels, device kinds, hold and
// record results, refusal reasons), in one place. A page never shows a code itself: an unknown code
// reads as the table's fallback, never as the English word or id that came over the wire.

type Table = Readonly<Record<string, string>>;

/** What a bill line is. A settled shower or laundry run is spending (消费); its hold was only 预授权. */
export const transactionKindLabels: Table = {
  payment: '消费',
  top_up: '充值',
  subsidy: '补贴',
  refund: '退款',
  hold: '预授权',
  post: '消费',
  void: '预授权撤销',
  expire: '消费',
  adjustment: '调账',
  close_out: '销户退款',
  subsidy_clear: '补贴清零',
};

/** How a top-up was paid. */
export const topUpChannelLabels: Table = {
  wechat: '微信支付',
  alipay: '支付宝',
  cash: '现金（卡务中心）',
  bank: '银行转账',
};

/** The kind of terminal an operation came from (devices have no name of their own yet). */
export const deviceKindLabels: Table = {
  pos: '收银机',
  gate: '门禁闸机',
  attendance: '考勤机',
  shower: '淋浴水控',
  laundry: '洗衣机',
  kiosk: '自助终端',
};

/** Where a hold stands. */
export const holdStatusLabels: Table = {
  pending: '预授权中，结束后按实际用量扣款',
  posted: '已结算',
  voided: '已撤销，金额已全部解冻',
  expired: '超时结算',
};

/** A shower or laundry run's state on the showers page. */
export const meterStatusLabels: Table = {
  running: '进行中',
  posted: '已结束',
  voided: '已撤销',
  expired: '超时结束',
};

export const meterKindLabels: Table = { shower: '洗浴', laundry: '洗衣', other: '其他' };

/** An attendance sign-in, by the session's kind. */
export const attendanceKindLabels: Table = {
  class: '课堂签到',
  exam: '考试签到',
  meeting: '会议签到',
};

/** A gate or door check. */
export const accessResultLabels: Table = { allowed: '已通行', denied: '未通过' };
export const accessDirectionLabels: Table = { in: '进入', out: '离开', none: '' };

/** Why a gate, a POS or a meter refused (the device protocol's reasons). */
export const refusalLabels: Table = {
  INSUFFICIENT_FUNDS: '余额不足',
  BELOW_MIN_BALANCE: '余额低于最低使用金额',
  CARD_LOST: '卡片已挂失',
  CARD_FROZEN: '卡片已冻结',
  CARD_CANCELLED: '卡片已注销',
  CARD_NOT_FOUND: '卡片不存在',
  CREDENTIAL_REVOKED: '付款码已失效',
  CODE_INVALID: '付款码无效',
  CODE_EXPIRED: '付款码已过期',
  CODE_REPLAYED: '付款码已使用',
  LIMIT_EXCEEDED: '超出限额',
  PIN_REQUIRED: '需要支付密码',
  PIN_INVALID: '支付密码错误',
  REPEAT_TOO_SOON: '重复刷码过快',
  OUTSIDE_WINDOW: '不在开放时间',
  MERCHANT_DISABLED: '商户已停用',
  AMOUNT_OUT_OF_RANGE: '金额超出范围',
  NOT_PERMITTED: '无通行权限',
  DEVICE_BUSY: '设备正在使用中',
  SERVICE_UNAVAILABLE: '服务暂不可用',
};

/** The label of `code` in `table`, or `fallback` (never the code itself). */
export function labelOf(table: Table, code: string | null | undefined, fallback = ''): string {
  return code === null || code === undefined ? fallback : (table[code] ?? fallback);
}

/**
 * A card change as the holder's 消息 reads it (card_events.kind): what happened, not only the status it
 * left, so binding the app does not read as "状态变为正常".
 */
export const cardChangeLabels: Table = {
  opened: '卡片已开通',
  bound: '已在本机绑定校园卡',
  unbound: '已解除绑定',
  report_loss: '卡片已挂失',
  cancel_loss: '已解除挂失',
  loss_cancelled: '已解除挂失',
  freeze: '卡片已冻结',
  unfreeze: '卡片已解冻',
  reissue: '已补办新卡',
  expired: '卡片已到期停用',
  cancelled: '卡片已注销',
  pin_set: '支付密码已设置',
  pin_reset: '支付密码已重置',
  pin_step_up: '检测到异常消费，下一笔需输入支付密码',
  pin_step_up_cleared: '已输入支付密码，验证解除',
};

/** Who made a card change, when not the holder: 家长, 卡务中心 … */
export const cardChangeActorLabels: Table = {
  parent: '家长',
  admin: '卡务中心',
  system: '系统',
  device: '终端',
};

/** The words of the bill list and bill detail that name these codes' meaning. */
export const billWords = {
  holdTag: '预授权',
  pendingHoldNote: '使用中，结束后按实际用量扣款，不计入支出',
  kind: '交易类型',
  channel: '充值方式',
  device: '消费终端',
  merchant: '商户',
  held: '预授权金额',
  charged: '实际扣款',
  released: '已解冻退回',
  holdState: '状态',
  paidFrom: '扣款钱包',
  creditedTo: '入账钱包',
  mainWallet: '主钱包',
  subsidyWallet: '补贴钱包',
} as const;

/** The lesson player's words. */
export const lessonWords = {
  videoFailed: '视频暂时无法播放：文件不存在或网络异常。请稍后重试，或返回课程列表。',
  backToList: '返回课程列表',
} as const;
