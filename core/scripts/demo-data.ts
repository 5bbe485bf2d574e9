import type { Core } from '../src/app.ts';
import type { MerchantCategory } from '../src/merchants/merchant-service.ts';

const familyNames = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '赵',
  '黄',
  '周',
  '吴',
  '徐',
  '孙',
  '胡',
  '朱',
  '高',
  '林',
  '何',
  '郭',
  '马',
  '罗',
];
const givenNames = [
  '子涵',
  '欣怡',
  '梓轩',
  '浩然',
  '雨泽',
  '思远',
  '一诺',
  '佳怡',
  '俊杰',
  '诗涵',
  '宇航',
  '晨曦',
  '博文',
  '雅琪',
  '天佑',
  '若曦',
];
const departments = [
  '计算机学院',
  '数学科学学院',
  '外国语学院',
  '经济管理学院',
  '化学与化工学院',
  '新闻传播学院',
];
const merchants: { id: string; name: string; category: MerchantCategory; feeRateBp: number }[] = [
  { id: 'CANTEEN-1-W01', name: '第一食堂 1 号窗口', category: 'canteen', feeRateBp: 0 },
  { id: 'CANTEEN-1-W02', name: '第一食堂 2 号窗口', category: 'canteen', feeRateBp: 0 },
  { id: 'CANTEEN-2-W01', name: '第二食堂 清真窗口', category: 'canteen', feeRateBp: 0 },
  { id: 'SHOP-1', name: '教育超市', category: 'shop', feeRateBp: 60 },
  { id: 'SHOWER-N1', name: '北区浴室', category: 'shower', feeRateBp: 0 },
  { id: 'LAUNDRY-N1', name: '北区洗衣房', category: 'laundry', feeRateBp: 0 },
  { id: 'LIBRARY', name: '图书馆', category: 'library', feeRateBp: 0 },
];
const studentsCount = 60;

/**
 * Demo students, merchants and some history. Safe to run on every start: what exists is kept, and
 * every operation has a fixed id, so a second run replays instead of paying again.
 */
export async function seedDemo(core: Core): Promise<{ students: string[]; merchants: typeof merchants }> {
  for (const m of merchants) {
    await core.merchants.get(m.id).catch(() => core.merchants.create(m));
  }
  const students: string[] = [];
  for (let i = 0; i < studentsCount; i++) {
    const personNo = `2026${String(i + 1).padStart(6, '0')}`;
    const cardNo = `8${personNo.padStart(11, '0')}`;
    const name = `${familyNames[i % familyNames.length]}${givenNames[(i * 7) % givenNames.length]}`;
    await core.cards.get(cardNo).catch(() =>
      core.cards.open(
        {
          personNo,
          name,
          type: 'student',
          department: departments[i % departments.length] ?? null,
          cardNo,
        },
        { type: 'system', id: 'demo' },
      ),
    );
    students.push(cardNo);
    await core.ledger.topUp({
      id: `demo-topup-${cardNo}`,
      cardNo,
      amount: 20_000 + (i % 5) * 10_000,
      channel: 'wechat',
    });
    if (i % 3 === 0) await core.ledger.subsidize({ id: `demo-subsidy-${cardNo}`, cardNo, amount: 15_000 });
    for (let k = 0; k < 3; k++) {
      const merchant = merchants[(i + k) % 4] as (typeof merchants)[number];
      await core.ledger.pay({
        id: `demo-pay-${cardNo}-${k}`,
        cardNo,
        merchantId: merchant.id,
        amount: 600 + ((i * 37 + k * 113) % 1_400),
      });
    }
  }
  return { students, merchants };
}
