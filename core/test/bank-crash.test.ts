import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { migratedDatabase, spawnCore, testServiceKey } from '@campus-card/tests/kit';
import { type BankStandIn, startBank } from '../../mock/bank/server.ts';
import { CoreClient } from '../src/client/index.ts';
import { openDatabase } from '../src/db/database.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';

/**
 * kill -9 the core while 圈存 loads are in flight (the bank books each at once and answers 300 ms
 * later, so the kill lands between the bank's booking and our credit), restart it, let the resolve
 * job run, and show that the bank's record and the cards agree: every debit the bank kept is
 * credited exactly once, every transfer not credited was reversed at the bank, nothing is left
 * pending, and the ledger check holds.
 */
const secret = 'bank-crash-secret-0123456789abcdef';
let database: Awaited<ReturnType<typeof migratedDatabase>>;
let bank: BankStandIn;
before(async () => {
  database = await migratedDatabase('mysql');
  bank = await startBank({ secret });
});
after(async () => {
  await bank.close();
  await database.drop();
});

test('when the core is killed with SIGKILL in the middle of loads, then after restart and resolution no bank transfer is lost or doubled', {
  timeout: 120_000,
}, async () => {
  const env = {
    DATABASE_URL: database.url,
    CORE_SERVICE_KEYS: `${testServiceKey.keyId}:${testServiceKey.secret}`,
    PAY_INTERVAL_MS_MIN: '0',
    BANK_URL: bank.url,
    BANK_SECRET: secret,
    BANK_TIMEOUT_MS: '5000',
    BANK_RESOLVE_AFTER_MS: '0',
    BANK_JOB_INTERVAL_MS: '3600000',
  };
  const first = await spawnCore(env);
  let client = new CoreClient({ url: first.url, ...testServiceKey });
  const cards: { cardNo: string; bankCard: string }[] = [];
  for (let i = 0; i < 6; i++) {
    const { cardNo } = await client.openCard({
      personNo: `BK${Date.now().toString(36)}${i}`,
      name: '学生',
      type: 'student',
      dailyLimit: 200_000,
    });
    const bankCard = `62228800000000${String(i).padStart(2, '0')}`;
    const phone = `1370000000${i}`;
    const idNumber = `32010120000101000${i}`;
    bank.addAccount({ cardNumber: bankCard, name: '学生', idNumber, phone, balance: 10_000_000 });
    const started = await client.startBankBinding({ cardNo, bankCardNumber: bankCard, idNumber, phone });
    await client.confirmBankBinding({ cardNo, bindingId: started.id, smsCode: bank.smsFor(phone) as string });
    cards.push({ cardNo, bankCard });
  }
  bank.faults = { delayMs: 300 };
  let killed = false;
  let serial = 0;
  let answered = 0;
  const load = Promise.all(
    Array.from({ length: 12 }, async () => {
      while (!killed) {
        const card = cards[randomInt(cards.length)] as (typeof cards)[number];
        try {
          await client.bankLoad({
            cardNo: card.cardNo,
            amount: 100 + randomInt(900),
            idempotencyKey: `crash-${serial++}`,
          });
          answered++;
        } catch {
          // The answer was lost with the process.
        }
      }
    }),
  );
  await sleep(1_500);
  killed = true;
  first.child.kill('SIGKILL');
  await load;
  await client.close();
  assert.ok(answered > 5, `only ${answered} loads answered before the kill`);

  bank.faults = {};
  const second = await spawnCore(env);
  client = new CoreClient({ url: second.url, ...testServiceKey });
  const db = openDatabase(database.url);
  try {
    await client.resolveBankTransfers();
    const rows = await db.select<{ id: string; status: string; amount: number; card_no: string }>(
      'SELECT id, status, amount, card_no FROM bank_transfers',
    );
    assert.ok(rows.length >= answered);
    const ops = new Map(
      (
        await db.select<{ id: string; amount: number }>(
          "SELECT id, amount FROM operations WHERE id LIKE 'bk:%' AND outcome = 'ok'",
        )
      ).map((o) => [o.id, Number(o.amount)]),
    );
    let unsettled = 0;
    for (const row of rows) {
      const atBank = bank.transfers.get(row.id);
      if (row.status === 'credited') {
        assert.equal(atBank?.status, 'succeeded', `${row.id} credited but the bank says ${atBank?.status}`);
        assert.equal(ops.get(`bk:${row.id}`), Number(row.amount), `${row.id} credited once for its amount`);
      } else {
        if (row.status === 'pending' || row.status === 'uncertain') unsettled++;
        assert.notEqual(atBank?.status, 'succeeded', `${row.id} kept by the bank but ${row.status} here`);
        assert.equal(ops.has(`bk:${row.id}`), false, `${row.id} ${row.status} but credited`);
      }
    }
    assert.equal(unsettled, 0, 'nothing is left pending after resolution');
    // The money agrees on both sides: what the bank kept is what the cards hold.
    for (const { cardNo, bankCard } of cards) {
      const taken = 10_000_000 - (bank.accounts.get(bankCard)?.balance ?? 0);
      assert.equal((await client.getCard(cardNo)).balance.main, taken, `card ${cardNo}`);
    }
    assert.deepEqual((await checkLedger(db)).breaks, []);
  } finally {
    await db.close();
    await client.close();
    await second.stop();
  }
});
