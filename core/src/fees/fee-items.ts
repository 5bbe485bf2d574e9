import {
  type FeeCategory,
  type FeeItem,
  type FeeProgress,
  feeCategories,
  type NewFeeItem,
  newFeeItem,
} from '../contract/fees.ts';
import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../log.ts';
import type { MerchantService } from '../merchants/merchant-service.ts';
import type { NoticeRepository } from '../notices/notice-repository.ts';
import { csvDocument } from '../sheets.ts';
import { fenToYuan, yuanToFen } from '../subsidies/amount.ts';
import { parseCsv } from '../subsidies/csv.ts';
import { billStatus, type FeeRepository } from './fee-repository.ts';
import type { financeSystem } from './finance-system.ts';

const reminderGapMs = 24 * 3600_000;

const categoryNames: Record<string, FeeCategory> = {
  学费: 'tuition',
  住宿费: 'accommodation',
  考试报名费: 'exam',
  教材费: 'textbook',
  补考费: 'makeup_exam',
  证书费: 'certificate',
  其他: 'other',
};

/**
 * Fee items (#16, docs/funds.md): created by hand, from a sheet or pulled from the finance system, each
 * with its clearing merchant and one bill per person; their progress, reminders and the export. Paying
 * and refunding the bills is FeeService's.
 */
export class FeeItems {
  constructor(
    private readonly repo: FeeRepository,
    private readonly merchants: MerchantService,
    private readonly notices: NoticeRepository,
    private readonly log: Logger,
    /** The campus finance system to pull items from (FINANCE_URL); absent, pulling answers UTILITY_UNAVAILABLE. */
    private readonly finance?: ReturnType<typeof financeSystem>,
  ) {}

  /**
   * Pulls the finance system's fee items: each code not here yet becomes an item billed to the students
   * it lists (source finance); a code already here is left as it is, so pulling again adds nothing.
   */
  async pullFinance(createdBy?: string) {
    if (!this.finance) throw new CoreError('UTILITY_UNAVAILABLE', 'no finance system is configured');
    const results: {
      code: string;
      itemId: string | null;
      bills: number;
      created: boolean;
      unknownPersons: string[];
      problem?: string;
    }[] = [];
    for (const item of await this.finance.items()) {
      const existing = await this.repo.itemByCode(item.code);
      if (existing || item.bills.length === 0) {
        results.push({
          code: item.code,
          itemId: existing?.id ?? null,
          bills: 0,
          created: false,
          unknownPersons: [],
        });
        continue;
      }
      try {
        const made = await this.createItem({
          code: item.code,
          name: item.name,
          category: item.category,
          amount: item.bills[0]?.amount ?? 1,
          dueDay: item.dueDay,
          allowPartial: item.allowPartial,
          audience: { persons: item.bills },
          source: 'finance',
          createdBy,
        });
        results.push({
          code: item.code,
          itemId: made.item.id,
          bills: made.bills,
          created: true,
          unknownPersons: made.unknownPersons,
        });
      } catch (error) {
        // One unreadable item (a bad day, an amount of 0) does not stop the others.
        const problem = error instanceof CoreError ? error.code : 'VALIDATION_FAILED';
        if (!(error instanceof CoreError) && !(error instanceof Error && error.name === 'ZodError'))
          throw error;
        results.push({
          code: item.code,
          itemId: null,
          bills: 0,
          created: false,
          unknownPersons: [],
          problem,
        });
      }
    }
    return { items: results };
  }

  /** Creates the item, its clearing merchant and one bill per person of its audience. */
  async createItem(raw: NewFeeItem): Promise<{ item: FeeItem; bills: number; unknownPersons: string[] }> {
    const input = newFeeItem.parse(raw);
    if (await this.repo.itemByCode(input.code))
      throw new CoreError('ALREADY_EXISTS', `a fee item ${input.code} exists`);
    const now = Date.now();
    const id = newId(now);
    // The item's own merchant: its account is the item's clearing account (ids are at most 26 characters).
    const merchantId = newId(now + 1);
    let bills: { personId: string; amount: number }[];
    let unknownPersons: string[] = [];
    const audience = input.audience;
    if ('persons' in audience) {
      const found = await this.repo.personsByNo(audience.persons.map((p) => p.personNo));
      unknownPersons = audience.persons.filter((p) => !found.has(p.personNo)).map((p) => p.personNo);
      bills = audience.persons
        .filter((p) => found.has(p.personNo))
        .map((p) => ({ personId: found.get(p.personNo) as string, amount: p.amount ?? input.amount }));
    } else {
      bills = (await this.repo.personsIn(audience)).map((personId) => ({ personId, amount: input.amount }));
    }
    await this.merchants.create({
      id: merchantId,
      name: `缴费·${input.name}`.slice(0, 64),
      category: 'other',
    });
    const item: Omit<FeeItem, 'createdAtMs'> = {
      id,
      code: input.code,
      name: input.name,
      category: input.category,
      dueDay: input.dueDay,
      allowPartial: input.allowPartial,
      merchantId,
      source: input.source,
    };
    await this.repo.insertItem({ ...item, createdBy: input.createdBy ?? null }, now);
    await this.repo.insertBills(id, bills, now);
    return { item: (await this.repo.item(id)) as FeeItem, bills: bills.length, unknownPersons };
  }

  /**
   * A sheet of bills: 项目编号,项目名称,类别,学号,金额(元),截止日期,允许分期 (是/否), one line per person; a first
   * line naming the columns is skipped. Items are grouped by code; a code already imported is refused.
   */
  async importCsv(csv: string, createdBy?: string, source: 'import' | 'finance' = 'import') {
    const rows = parseCsv(csv);
    if (rows[0]?.[0]?.includes('项目')) rows.shift();
    const groups = new Map<
      string,
      {
        name: string;
        category: FeeCategory;
        dueDay: string;
        allowPartial: boolean;
        persons: { personNo: string; amount: number }[];
      }
    >();
    const problems: { line: number; problem: string }[] = [];
    rows.forEach((row, index) => {
      const [code = '', name = '', category = '', personNo = '', yuan = '', dueDay = '', partial = ''] =
        row.map((c) => c.trim());
      const amount = yuanToFen(yuan);
      const cat =
        categoryNames[category] ??
        ((feeCategories as readonly string[]).includes(category) ? (category as FeeCategory) : undefined);
      if (
        !code ||
        !name ||
        !personNo ||
        amount === undefined ||
        amount <= 0 ||
        cat === undefined ||
        !/^\d{4}-\d{2}-\d{2}$/.test(dueDay)
      ) {
        problems.push({ line: index + 1, problem: '编号、名称、类别、学号、金额或截止日期不对' });
        return;
      }
      const group = groups.get(code) ?? {
        name,
        category: cat,
        dueDay,
        allowPartial: partial === '是' || partial === 'yes',
        persons: [],
      };
      group.persons.push({ personNo, amount });
      groups.set(code, group);
    });
    if (problems.length > 0)
      throw new CoreError('VALIDATION_FAILED', `${problems.length} lines cannot be read`, {
        problems: problems.slice(0, 50),
      });
    const items: { code: string; itemId: string; bills: number; unknownPersons: string[] }[] = [];
    for (const [code, g] of groups) {
      const made = await this.createItem({
        code,
        name: g.name,
        category: g.category,
        amount: g.persons[0]?.amount ?? 1,
        dueDay: g.dueDay,
        allowPartial: g.allowPartial,
        audience: { persons: g.persons },
        source,
        createdBy,
      });
      items.push({ code, itemId: made.item.id, bills: made.bills, unknownPersons: made.unknownPersons });
    }
    return { items };
  }

  async items(limit = 200): Promise<FeeProgress[]> {
    const items = await this.repo.items(limit);
    return Promise.all(items.map(async (item) => ({ item, ...(await this.repo.progress(item.id)) })));
  }

  async progress(itemId: string): Promise<FeeProgress> {
    const item = await this.mustItem(itemId);
    return { item, ...(await this.repo.progress(itemId)) };
  }

  private async mustItem(id: string): Promise<FeeItem> {
    const item = await this.repo.item(id);
    if (!item) throw new CoreError('FEE_ITEM_NOT_FOUND', 'no such fee item');
    return item;
  }

  /** In-app reminders to everyone still owing on the item (at most one a day per bill); answers how many. */
  async remind(itemId: string): Promise<{ reminded: number }> {
    const item = await this.mustItem(itemId);
    const now = Date.now();
    const taken = await this.repo.takeReminders(itemId, now - reminderGapMs, now);
    await this.notices.insertMissing(
      taken.map((t) => ({
        id: newId(now),
        personId: t.personId,
        kind: 'fee-reminder',
        title: `缴费提醒：${item.name}`,
        body: `您的「${item.name}」尚欠 ${fenToYuan(t.owed)} 元，截止日期 ${item.dueDay}，请在“缴费”中缴纳。`,
        data: { itemId, owed: t.owed },
        createdAtMs: now,
      })),
    );
    this.log.info({ itemId, reminded: taken.length }, 'fee reminders sent');
    return { reminded: taken.length };
  }

  /** The item's bills as a CSV sheet for the finance office. */
  async exportCsv(itemId: string): Promise<string> {
    await this.mustItem(itemId);
    const bills = await this.repo.billsOfItem(itemId, undefined, 100_000);
    const statusNames = { unpaid: '未缴', partial: '部分缴纳', paid: '已缴清', waived: '已免/已退' } as const;
    return csvDocument(
      ['学号', '姓名', '院系', '应缴(元)', '已缴(元)', '状态'],
      bills.map((b) => [
        b.personNo,
        b.name,
        b.department,
        fenToYuan(b.amountDue),
        fenToYuan(b.amountPaid),
        statusNames[billStatus(b.amountDue, b.amountPaid)],
      ]),
    );
  }
}
