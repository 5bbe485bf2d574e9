import assert from 'node:assert/strict';
import { openStudent, opId, startTestCore, type TestCore } from '@campus-card/tests/kit';
import type { Accepted, Answer, Rejected } from '../src/client/index.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';

// What the ledger rule tests share: a core with a canteen window and a shower, funded cards, and the
// check after each file that every test left the books balanced.

export function ok(answer: Answer): Accepted & { replayed: boolean } {
  assert.equal(answer.status, 'ok', `expected ok, got ${JSON.stringify(answer)}`);
  return answer as Accepted & { replayed: boolean };
}

export function refused(answer: Answer, code: string): Rejected & { replayed: boolean } {
  assert.equal(answer.status, 'rejected', `expected ${code}, got ${JSON.stringify(answer)}`);
  assert.equal((answer as Rejected).code, code);
  return answer as Rejected & { replayed: boolean };
}

/** A core whose repeat-swipe interval is a minute (so REPEAT_TOO_SOON is reachable), with two merchants. */
export async function startLedgerCore(
  dialect: 'mysql' | 'sqlite',
): Promise<{ t: TestCore; canteen: string; shower: string }> {
  const t = await startTestCore(dialect, { PAY_INTERVAL_MS_MIN: '60000', HOLD_SWEEP_INTERVAL_MS: '1000' });
  const canteen = (await t.client.createMerchant({ name: '一食堂 3 号窗口', category: 'canteen' })).id;
  const shower = (await t.client.createMerchant({ name: '浴室', category: 'shower' })).id;
  return { t, canteen, shower };
}

/** Every test of the file leaves the books balanced; the core stops either way. */
export async function stopBalanced(t: TestCore): Promise<void> {
  try {
    assert.deepEqual((await checkLedger(t.core.db)).breaks, []);
  } finally {
    await t.stop();
  }
}

/** A student card with the given main and subsidy balances, fen. */
export async function fundedCard(t: TestCore, main: number, subsidy = 0): Promise<string> {
  const cardNo = await openStudent(t.client);
  if (main > 0) ok(await t.client.topUp({ id: opId('top'), cardNo, amount: main, channel: 'wechat' }));
  if (subsidy > 0) ok(await t.client.subsidize({ id: opId('sub'), cardNo, amount: subsidy }));
  return cardNo;
}
