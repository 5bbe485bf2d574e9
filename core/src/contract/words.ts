/**
 * Codes of the contract as a Chinese reader reads them, for every package that shows or exports them (the
 * backoffice's pages, the BFF's exports): one table, so a page and its CSV never name a refusal two ways.
 * Plain values, no zod; the backoffice imports these as `@campus-card/core/contract/words`.
 */

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
