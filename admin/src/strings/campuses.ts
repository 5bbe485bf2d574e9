// 校区 (docs/campuses.md): the pickers, columns and account scope on the merchants, devices, reports,
// settlement and accounts pages.

export const campusText = {
  campus: '校区',
  allCampuses: '全部校区',
  centreWide: '全中心',
  pick: '选择校区',
  fromDoor: '（随门禁点）',
  scopeNote: (name: string) =>
    `您的账号限于${name}：只显示并只能操作本校区的商户、设备、场所、结算、报表、实时监控、脱机异常和面向本校区的新闻课程。`,
  accountScope: '校区范围',
  changeScope: '校区',
  changeScopeTitle: (name: string) => `修改管理员“${name}”的校区范围`,
  scopeHint:
    '限定校区后，该账号只能查看和操作本校区的商户、设备、场所、结算、报表、实时监控、脱机异常和面向本校区的新闻课程；超级管理员不能限定校区。',
  topUpsCentreWide: '充值不分校区',
  polled: '定时刷新',
  settleCampus: (name: string) => `仅结算${name}的商户`,
};
