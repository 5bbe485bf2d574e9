// The 消息设置 page's words (docs/messages.md), apart from strings.ts so this page lands without
// touching other sections.
export const messageStrings = {
  title: '消息设置',
  entry: '消息设置',
  intro: '小程序关闭时，以下消息会通过微信服务通知（或支付宝消息、短信）送达。',
  kinds: {
    receipt: '消费与充值凭证',
    low_balance: '余额不足提醒',
    card_status: '挂失、冻结变动（他人操作时）',
    statement: '月度账单',
    news: '重要通知',
    hold_released: '预授权释放',
    attendance_week: '每周考勤汇总',
  } as Record<string, string>,
  receiptsHint: '凭证通知默认关闭，开启后每笔消费和充值都会通知你。',
  lowBalance: '余额低于此金额时提醒（元，留空则不提醒）',
  lowBalancePlaceholder: '例如 20',
  lowBalanceInvalid: '请填写大于 0 的金额，最多两位小数',
  quiet: '免打扰时段',
  quietOn: '开启免打扰',
  quietFrom: '开始',
  quietTo: '结束',
  quietHint: '免打扰时段内的消息会在结束后送达。',
  save: '保存设置',
  saved: '已保存',
  consentHint: '微信、支付宝要求每条服务通知都经你同意，保存后会请你授权。',
};
