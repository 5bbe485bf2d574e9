import { describeError } from './errors.ts';

/** The federation pages' words (docs/federation.md): the trust list and the inter-centre settlement. */
export const federationText = {
  menu: '联盟中心',
  trustTitle: '信任列表',
  settlementTitle: '中心间日清算',
  centreId: '中心编号',
  centreName: '中心名称',
  linkUrl: '链路地址',
  linkSecret: '链路密钥',
  linkSecretHelp: '双方共同持有的签名密钥，至少 32 个随机字符，只在添加时输入，此后不再显示',
  status: '链路状态',
  statusText: { active: '正常', suspended: '已暂停' } as Record<string, string>,
  keys: '校区公钥',
  kid: '密钥编号',
  publicKey: '公钥（64 位十六进制）',
  validFrom: '生效时间',
  keyState: { valid: '生效中', retired: '已轮换停签', revoked: '已吊销', future: '待生效' } as Record<
    string,
    string
  >,
  add: '添加中心',
  rotate: '轮换密钥',
  retire: '停签的旧密钥',
  revoke: '吊销',
  revokeReason: '吊销原因',
  suspend: '暂停链路',
  resume: '恢复链路',
  actions: '操作',
  linkCheck: '链路检测',
  check: '检测',
  linkUp: '连通',
  linkDown: '不通',
  checkedAt: '检测于',
  noCentres: '尚未与其他中心建立联盟',
  centre: '对方中心',
  day: '清算日',
  reconcile: '对账',
  recordNet: '记录净额',
  notReconciled: '该日尚未对账',
  receivable: '对方卡在本中心消费（应收）',
  payable: '本中心卡在对方消费（应付）',
  ourFile: '本方文件',
  theirFile: '对方文件',
  net: '净额',
  netOwedToUs: '对方应付本中心',
  netOwedByUs: '本中心应付对方',
  netRecorded: '净额已记账',
  netPending: '待记账',
  exceptions: '差异',
  noExceptions: '两方文件一致，无差异',
  direction: { receivable: '应收', payable: '应付' } as Record<string, string>,
  kind: {
    missing_here: '本方缺少此笔（仅对方文件有）',
    missing_there: '对方缺少此笔（仅本方文件有）',
    amount_differs: '金额不一致',
  } as Record<string, string>,
  operationId: '交易编号',
  ourAmount: '本方金额',
  theirAmount: '对方金额',
  clearFirst:
    '该日仍有未核销的差异：已重询的差异在下次对账后消除，其余由一人提出处理、另一人复核，全部核销后才能记录净额',
  allResolved: '该日差异均已核销，净额按核销后的金额计算',
  exceptionStateLabel: '处理状态',
  exceptionState: {
    open: '待处理',
    reasked: '已重询',
    proposed: '待复核',
    resolved: '已核销',
  } as Record<'open' | 'reasked' | 'proposed' | 'resolved', string>,
  resolutionAction: { accept_theirs: '采纳对方金额', write_off: '按本方核销' } as Record<
    'accept_theirs' | 'write_off',
    string
  >,
  directionLabel: '方向',
  handling: '处理方式',
  settledAmount: '核销后计入金额',
  resolutionReason: '处理原因',
  submitForReview: '提交复核',
  approve: '复核通过',
  reject: '驳回',
  approveNote:
    '通过后该笔按上述金额计入当日清算，差额记入调账科目；对方中心需按同一金额处理（一方采纳对方金额，另一方按本方核销）。',
  rejectNote: '驳回后该差异回到待处理，可重新提出处理。',
  awaitingChecker: '已提交，待另一位管理员复核',
  reasonRequired: '请填写处理原因（至少 2 个字）',
  reaskedNote: '已向对方中心重询并入账，下次对账后消除',
  netNote: '净额按两中心之间的转账记入账务（中心间银行转账），记录后该日不能再对账。',
};

const federationErrors: Record<string, string> = {
  FEDERATION_CENTRE_NOT_FOUND: '该中心不在信任列表中或已暂停',
  FEDERATION_KEY_NOT_FOUND: '该密钥不存在',
  FEDERATION_KEY_CONFLICT: '密钥编号已被使用（各中心须使用互不重叠的编号）',
  FEDERATION_UNAVAILABLE: '对方中心暂时无法连接，请稍后再试',
  ALREADY_EXISTS: '该中心已在信任列表中',
  INVALID_TRANSITION: '该日仍有未核销的差异、该差异已在处理中，或净额已记账',
  NOT_FOUND: '该差异已不存在，请重新对账后再处理',
  VALIDATION_FAILED: '填写的内容不符合要求，请检查',
};

/** A failure as a sentence: the federation's own codes first, then the backoffice's. */
export const describeFederationError = (error: unknown): string => {
  const code = (error as { code?: string }).code;
  return (code && federationErrors[code]) || describeError(error);
};
