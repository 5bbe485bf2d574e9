// The words of issue 19's student-app friction fixes (title bar, hidden pay digits, binding consent,
// top-up result, home grid, offline taps). Kept beside strings.ts under the same rule: Chinese only.
export const uxStrings = {
  titleBar: { back: '返回', home: '首页' },
  code: {
    reveal: '查看数字',
    hide: '隐藏数字',
    hiddenHint: '为防他人偷看，数字已隐藏',
  },
  home: {
    totalBalance: '总余额',
    totalOf: (main: string, subsidy: string) => `主钱包 ${main} · 补贴 ${subsidy}`,
  },
  offline: {
    unavailable: '网络不可用，请联网后再试',
  },
  bind: {
    attemptsLeft: (left: number) => `还可尝试 ${left} 次，用完后需等待一段时间`,
    consent: '我已阅读并同意《隐私说明》',
    privacyTitle: '隐私说明',
    privacy:
      '绑定时会把你的学工号、姓名和激活码（或身份证后 6 位）发给学校卡务中心核对身份；身份证号不会保存在手机或本服务中。绑定后本应用只读取你的校园卡余额、账单和卡片状态，用于付款码和账单展示，不会提供给第三方。你可以随时在“设置”中解除绑定。',
    showPrivacy: '查看隐私说明',
    consentNeeded: '请先阅读并勾选同意隐私说明',
  },
  topUpResult: {
    orderNo: '订单号',
    newBalance: '充值后余额',
    notPaid: '尚未收到付款：如果你取消了支付，不会扣款，可以重新充值',
    cancelled: '你已取消支付，未扣款',
    closed: '订单已关闭，未扣款',
    again: '重新充值',
  },
} as const;
