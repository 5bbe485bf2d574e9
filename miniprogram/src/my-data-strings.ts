// The words of the 我的数据 page, kept apart from strings.ts like bus-strings.ts.
export const myDataStrings = {
  title: '我的数据',
  entry: '我的数据',
  intro:
    '校园卡中心的数据分析从你的消费、考勤签到和门禁记录中整理出以下数据，用于发现可能需要资助的同学、提醒异常消费和学业预警。',
  nothing: '目前数据分析中没有保存关于你的数据。',
  months: '按月统计',
  noMonths: '暂无按月数据',
  month: (key: string) => `${key.slice(0, 4)}年${Number(key.slice(5, 7))}月`,
  campusDays: (n: number) => `在校 ${n} 天`,
  meals: (n: number) => `食堂用餐 ${n} 次`,
  mealSpend: '餐费',
  otherSpend: '其他消费',
  attendance: (days: number) => `最近 ${days} 天课堂考勤`,
  attended: (attended: number, sessions: number) =>
    sessions === 0 ? '没有需要签到的课' : `应到 ${sessions} 次，已签到 ${attended} 次`,
  flags: '标记',
  hiddenNeed: '隐形资助候选',
  attendanceWarning: '学业预警',
  yes: '有',
  no: '无',
  flagNote: '标记的具体依据和阈值由学生资助中心、辅导员掌握，如有疑问可向他们咨询。',
  retention: '保存期限',
  retentionDays: (days: number) =>
    days === 0 ? '目前设置为长期保存。' : `超过 ${days} 天的记录会自动删除。`,
  whoSees: '谁能看到',
  whoSeesText:
    '隐形资助候选只有学生资助中心能看到；学业预警只有你所在院系的辅导员能看到；每次查看都会记录查看人和理由。其他人只能看到不少于 10 人的汇总统计，少于 10 人，不显示。',
} as const;
