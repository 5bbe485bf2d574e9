import type { GuardianLink, LinkPatch } from '../contract/guardians.ts';
import type { Database } from '../db/database.ts';
import { newId } from '../ids.ts';

export type { GuardianLink, LinkPatch };

const selectLinks = `SELECT g.id, g.parent_openid, p.person_no, p.name, c.card_no, g.show_balance, g.show_spending,
        g.low_balance_alert, g.created_at_ms,
        (SELECT GROUP_CONCAT(b.openid) FROM wechat_bindings b WHERE b.person_id = g.person_id) AS child_openids
   FROM guardian_links g
   JOIN persons p ON p.id = g.person_id
   JOIN cards c ON c.person_id = g.person_id`;

export class GuardianRepository {
  constructor(private readonly db: Database) {}

  /** The person and card an invitation names, or undefined. */
  async person(personNo: string): Promise<{ personId: string; cardStatus: string } | undefined> {
    const rows = await this.db.select<{ id: string; status: string }>(
      'SELECT p.id, c.status FROM persons p JOIN cards c ON c.person_id = p.id WHERE p.person_no = ?',
      [personNo],
    );
    const r = rows[0];
    return r ? { personId: String(r.id), cardStatus: String(r.status) } : undefined;
  }

  /**
   * Inserts a link unless the parent already has `childrenMax` children or the child `parentsMax`
   * parents. The parent's guardian_parents row and the child's persons row are locked (parent
   * first, always) in the same transaction as the counts and the insert, so concurrent requests
   * are counted one after another and a burst cannot pass either cap (#12.1 class).
   */
  async insertCapped(
    parentOpenid: string,
    personId: string,
    childrenMax: number,
    parentsMax: number,
  ): Promise<'created' | 'exists' | 'parent-full' | 'child-full'> {
    const ignore = this.db.dialect === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    // Made outside the transaction so that racing first requests never upgrade a duplicate-key
    // share lock to a write lock inside one (a deadlock on InnoDB).
    await this.db.execute(`${ignore} INTO guardian_parents (parent_openid) VALUES (?)`, [parentOpenid]);
    return this.db.transaction(async (tx) => {
      await this.db.select(
        `SELECT parent_openid FROM guardian_parents WHERE parent_openid = ?${this.db.forUpdate}`,
        [parentOpenid],
        tx,
      );
      await this.db.select(`SELECT id FROM persons WHERE id = ?${this.db.forUpdate}`, [personId], tx);
      const rows = await this.db.select<{ n: number; mine: number }>(
        `SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN person_id = ? THEN 1 ELSE 0 END), 0) AS mine
           FROM guardian_links WHERE parent_openid = ?`,
        [personId, parentOpenid],
        tx,
      );
      if (Number(rows[0]?.mine ?? 0) > 0) return 'exists';
      if (Number(rows[0]?.n ?? 0) >= childrenMax) return 'parent-full';
      const ofChild = await this.db.select<{ n: number }>(
        'SELECT COUNT(*) AS n FROM guardian_links WHERE person_id = ?',
        [personId],
        tx,
      );
      if (Number(ofChild[0]?.n ?? 0) >= parentsMax) return 'child-full';
      await this.db.execute(
        `INSERT INTO guardian_links (id, parent_openid, person_id, show_balance, show_spending, low_balance_alert, created_at_ms)
         VALUES (?, ?, ?, 1, 1, NULL, ?)`,
        [newId(), parentOpenid, personId, Date.now()],
        tx,
      );
      return 'created';
    });
  }

  async byId(id: string): Promise<GuardianLink | undefined> {
    return (await this.where('g.id = ?', [id]))[0];
  }

  async byParentAndPerson(parentOpenid: string, personId: string): Promise<GuardianLink | undefined> {
    return (await this.where('g.parent_openid = ? AND g.person_id = ?', [parentOpenid, personId]))[0];
  }

  ofParent(parentOpenid: string): Promise<GuardianLink[]> {
    return this.where('g.parent_openid = ?', [parentOpenid]);
  }

  async ofPerson(personNo: string): Promise<GuardianLink[]> {
    return this.where('p.person_no = ?', [personNo]);
  }

  /** Changes only the fields given, in one statement; answers whether the link exists. */
  async update(id: string, patch: LinkPatch): Promise<boolean> {
    const sets: string[] = [];
    const params: (number | null | string)[] = [];
    if (patch.showBalance !== undefined) {
      sets.push('show_balance = ?');
      params.push(patch.showBalance ? 1 : 0);
    }
    if (patch.showSpending !== undefined) {
      sets.push('show_spending = ?');
      params.push(patch.showSpending ? 1 : 0);
    }
    if (patch.lowBalanceAlert !== undefined) {
      sets.push('low_balance_alert = ?');
      params.push(patch.lowBalanceAlert);
    }
    if (sets.length === 0) return (await this.byId(id)) !== undefined;
    // MySQL counts only changed rows, so existence is read afterwards rather than from the count.
    await this.db.execute(`UPDATE guardian_links SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
    return (await this.byId(id)) !== undefined;
  }

  async remove(id: string): Promise<boolean> {
    return (await this.db.execute('DELETE FROM guardian_links WHERE id = ?', [id])) === 1;
  }

  private async where(condition: string, params: string[]): Promise<GuardianLink[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `${selectLinks} WHERE ${condition} ORDER BY g.created_at_ms, g.id`,
      params,
    );
    return rows.map((r) => {
      // A child may be bound from both apps (sql/024); openids hold no commas.
      const childOpenids = r.child_openids === null ? [] : String(r.child_openids).split(',').sort(byApp);
      return {
        id: String(r.id),
        parentOpenid: String(r.parent_openid),
        personNo: String(r.person_no),
        name: String(r.name),
        cardNo: String(r.card_no),
        showBalance: Number(r.show_balance) === 1,
        showSpending: Number(r.show_spending) === 1,
        lowBalanceAlert: r.low_balance_alert === null ? null : Number(r.low_balance_alert),
        childOpenid: childOpenids[0] ?? null,
        childOpenids,
        createdAtMs: Number(r.created_at_ms),
      };
    });
  }
}

/** WeChat accounts before Alipay subjects (`ali-…`), so childOpenid stays the WeChat one where both exist. */
function byApp(a: string, b: string): number {
  return Number(a.startsWith('ali-')) - Number(b.startsWith('ali-')) || (a < b ? -1 : a > b ? 1 : 0);
}
