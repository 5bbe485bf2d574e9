import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ActivationCodes } from '../src/bindings/activation-codes.ts';
import { CoreError } from '../src/client/index.ts';
import { createPii } from '../src/pii.ts';
import { dialects, opId, startTestCore, type TestCore } from './support.ts';

let serial = 0;
function personNo(): string {
  serial += 1;
  return `B${process.pid}${Date.now().toString(36)}${serial}`.slice(0, 32);
}

for (const dialect of dialects) {
  describe(`WeChat bindings and statements (${dialect})`, () => {
    let t: TestCore;
    const piiKey = randomBytes(32).toString('hex');
    before(async () => {
      t = await startTestCore(dialect, { HOLD_SWEEP_INTERVAL_MS: '3600000', PII_KEY: piiKey });
    });
    after(() => t.stop());

    async function openPerson(idNumber = '11010519491231002X') {
      const no = personNo();
      const card = await t.client.openCard({ personNo: no, name: '王小明', type: 'student', idNumber });
      return { personNo: no, cardNo: card.cardNo, version: card.version };
    }

    async function refused(promise: Promise<unknown>, code: string) {
      await assert.rejects(promise, (error: unknown) => error instanceof CoreError && error.code === code);
    }

    test('when the name and the last 6 ID characters match, then the account is bound and the card version bumps', async () => {
      // Goal: binding proves identity and kills credentials of any earlier phone.
      const person = await openPerson();
      const bound = await t.client.bind({
        openid: 'openid-alpha-1',
        personNo: person.personNo,
        name: '王小明',
        secret: '31002x',
      });
      assert.equal(bound.created, true);
      assert.equal(bound.cardNo, person.cardNo);
      assert.equal(bound.cardVersion, person.version + 1);
      assert.equal((await t.client.getCard(person.cardNo)).version, person.version + 1);
      const again = await t.client.bind({
        openid: 'openid-alpha-1',
        personNo: person.personNo,
        name: '王小明',
        secret: '31002X',
      });
      assert.equal(again.created, false, 'a retry binds nothing new');
      assert.equal(again.cardVersion, person.version + 1, 'and bumps nothing');
      assert.equal((await t.client.binding('openid-alpha-1')).personNo, person.personNo);
    });

    test('when any part of the identity is wrong, then IDENTITY_MISMATCH and nothing is bound', async () => {
      const person = await openPerson();
      const base = { openid: 'openid-beta-1', personNo: person.personNo, name: '王小明', secret: '31002X' };
      await refused(t.client.bind({ ...base, secret: '310021' }), 'IDENTITY_MISMATCH');
      await refused(t.client.bind({ ...base, name: '王小红' }), 'IDENTITY_MISMATCH');
      await refused(t.client.bind({ ...base, personNo: 'NOBODY999' }), 'IDENTITY_MISMATCH');
      await refused(t.client.binding('openid-beta-1'), 'BINDING_NOT_FOUND');
      const noId = await t.client.openCard({ personNo: personNo(), name: '无证件', type: 'student' });
      await refused(
        t.client.bind({ ...base, personNo: noId.personNo, name: '无证件', secret: '000000' }),
        'IDENTITY_MISMATCH',
      );
    });

    test('when a person or an account is already bound elsewhere, then ALREADY_BOUND', async () => {
      // Goal: one person <-> one WeChat account, both ways.
      const first = await openPerson();
      const second = await openPerson('110105194912310037');
      await t.client.bind({
        openid: 'openid-gamma-1',
        personNo: first.personNo,
        name: '王小明',
        secret: '31002X',
      });
      await refused(
        t.client.bind({
          openid: 'openid-gamma-2',
          personNo: first.personNo,
          name: '王小明',
          secret: '31002X',
        }),
        'ALREADY_BOUND',
      );
      await refused(
        t.client.bind({
          openid: 'openid-gamma-1',
          personNo: second.personNo,
          name: '王小明',
          secret: '310037',
        }),
        'ALREADY_BOUND',
      );
    });

    test('when an account unbinds, then the binding is gone, the version bumps, and the person can bind again', async () => {
      const person = await openPerson();
      const bound = await t.client.bind({
        openid: 'openid-delta-1',
        personNo: person.personNo,
        name: '王小明',
        secret: '31002X',
      });
      assert.deepEqual(await t.client.unbind('openid-delta-1'), { unbound: true, cardNo: person.cardNo });
      assert.equal((await t.client.getCard(person.cardNo)).version, bound.cardVersion + 1);
      assert.deepEqual(await t.client.unbind('openid-delta-1'), { unbound: false, cardNo: null });
      const rebound = await t.client.bind({
        openid: 'openid-delta-2',
        personNo: person.personNo,
        name: '王小明',
        secret: '31002X',
      });
      assert.equal(rebound.created, true);
    });

    test('when the ID number changes after a digest was made, then only the new secret binds', async () => {
      // Goal: the stored digest follows the sealed ID number it came from.
      const person = await openPerson();
      await refused(
        t.client.bind({
          openid: 'openid-eps-1',
          personNo: person.personNo,
          name: '王小明',
          secret: '000000',
        }),
        'IDENTITY_MISMATCH',
      );
      const sealed = createPii(piiKey).encrypt('110105194912310053');
      await t.core.db.execute('UPDATE persons SET id_number_enc = ? WHERE person_no = ?', [
        sealed,
        person.personNo,
      ]);
      await refused(
        t.client.bind({
          openid: 'openid-eps-1',
          personNo: person.personNo,
          name: '王小明',
          secret: '31002X',
        }),
        'IDENTITY_MISMATCH',
      );
      const bound = await t.client.bind({
        openid: 'openid-eps-1',
        personNo: person.personNo,
        name: '王小明',
        secret: '310053',
      });
      assert.equal(bound.created, true);
    });

    test('#12.1 when the card centre issues an activation code, then it binds once, a second use or an old code is refused, and only its digest is stored', async () => {
      const person = await openPerson();
      const first = await t.client.issueActivationCode(person.cardNo, 'admin-1');
      assert.match(first.code, /^[0-9A-Z]{10}$/);
      assert.ok(first.expiresAtMs > Date.now());
      const issued = await t.client.issueActivationCode(person.cardNo, 'admin-1');
      const stored = await t.core.db.select<Record<string, unknown>>(
        'SELECT * FROM card_activation_codes WHERE card_no = ?',
        [person.cardNo],
      );
      assert.ok(!JSON.stringify(stored).includes(issued.code), 'the code itself is never stored');
      const bind = (openid: string, activationCode: string) =>
        t.client.bind({ openid, personNo: person.personNo, name: '王小明', activationCode });
      await refused(bind('openid-code-old', first.code), 'IDENTITY_MISMATCH');
      const spaced = `${issued.code.slice(0, 5).toLowerCase()}-${issued.code.slice(5)}`;
      const bound = await bind('openid-code-1', spaced);
      assert.equal(bound.cardNo, person.cardNo);
      await t.client.unbind('openid-code-1');
      await refused(bind('openid-code-2', issued.code), 'IDENTITY_MISMATCH');
    });

    test('#12.1 when 60 binds race with guessed activation codes (the right one last), then at most 5 are compared and nothing binds', async () => {
      // Goal: each check takes one of the code's attempts with a conditional UPDATE before comparing,
      // so a burst on the database cannot compare more than attemptsMax guesses.
      const person = await openPerson();
      const { code } = await t.client.issueActivationCode(person.cardNo, null);
      const guesses = Array.from({ length: 59 }, (_, i) => `GUESS${String(i).padStart(5, '0')}`);
      const results = await Promise.allSettled(
        [...guesses, code].map((activationCode, i) =>
          t.client.bind({
            openid: `openid-burst-${i}`,
            personNo: person.personNo,
            name: '王小明',
            activationCode,
          }),
        ),
      );
      const attempts = await t.core.db.select<{ attempts: number }>(
        'SELECT attempts FROM card_activation_codes WHERE card_no = ?',
        [person.cardNo],
      );
      assert.equal(Number(attempts[0]?.attempts), 5, 'exactly attemptsMax checks were taken');
      const bound = results.filter((r) => r.status === 'fulfilled').length;
      assert.ok(bound <= 1);
      if (bound === 0) {
        // The code is out of attempts: even the right code is refused now.
        await refused(
          t.client.bind({
            openid: 'openid-burst-late',
            personNo: person.personNo,
            name: '王小明',
            activationCode: code,
          }),
          'IDENTITY_MISMATCH',
        );
      }
      assert.equal(
        (results.at(-1) as PromiseSettledResult<unknown>).status,
        'rejected',
        'the right code came too late',
      );
    });

    test('#12.1 when an activation code has expired, then even the right code is refused', async () => {
      const person = await openPerson();
      let nowMs = Date.now();
      const codes = new ActivationCodes(t.core.db, piiKey, { ttlMs: 60_000, attemptsMax: 5 }, () => nowMs);
      const { code } = await codes.issue(person.cardNo, null);
      nowMs += 60_000;
      assert.equal(await codes.check(person.cardNo, code), 'none');
      nowMs -= 1;
      assert.equal(await codes.check(person.cardNo, code), 'ok');
    });

    test('#12.1 when two accounts race to bind with the same right activation code, then exactly one binds', async () => {
      const person = await openPerson();
      const { code } = await t.client.issueActivationCode(person.cardNo, null);
      const results = await Promise.allSettled(
        ['openid-race-a', 'openid-race-b'].map((openid) =>
          t.client.bind({ openid, personNo: person.personNo, name: '王小明', activationCode: code }),
        ),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    });

    test('when a month has payments, refunds, top-ups and subsidies, then the statement nets them by merchant and category', async () => {
      const person = await openPerson();
      const canteen = await t.client.createMerchant({ name: '一食堂', category: 'canteen' });
      const shop = await t.client.createMerchant({ name: '超市', category: 'shop' });
      await t.client.topUp({ id: opId(), cardNo: person.cardNo, amount: 10_000, channel: 'cash' });
      await t.client.subsidize({ id: opId(), cardNo: person.cardNo, amount: 500 });
      await t.client.pay({ id: opId(), cardNo: person.cardNo, merchantId: canteen.id, amount: 1_200 });
      const refundable = opId();
      await t.client.pay({ id: refundable, cardNo: person.cardNo, merchantId: shop.id, amount: 800 });
      await t.client.refund({ id: opId(), paymentId: refundable, amount: 300 });
      const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
      const statement = await t.client.monthlyStatement(person.cardNo, month);
      assert.equal(statement.spent, 1_700);
      assert.equal(statement.refunded, 300);
      assert.equal(statement.toppedUp, 10_000);
      assert.equal(statement.subsidies, 500);
      assert.deepEqual(statement.byCategory, [
        { category: 'canteen', amount: 1_200 },
        { category: 'shop', amount: 500 },
      ]);
      assert.deepEqual(
        statement.byMerchant.map((m) => [m.merchantName, m.amount]),
        [
          ['一食堂', 1_200],
          ['超市', 500],
        ],
      );
      assert.equal(statement.previousSpent, 0);
      assert.equal(statement.spentChange, 1_700);

      const payments = await t.client.cardTransactions(person.cardNo, {
        month,
        kinds: ['payment'],
        limit: 1,
      });
      assert.equal(payments.items.length, 1);
      assert.equal(payments.items[0]?.amount, -800, 'newest first, spending negative');
      assert.equal(payments.items[0]?.merchantName, '超市');
      assert.ok(payments.next);
      const page2 = await t.client.cardTransactions(person.cardNo, {
        month,
        kinds: ['payment'],
        ...payments.next,
      });
      assert.deepEqual(
        page2.items.map((i) => i.amount),
        [-1_200],
      );
      const lastYear = await t.client.cardTransactions(person.cardNo, { month: '2001-01' });
      assert.deepEqual(lastYear.items, []);
      const one = await t.client.cardTransaction(person.cardNo, refundable);
      assert.equal(one.refundedAmount, 300);
      const other = await openPerson();
      await refused(t.client.cardTransaction(other.cardNo, refundable), 'OPERATION_NOT_FOUND');
    });
  });
}
