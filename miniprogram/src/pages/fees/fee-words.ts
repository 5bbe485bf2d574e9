// The words of paying a fee by WeChat Pay or Alipay (docs/funds.md § Fees): the fees page and the result
// page it returns to.
export const feeChannelWords = {
  method: '缴费方式',
  card: '校园卡余额',
  /** The pay button for a platform: the amount is always on it. */
  payBy: (method: string, amount: string) => `${method}缴纳 ${amount}`,
  confirmBy: (method: string, item: string, amount: string) =>
    `用${method}为「${item}」缴纳 ${amount}？款项直接缴入该费用，不进入校园卡。`,
  /** The result page of a fee order. */
  state: {
    created: '订单已创建，等待支付',
    paid: '已支付，正在缴费',
    credited: '缴费成功',
    closed: '订单已关闭',
    failed: '该费用已缴清，本次款项将原路退回',
    refunded: '已原路退回',
  } as Record<string, string>,
  receiptNo: '电子收据号',
  backToFees: '返回缴费',
};
