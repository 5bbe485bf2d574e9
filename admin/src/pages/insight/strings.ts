import type { AttendanceReason, HiddenNeedReason } from '@campus-card/core/contract/insight';
import { yuan } from '../../api.ts';

/** The backoffice's campus-insight pages (docs/analytics.md): 隐形资助 and 学业预警. */
export const insightText = {
  aidMenu: '隐形资助',
  warningsMenu: '学业预警',
  aidIntro:
    '按月找出在校天数足够、但在食堂就餐次数和餐均消费都明显低于同院系同学的学生。名单只供学生资助中心审核，每次查看都会连同查看原因记入审计日志；学生不会被告知，也不会在别处被点名。',
  warningsIntro:
    '本院系学生中连续缺课、出勤率明显低于同班同学并较此前下降、多日没有任何刷卡记录、或近两周多次在宿舍门禁时间后回宿舍的学生。每次查看都会连同查看原因记入审计日志。',
  reason: '查看原因',
  reasonHint: '必填，4–200 字，例如“2025 秋季学期隐形资助初审”',
  reasonShort: '请填写查看原因（至少 4 个字）',
  month: '月份',
  campusDaysMin: '在校天数不少于',
  mealsRatioMax: '日均餐次不高于院系中位数的',
  spendRatioMax: '餐均消费不高于院系中位数的',
  streakMin: '连续缺课不少于（次）',
  silentDaysMin: '无刷卡记录不少于（天）',
  lateReturnsMin: '两周内晚归不少于（次）',
  query: '查询',
  cardNo: '校园卡号',
  personNo: '学号',
  score: '优先度',
  campusDays: '在校天数',
  meals: '就餐次数',
  mealAverage: '餐均',
  cohort: '比较对象',
  allStudents: '全校学生（本院系不足 10 人）',
  reasons: '依据',
  missed: '最近缺勤',
  lastSeen: '最后一次刷卡',
  never: '近 60 天没有',
  total: (n: number) => `共 ${n} 人`,
  empty: '没有符合条件的学生',
  batchEach: '每人补助',
  batchTotal: '合计',
  batchCount: '人数',
  batchButton: (n: number) => `选中 ${n} 人生成补助批次`,
  batchTitle: (month: string) => `生成 ${month} 餐费补助批次`,
  batchNote:
    '批次生成后为草稿，须由财务在“补助发放”中审批后入账到学生的补助钱包；学生无需申请，也不会被告知入选原因。',
  batchDone: '补助批次已生成，等待财务审批',
  percent: (ratio: number) => `${Math.round(ratio * 100)}%`,
};

export function hiddenNeedReasonText(r: HiddenNeedReason): string {
  switch (r.code) {
    case 'few_meals':
      return `日均就餐 ${r.mealsPerDay} 次（院系 ${r.cohortMealsPerDay} 次）`;
    case 'cheap_meals':
      return `餐均 ${yuan(r.spendPerMealFen)}（院系 ${yuan(r.cohortSpendPerMealFen)}）`;
    case 'falling':
      return `日均就餐由此前的 ${r.ownEarlierMealsPerDay} 次降到 ${r.mealsPerDay} 次`;
    case 'little_other_spending':
      return `其他消费 ${yuan(r.otherSpendFen)}（院系 ${yuan(r.cohortOtherSpendFen)}）`;
  }
}

export function attendanceReasonText(r: AttendanceReason): string {
  switch (r.code) {
    case 'absence_streak':
      return `最近连续缺课 ${r.missed} 次${r.excused ? `（另有 ${r.excused} 次在已批准的请假期间，不计）` : ''}`;
    case 'falling':
      return `近两周出勤率 ${insightText.percent(r.recentRate)}（同班 ${insightText.percent(r.classRate)}，此前 ${insightText.percent(r.earlierRate)}）`;
    case 'not_seen':
      return `已有 ${r.days} 天没有任何刷卡记录，期间有课${r.excusedDays ? `（已批准的请假 ${r.excusedDays} 天不计）` : ''}`;
    case 'late_returns':
      return `近 ${r.days} 天有 ${r.nights} 晚在门禁时间后回宿舍`;
  }
}

/** 分析报表 (report.read): the card centre's aggregate reports and the insight extract's progress. */
export const reportsText = {
  menu: '分析报表',
  intro:
    '按月汇总的校园卡分析：只给出群体数字，人数（或刷卡人数）少于 10 的群体不显示数字。数据来自分析库，每 10 分钟从交易库同步一次。',
  month: '月份',
  query: '查询',
  suppressed: '少于 10 人，不显示',
  tabs: {
    spending: '消费结构',
    subsidy: '补助效果',
    merchants: '商户排行',
    devices: '设备故障',
    sources: '同步进度',
  },
  byDepartment: '按院系',
  byGrade: '按年级',
  grouping: '分组方式',
  department: '院系',
  grade: '年级',
  gradeOf: (group: string) => (group === '' ? '年级未知' : `${group} 级`),
  departmentOf: (group: string) => (group === '' ? '未分院系' : group),
  students: '人数',
  meals: '就餐次数',
  mealSpend: '餐费',
  otherSpend: '其他消费',
  perStudent: '人均消费',
  spendingChart: '人均月消费（元）',
  subsidyNone: '该月没有补助发放',
  subsidyIntro: (firstDay: string, days: number) =>
    `以 ${firstDay}（本月首次发放补助）为界，比较获补助学生在领取补助前后各 ${days} 天的在校日均就餐情况；未获补助的学生在同一时段的变化作为对照（季节、考试等因素的影响）。`,
  recipients: '获补助人数',
  subsidyTotal: '补助金额合计',
  subsidised: '获补助学生',
  others: '未获补助学生',
  before: '补助前',
  after: '补助后',
  mealsPerDay: '日均就餐（次）',
  mealSpendPerDay: '日均餐费',
  otherSpendPerDay: '日均其他消费',
  campusDays: '在校人天',
  subsidyChart: '日均餐费（元）',
  merchant: '商户',
  category: '类别',
  payments: '笔数',
  turnover: '营业额',
  cards: '消费人数',
  average: '笔均',
  merchantChart: '营业额前 10 名（元）',
  bandChart: '各类商户的价格带（笔数）',
  bandSuppressed: '（少于 10 人的价格带不显示）',
  bands: ['5 元以下', '5–10 元', '10–15 元', '15–20 元', '20–30 元', '30–50 元', '50 元及以上'],
  device: '终端号',
  operations: '交易笔数',
  refused: '失败笔数',
  refusedRate: '失败率',
  codes: '失败原因',
  otherRefused: (n: number) => `其他原因 ${n} 笔（涉及不足 10 张卡）`,
  patternChart: '各时段的交易失败（星期 × 小时，笔数）',
  weekdays: ['周一', '周二', '周三', '周四', '周五', '周六', '周日'],
  noFailures: '该月没有失败的交易',
  source: '数据来源',
  sourceNames: {
    operations: '交易流水',
    card_events: '卡片事件',
    attendance: '考勤签到',
    access: '门禁通行',
    sessions: '考勤场次',
    codes: '付款码',
    absences: '已批准的请假',
  } as Record<string, string>,
  syncedTo: '已同步至',
  rowsTotal: '累计行数',
  lastRun: '最近一次运行',
  state: '状态',
  behind: '积压中，下次运行继续',
  caughtUp: '已追上',
  sourcesIntro: '分析库的同步任务每 10 分钟运行一次，按来源分别记录进度；积压时每次运行继续追赶。',
  insightOff: '分析库未启用，请联系系统管理员',
  canteenTab: '食堂人流',
  day: '日期',
  canteen: '食堂',
  window: '窗口',
  forecast: '预测',
  actual: '实际',
  forecastTotal: '全天预测（笔）',
  actualTotal: '全天实际（笔）',
  canteenChart: (name: string) => `${name}：每 15 分钟的预测与实际消费笔数`,
  canteenIntro:
    '按历史 8 周（区分工作日、周末和校历中的节假日）预测每个窗口每 15 分钟的消费笔数，与当天实际发生的笔数对照。',
  holidayNote: '校历中为节假日',
  noCanteen: '当天没有食堂消费记录',
};
