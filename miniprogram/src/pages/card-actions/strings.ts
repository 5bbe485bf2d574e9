// 卡片管理's words for the abnormal-spending alert (docs/analytics.md, docs/messages.md § The student's
// theft alert), apart from strings.ts so this part lands without touching other sections.
export const cardAlertStrings = {
  /** Shown above the card's actions when the page is opened from the alert message or notice. */
  alert: '你的校园卡刚有几笔消费与平时习惯不符。如果不是你本人，请立即冻结校园卡；是本人则无需处理。',
};
