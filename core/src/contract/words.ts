/**
 * Codes of the contract as a Chinese reader reads them, for every package that shows or exports them (the
 * backoffice's pages, the BFF's exports): one table, so a page and its CSV never name a refusal two ways.
 * Plain values, no zod; the backoffice imports these as `@campus-card/core/contract/words`.
 */
import type { AdminRole } from './admin.ts';

/** Each backoffice role's name, as the pages show it and the BFF answers it (roleName), in the accounts page's order. */
export const adminRoleWords: Readonly<Record<AdminRole, string>> = {
  super_admin: '超级管理员',
  card_operator: '卡务中心操作员',
  finance: '财务',
  device_admin: '设备管理员',
  content_editor: '内容编辑',
  department_admin: '院系管理员',
  auditor: '审计员',
  security_office: '保卫处',
  dorm_office: '宿舍管理',
  transport_office: '校车管理',
  aid_office: '学生资助中心',
  counsellor: '辅导员',
};

/** Why a door, gate or reader refused (docs/protocol.md §8.3, and the passage refusals of §16). */
export const accessReasonWords: Readonly<Record<string, string>> = {
  CARD_LOST: '卡已挂失',
  CARD_FROZEN: '卡已冻结',
  CARD_CANCELLED: '卡已注销',
  CARD_NOT_FOUND: '卡不存在',
  CREDENTIAL_REVOKED: '码已失效（卡片已变更）',
  CODE_INVALID: '码无效',
  CODE_EXPIRED: '码已过期',
  CODE_REPLAYED: '码已被使用',
  NOT_PERMITTED: '人员类别不允许',
  OUTSIDE_WINDOW: '不在开放时段',
  SERVICE_UNAVAILABLE: '服务暂不可用',
  NO_PASSAGE_RIGHT: '无通行权限',
  PASSAGE_DENIED: '被规则禁止',
  CURFEW: '宿舍门禁时段',
  PASSBACK: '反潜回',
};

/** A reason not in a table still reads as Chinese, never as its code. */
export const otherReasonWord = '其他原因';

export const accessDirectionWords: Readonly<Record<string, string>> = {
  in: '进',
  out: '出',
  none: '不分方向',
};
export const accessDecisionWords: Readonly<Record<string, string>> = { allow: '通过', deny: '拒绝' };
export const accessSourceWords: Readonly<Record<string, string>> = { online: '在线', offline: '脱机上传' };
