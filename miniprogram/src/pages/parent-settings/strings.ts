// The parent's own 消息设置 (docs/messages.md § Parents), beside the page; the words both 消息设置 pages
// share (save, consent; quiet hours are the QuietHours component's) are messageStrings'.
import { messageStrings } from '../../message-strings.ts';

export const parentSettingsStrings = {
  save: messageStrings.save,
  saved: messageStrings.saved,
  consentHint: messageStrings.consentHint,
  title: '家长消息设置',
  entry: '家长消息设置',
  intro: '小程序关闭时，孩子校园卡的以下消息会通过微信服务通知或支付宝消息送达你。',
  kinds: {
    low_balance: '孩子余额不足提醒',
    card_status: '孩子校园卡挂失、冻结变动',
    spending_alert: '孩子异常消费提醒',
    receipt: '为孩子充值的凭证',
  } as Record<string, string>,
  kindsHint: '余额和消费提醒仅在孩子向你开放余额、消费明细时发送。',
  alerts: '余额提醒（元，留空则不提醒）',
  alertFor: (name: string) => `${name}的余额低于`,
  alertPlaceholder: '例如 20',
  alertHidden: '孩子未向你开放余额，提醒暂不会发送',
  alertInvalid: (name: string) => `${name}的提醒金额无效：请填写大于 0 的金额，最多两位小数`,
  noChildren: '还没有关联孩子，关联后可在此设置。',
};
