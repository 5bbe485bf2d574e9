// Words the backoffice shows across its pages: the menu, the workbench, card states and actions,
// wallets, operations and their outcomes.
import { adminRoleWords } from '@campus-card/core/contract/words';
import { errorText } from './errors.ts';

/** The workbench's to-dos and the 403 page. */
export const workbenchText = {
  title: '工作台',
  greeting: (name: string, role: string) => `${name}（${role}），您好`,
  approvals: '待我审批',
  approvalsHint: '调账、现金充值、设备调价与补贴批次，等待您复核',
  offline: '未处理的脱机异常',
  offlineHint: '设备脱机期间的交易未能入账，需核对处理',
  sync: '失败的数据同步',
  syncHint: '最近一次成功同步之后失败的同步任务',
  devices: '离线设备',
  devicesHint: '已启用但当前未连接网关的设备',
  open: '去处理',
  none: '暂无待办事项',
  noTodos: '您的角色没有需要跟进的待办，可从左侧菜单进入各功能。',
  loadFailed: '读取失败',
  forbiddenTitle: '无权访问',
  forbidden: '您的角色无权访问此页面。如需使用，请联系系统管理员分配权限。',
  back: '返回工作台',
};

/** The menu, one entry per page. */
export const menuText = {
  workbench: '工作台',
  cards: '卡务管理',
  approvals: '审批',
  funds: '补贴发放',
  refunds: '退款清单',
  reports: '统计报表',
  attendance: '考勤',
  merchants: '商户结算',
  dashboard: '实时监控',
  devices: '设备管理',
  offline: '脱机异常',
  content: '新闻与课程',
  audit: '审计日志',
  sync: '数据同步',
  accounts: '管理员账号',
};

/** The backoffice's roles by name, in the order the accounts page offers them (the contract's list). */
export const roleText: Readonly<Record<string, string>> = adminRoleWords;

export const statusText: Record<string, string> = {
  active: '正常',
  lost: '挂失',
  frozen: '冻结',
  cancelled: '注销',
};

export const actionText: Record<string, string> = {
  report_loss: '挂失',
  cancel_loss: '解挂',
  freeze: '冻结',
  unfreeze: '解冻',
  reissue: '补卡',
};

/** The wallets, by the app's words (miniprogram/src/strings.ts). */
export const walletText: Record<string, string> = { main: '主钱包', subsidy: '补贴钱包' };

/** A line of a card's status history (card_events.kind). */
export const cardEventText: Record<string, string> = {
  ...actionText,
  opened: '开卡',
  bound: '绑定小程序',
  unbound: '解除绑定',
  pin_set: '设置密码',
  pin_reset: '重置密码',
  expired: '到期停用',
  cancelled: '注销',
  loss_cancelled: '解挂',
  pin_step_up: '异常消费：下一笔须输入密码',
  pin_step_up_cleared: '已输入密码，解除验证',
};

/** A ledger operation's kind (the card page's 最近交易). */
export const operationKindText: Record<string, string> = {
  payment: '消费',
  top_up: '充值',
  subsidy: '补贴发放',
  refund: '退款',
  hold: '预授权',
  post: '预授权结算',
  void: '预授权撤销',
  expire: '预授权过期',
  adjustment: '手工调账',
  close_out: '销户退款',
  subsidy_clear: '补贴清零',
};

/** Who did a thing (actor types). */
export const actorText: Record<string, string> = {
  admin: '管理员',
  self: '本人',
  system: '系统',
  device: '终端',
  parent: '家长',
};

/** An operation's outcome: ok, or the code it was refused with. */
export function outcomeText(outcome: string): string {
  if (outcome === 'ok') return '成功';
  return `失败：${ledgerRefusalText[outcome] ?? errorText[outcome] ?? '其他原因'}`;
}

const ledgerRefusalText: Record<string, string> = {
  CARD_NOT_FOUND: '卡不存在',
  CARD_LOST: '卡已挂失',
  CARD_FROZEN: '卡已冻结',
  CARD_CANCELLED: '卡已注销',
  CARD_VERSION_STALE: '卡信息已变更',
  INSUFFICIENT_FUNDS: '余额不足',
  BELOW_MIN_BALANCE: '低于最低余额',
  LIMIT_EXCEEDED: '超过限额',
  AMOUNT_OUT_OF_RANGE: '金额超出范围',
  PIN_REQUIRED: '需要输入密码',
  PIN_INVALID: '密码错误',
  REPEAT_TOO_SOON: '重复刷卡',
  MERCHANT_DISABLED: '商户已停用',
  MERCHANT_NOT_FOUND: '商户不存在',
  DEVICE_DISABLED: '终端已停用',
  HOLD_EXPIRED: '预授权已过期',
  HOLD_NOT_FOUND: '预授权不存在',
  HOLD_ALREADY_RESOLVED: '预授权已处理',
  AMOUNT_EXCEEDS_HOLD: '超过预授权金额',
  REFUND_EXCEEDS_PAYMENT: '退款超过原消费',
  PAYMENT_NOT_FOUND: '原消费不存在',
  CODE_REPLAYED: '付款码已使用',
  HOLDS_PENDING: '尚有未结算的预授权',
};
