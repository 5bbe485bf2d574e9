// The visitors page's words (docs/visitors-meetings-bus.md); codes never reach the screen.
export const visitorText = {
  menu: '访客管理',
  onCampus: '在校访客',
  pending: '待审批邀请',
  visitor: '访客',
  phone: '手机号',
  host: '邀请人',
  department: '邀请人院系',
  purpose: '事由',
  window: '有效时间',
  enteredAt: '最近通行',
  approve: '通过',
  refuse: '不通过',
  approveConfirm: (name: string, host: string) =>
    `通过 ${host} 对访客 ${name} 的邀请？通过后访客即可凭码入校。`,
  refuseConfirm: (name: string, host: string) => `不通过 ${host} 对访客 ${name} 的邀请？`,
  decided: (what: string) => `已${what}`,
  none: '暂无',
  refresh: '刷新',
  errors: {
    VISIT_NOT_FOUND: '没有找到这条邀请',
    VISIT_DECIDED: '这条邀请已经处理过了',
    FORBIDDEN: '这条邀请不属于您的院系',
  } as Record<string, string>,
};
