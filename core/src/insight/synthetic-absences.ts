import { dayBoundsMs, parseDay } from '../time.ts';
import type { AbsenceRow, OperationRow } from './insight-store.ts';
import { random, type SyntheticCampus } from './synthetic-campus.ts';

/**
 * Absences (请假) planted in the synthetic term's last month, for the spending-during-absence rule
 * (absence-spending.ts), with the truth:
 * - students on approved leave: 2–7 days from a morning; 70 % of them off campus, whose own payments
 *   inside the leave are taken out (they are not there), except that one in four leaves late or comes
 *   back early and pays on campus within the first or last six hours (the hard, honest case);
 * - students on leave but on campus (病假 in the dorm): their payments stay, and the rule must ignore them;
 * - thieves: a quarter of the off-campus leaves' cards are used by someone else, from a time inside
 *   the leave, for 3–6 payments an hour or two apart at the canteens and the shop.
 * Deterministic from the seed. Only regular students are chosen (the planted away students are away).
 */

export interface AbsenceTheft {
  cardNo: string;
  absenceId: string;
  /** The thief's payments, in time order. */
  paymentIds: string[];
}

export interface AbsenceCampus {
  operations: OperationRow[];
  absences: AbsenceRow[];
  thefts: AbsenceTheft[];
  /** The assessed month, [fromMs, toMs). */
  fromMs: number;
  toMs: number;
}

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

export function plantAbsences(
  campus: SyntheticCampus,
  options: { seed: number; share?: number } = { seed: 1 },
): AbsenceCampus {
  const rnd = random(options.seed * 31 + 7);
  const share = options.share ?? 0.06;
  const month = campus.months.at(-1) as string;
  const fromMs = dayBoundsMs(parseDay(`${month}-01`) as number).startMs;
  const toMs = dayBoundsMs(parseDay(campus.lastDay) as number).endMs;
  const byCard = new Map<string, OperationRow[]>();
  for (const o of campus.operations) {
    if (o.cardNo === null) continue;
    const list = byCard.get(o.cardNo);
    if (list) list.push(o);
    else byCard.set(o.cardNo, [o]);
  }
  const removed = new Set<string>();
  const added: OperationRow[] = [];
  const absences: AbsenceRow[] = [];
  const thefts: AbsenceTheft[] = [];
  const personOf = new Map(campus.holders.map((h) => [h.cardNo, h.personNo]));
  let serial = 0;
  for (const s of campus.students) {
    if (s.profile !== 'regular' || rnd() >= share) continue;
    const days = 2 + Math.floor(rnd() * 6);
    const startDay = Math.floor(rnd() * Math.max(1, (toMs - fromMs) / dayMs - days));
    const absenceFrom = fromMs + startDay * dayMs + 8 * hourMs;
    const absenceTo = absenceFrom + days * dayMs - 6 * hourMs;
    const offCampus = rnd() < 0.7;
    const id = `ABS${String(++serial).padStart(5, '0')}`;
    absences.push({
      id,
      personNo: personOf.get(s.cardNo) ?? s.cardNo,
      cardNo: s.cardNo,
      kind: rnd() < 0.5 ? 'personal' : 'sick',
      offCampus,
      fromMs: absenceFrom,
      toMs: absenceTo,
      decidedAtMs: absenceFrom - dayMs,
    });
    if (!offCampus) continue;
    // Honest: not there, but one in four still pays within the first or last six hours.
    const lingers = rnd() < 0.25;
    for (const o of byCard.get(s.cardNo) ?? []) {
      if (o.createdAtMs < absenceFrom || o.createdAtMs >= absenceTo) continue;
      const nearEdge = o.createdAtMs < absenceFrom + 6 * hourMs || o.createdAtMs >= absenceTo - 6 * hourMs;
      if (!(lingers && nearEdge)) removed.add(o.id);
    }
    if (rnd() >= 0.25) continue;
    // A thief: from some hours into the leave, 3–6 payments an hour or two apart.
    let at = absenceFrom + (6 + rnd() * (days * 24 - 18)) * hourMs;
    const paymentIds: string[] = [];
    const count = 3 + Math.floor(rnd() * 4);
    for (let i = 0; i < count && at < absenceTo; i++) {
      const paymentId = `abt${serial}-${i}`;
      const merchantId = rnd() < 0.6 ? `CANTEEN${1 + Math.floor(rnd() * 3)}` : 'SHOP1';
      added.push({
        id: paymentId,
        kind: 'payment',
        outcome: 'ok',
        cardNo: s.cardNo,
        merchantId,
        deviceId: null,
        amount: 800 + Math.floor(rnd() * 4_000),
        subsidyAmount: 0,
        createdDay: Math.floor((at + 8 * hourMs) / dayMs),
        createdAtMs: Math.round(at),
      });
      paymentIds.push(paymentId);
      at += (1 + rnd()) * hourMs;
    }
    thefts.push({ cardNo: s.cardNo, absenceId: id, paymentIds });
  }
  const operations = [...campus.operations.filter((o) => !removed.has(o.id)), ...added].sort(
    (a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id),
  );
  return { operations, absences, thefts, fromMs, toMs };
}
