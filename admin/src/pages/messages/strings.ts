// The 消息推送 page's words (docs/messages.md); channel, kind, state and error codes never reach the screen.
export const messageText = {
  menu: '消息推送',
  title: '站外消息投递统计',
  daysLabel: '统计范围',
  days: (n: number) => `近 ${n} 天`,
  chartTitle: '每日投递量（按状态）',
  byChannelKind: '按渠道与消息类型汇总',
  failures: '最近未送达的消息',
  none: '暂无数据',
  total: '合计',
  columns: {
    day: '日期',
    channel: '渠道',
    kind: '消息类型',
    status: '状态',
    count: '条数',
    reason: '原因',
    attempts: '尝试次数',
    at: '时间',
  },
  channel: { wechat: '微信订阅消息', alipay: '支付宝模板消息', sms: '短信' } as Record<string, string>,
  kind: {
    receipt: '消费/充值凭证',
    low_balance: '余额不足',
    card_status: '挂失/冻结',
    statement: '月度账单',
    news: '重要通知',
    hold_released: '预授权释放',
    attendance_week: '每周考勤',
    spending_alert: '异常消费（家长）',
    theft_alert: '异常消费（本人）',
  } as Record<string, string>,
  status: {
    pending: '待发送',
    claimed: '发送中',
    sending: '发送中',
    sent: '已送达',
    refused: '被拒收',
    failed: '重试后失败',
    skipped: '未发送',
    unknown: '结果未知',
  } as Record<string, string>,
  /** Why a message did not arrive, by the outbox's code; prefixes for the platforms' own codes. */
  reason: {
    opted_out: '用户已关闭此类消息',
    not_opted_in: '用户未开启凭证通知',
    no_consent: '用户未授权订阅',
    no_target: '用户未绑定该渠道',
    channel_off: '渠道未开启',
    quiet_hours: '免打扰时段',
    worker_stopped_while_sending: '发送中服务中断，结果未知',
    no_trusted_answer: '平台应答无法验证，结果未知',
    no_answer: '平台无应答，结果未知',
    unreadable_answer: '平台应答无法读取，结果未知',
    unreachable: '无法连接平台',
    http_status: '平台服务异常',
  } as Record<string, string>,
  reasonByPrefix: [
    ['wechat_43101', '用户拒收'],
    ['wechat_', '微信平台拒绝'],
    ['alipay_', '支付宝平台拒绝'],
    ['sms_report_', '运营商回执：短信未送达'],
    ['sms_', '短信平台拒绝'],
    ['http_', '平台服务异常'],
  ] as [string, string][],
  otherReason: '其他原因',
};

/** A delivery's reason in words: a known code, else its platform's, else 其他原因. */
export function reasonText(code: string | null): string {
  if (code === null) return '';
  const known = messageText.reason[code];
  if (known) return known;
  return (
    messageText.reasonByPrefix.find(([prefix]) => code.startsWith(prefix))?.[1] ?? messageText.otherReason
  );
}
