// Words the backoffice shows, in one place.

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

export const errorText: Record<string, string> = {
  LOGIN_FAILED: '用户名、密码或验证码错误',
  LOCKED_OUT: '登录失败次数过多，账号已暂时锁定，请稍后再试或联系超级管理员解锁',
  FORBIDDEN: '您的角色无权执行此操作',
  SESSION_REVOKED: '登录已过期，请重新登录',
  UNAUTHENTICATED: '请先登录',
  NOT_FOUND: '未找到',
  VALIDATION_FAILED: '输入有误',
  INVALID_TRANSITION: '卡片当前状态不允许此操作',
  MAKER_CANNOT_CHECK: '不能审批自己发起的申请，需由另一位管理员审批',
  APPROVAL_DECIDED: '该申请已处理',
  INSUFFICIENT_FUNDS: '余额不足',
  CARD_CANCELLED: '卡片已注销',
  HOLDS_PENDING: '尚有未结算的预授权，暂不能注销',
  APPROVAL_REQUIRED: '该批次金额超过限额，需先由另一位管理员审批',
  CLEARING_RUNNING: '已有一次清零正在进行',
  SYNC_RUNNING: '已有一次同步正在进行',
  SYNC_NOT_CONFIGURED: '未配置教务、人事数据源，无法同步',
};

export function describeError(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return (e.code && errorText[e.code]) || e.message || '操作失败';
}
