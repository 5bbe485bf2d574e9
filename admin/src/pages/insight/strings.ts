import type { AttendanceReason, HiddenNeedReason } from '@campus-card/core/contract/insight';
import { yuan } from '../../api.ts';

/** The backoffice's campus-insight pages (docs/analytics.md): 隐形资助 and 学业预警. */
export const insightText = {
  aidMenu: '隐形资助',
  warningsMenu: '学业预警',
  aidIntro:
    '按月找出在校天数足够、但在食堂就餐次数和餐均消费都明显低于同院系同学的学生。名单只供学生资助中心审核，每次查看都会连同查看原因记入审计日志；学生不会被告知，也不会在别处被点名。',
  warningsIntro:
    '本院系学生中连续缺课、出勤率明显低于同班同学并较此前下降、或多日没有任何刷卡记录的学生。每次查看都会连同查看原因记入审计日志。',
  reason: '查看原因',
  reasonHint: '必填，4–200 字，例如“2025 秋季学期隐形资助初审”',
  reasonShort: '请填写查看原因（至少 4 个字）',
  month: '月份',
  campusDaysMin: '在校天数不少于',
  mealsRatioMax: '日均餐次不高于院系中位数的',
  spendRatioMax: '餐均消费不高于院系中位数的',
  streakMin: '连续缺课不少于（次）',
  silentDaysMin: '无刷卡记录不少于（天）',
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
      return `最近连续缺课 ${r.missed} 次`;
    case 'falling':
      return `近两周出勤率 ${insightText.percent(r.recentRate)}（同班 ${insightText.percent(r.classRate)}，此前 ${insightText.percent(r.earlierRate)}）`;
    case 'not_seen':
      return `已有 ${r.days} 天没有任何刷卡记录，期间有课`;
  }
}
