import { fenToYuan } from '../subsidies/amount.ts';

/** An amount as a message shows it: ¥ and yuan with two decimals, from whole fen without a float. */
export const yuan = (fen: number): string => `¥${fenToYuan(fen)}`;

/** Who made a card change, as a student or a parent reads it (the student's own change is named apart). */
export const actorWords: Readonly<Record<string, string>> = {
  parent: '家长',
  admin: '卡务中心',
  system: '系统',
  device: '终端',
};

/** The card changes told in messages, by the card history's kind. */
export const cardChangeWords: Readonly<Record<string, string>> = {
  report_loss: '挂失',
  freeze: '冻结',
  cancel_loss: '解挂',
  unfreeze: '解冻',
};
