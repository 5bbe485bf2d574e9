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
  { id: 'BUS', name: '校车', category: 'transport', feeRateBp: 0 },
];
const studentsCount = 60;

/** A GB 11643 ID number (valid check character) for demo student i, born 2006 in Beijing's Xicheng. */
export function demoIdNumber(i: number): string {
  const body =
    `11010220060${String(101 + (i % 28)).padStart(3, '0')}${String(100 + i).padStart(3, '0')}`.slice(0, 17);
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((acc, digit, k) => acc + Number(digit) * (weights[k] as number), 0);
  return body + ('10X98765432'[sum % 11] as string);
}

/** Demo student i's class: intake 2026, the department's number, then class 01 or 02. */
export function demoClassCode(i: number): string {
  const department = String((i % departments.length) + 1).padStart(2, '0');
  const section = String((Math.floor(i / departments.length) % 2) + 1).padStart(2, '0');
  return `2026${department}${section}`;
}

/** What a demo student types to bind in the mini-program: person number, name, last 6 of the ID. */
export interface DemoIdentity {
  cardNo: string;
  personNo: string;
  name: string;
  secret: string;
}

/**
 * Demo students, merchants and some history. Safe to run on every start: what exists is kept, and
 * every operation has a fixed id, so a second run replays instead of paying again.
 */
export async function seedDemo(
  core: Core,
): Promise<{ students: string[]; identities: DemoIdentity[]; merchants: typeof merchants }> {
  for (const m of merchants) {
    await core.merchants.get(m.id).catch(() => core.merchants.create(m));
  }
  const students: string[] = [];
  const identities: DemoIdentity[] = [];
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
          idNumber: demoIdNumber(i),
          cardNo,
        },
        { type: 'system', id: 'demo' },
      ),
    );
    // Two classes per department (2026 intake, 2026级), recorded as the identity sync would: news can target them.
    await core.sync.recordClass(personNo, demoClassCode(i), 2026);
    students.push(cardNo);
    identities.push({ cardNo, personNo, name, secret: demoIdNumber(i).slice(-6) });
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
  await seedContent(core, identities[0]?.personNo);
  return { students, identities, merchants };
}

/** A few news items and a course, once (a later start finds them and adds nothing). */
async function seedContent(core: Core, somePersonNo: string | undefined): Promise<void> {
  if (!somePersonNo || (await core.content.newsFor(somePersonNo, { limit: 1 })).items.length > 0) return;
  const nowMs = Date.now();
  const news = [
    {
      title: '校园卡全面升级为虚拟卡',
      body: '即日起，在小程序中绑定身份即可使用虚拟校园卡，食堂、门禁、图书馆、浴室均可扫码使用。',
      audience: { type: 'all' },
    },
    {
      title: '第一食堂考试周延长营业',
      body: '考试周期间第一食堂营业至 23:00，欢迎同学们就餐。',
      audience: { type: 'students' },
    },
    {
      title: '计算机学院学术讲座',
      body: '本周三下午 14:00 在教三-201 举行人工智能前沿讲座。',
      audience: { type: 'department', value: '计算机学院' },
    },
  ] as const;
  for (const [k, item] of news.entries())
    await core.content.publishNews({
      ...item,
      publishAtMs: nowMs - (news.length - k) * 3_600_000,
      author: '一卡通中心',
    });
  // The lessons' clips ship in mock/demo/videos (6 s each), copied into the content folder at start.
  const course = await core.content.createCourse({
    title: '校园卡使用指南',
    description: '如何绑定、充值、挂失与在各类终端上使用虚拟校园卡。',
    teacher: '一卡通中心',
    audience: { type: 'all' },
  });
  await core.content.addLesson(course.id, {
    seq: 1,
    title: '绑定与付款码',
    video: { path: 'guide/01.webm' },
    durationSeconds: 6,
  });
  await core.content.addLesson(course.id, {
    seq: 2,
    title: '挂失与补办',
    video: { path: 'guide/02.webm' },
    durationSeconds: 6,
  });
}
