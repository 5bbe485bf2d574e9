import type { AbsenceKind, AbsenceStatus } from '@campus-card/core/contract';

/** 请假审批 on the counsellor's 学业预警 page (#17). */
export const absenceText = {
  title: '请假审批',
  intro:
    '本院系学生在校园卡小程序中提交的请假。批准后，请假期间的缺课和无刷卡天数不计入学业预警；学生选择离校的，请假期间校园卡在校内消费会提醒学生本人。',
  status: '状态',
  student: '学生',
  kind: '类型',
  span: '请假时间',
  reason: '事由',
  offCampus: '离校',
  decision: '审批意见',
  actions: '操作',
  approve: '批准',
  reject: '不批准',
  rejectTitle: '不批准这条请假',
  rejectReason: '不批准的原因（学生可见）',
  rejectReasonRequired: '请填写原因（200 字以内）',
  approveConfirm: (name: string) => `批准 ${name} 的这条请假吗？`,
  approved: '已批准',
  rejected: '已驳回',
  yes: '是',
  no: '否',
  empty: '没有请假记录',
  all: '全部',
  kinds: { personal: '事假', sick: '病假', official: '公假' } satisfies Record<AbsenceKind, string>,
  statuses: {
    pending: '待审批',
    approved: '已批准',
    rejected: '未批准',
    cancelled: '已撤销',
  } satisfies Record<AbsenceStatus, string>,
  errors: {
    ABSENCE_DECIDED: '这条请假已审批或已被学生撤销，请刷新',
    ABSENCE_FORBIDDEN: '不是本院系学生的请假',
    ABSENCE_NOT_FOUND: '这条请假不存在',
  } as Record<string, string>,
};
