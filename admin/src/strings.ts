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
  MERCHANT_NOT_FOUND: '商户不存在',
  ALREADY_EXISTS: '该编号已存在',
};

/** Merchants, their statements and the WeChat Pay bill check (the merchants page). */
export const merchantText = {
  category: {
    canteen: '餐饮',
    shop: '超市',
    shower: '淋浴',
    laundry: '洗衣',
    library: '图书馆',
    transport: '交通',
    other: '其他',
  } as Record<string, string>,
  mismatchKind: {
    missing_ours: '我方无此订单',
    missing_theirs: '微信账单无此订单',
    amount_differs: '金额不符',
    state_differs: '状态不符',
  } as Record<string, string>,
  title: '商户管理',
  create: '新增商户',
  id: '商户编号',
  idOptional: '商户编号（可选，留空自动生成）',
  name: '商户名称',
  categoryLabel: '类别',
  feeRate: '手续费率',
  feeRatePercent: '手续费率（%）',
  status: '状态',
  active: '启用',
  disabled: '停用',
  enable: '启用',
  disable: '停用',
  actions: '操作',
  openStatement: '结算单',
  statement: '商户日结算单',
  chooseMerchant: '选择商户',
  day: '日期',
  paymentCount: '交易笔数',
  paymentAmount: '交易额',
  refunds: '退款',
  fee: '手续费',
  net: '结算额',
  journal: '账务流水净额',
  reconcile: '与账务核对',
  reconciled: '一致',
  notReconciled: '不一致',
  settled: '已结算',
  notSettled: '未结算',
  exportCsv: '导出 CSV',
  settle: '执行日结算',
  settleConfirm: (day: string) => `结算 ${day} 的全部商户？`,
  settleHint: '只能结算已结束的日期（北京时间），同一天只记录一次。',
  settledDone: (day: string, n: number) => `${day} 已结算 ${n} 个商户`,
  mismatches: '微信支付对账差异',
  billDate: '账单日期',
  outTradeNo: '商户订单号',
  kind: '差异类型',
  ours: '我方',
  theirs: '微信',
  foundAt: '发现时间',
  noMismatches: '该日无差异',
};

export function describeError(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return (e.code && errorText[e.code]) || e.message || '操作失败';
}
