import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { dialects, opId, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { ActivationCodes } from '../src/bindings/activation-codes.ts';
import { CoreError } from '../src/client/index.ts';
import { createPii } from '../src/pii.ts';

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

    test('#14 when a student binds from WeChat and then from Alipay, then both accounts see the card, a second account of either app is refused, and unbinding one leaves the other', async () => {
      // Goal: one binding per person per app (sql/024), not one per person.
      const person = await openPerson();
      const proof = { personNo: person.personNo, name: '王小明', secret: '31002X' };
      const wechat = `openid-both-${randomBytes(4).toString('hex')}`;
      const alipay = `ali-2088${randomBytes(6).toString('hex')}`;
      assert.equal((await t.client.bind({ openid: wechat, ...proof })).created, true);
      const fromAlipay = await t.client.bind({ openid: alipay, ...proof });
      assert.equal(fromAlipay.created, true, 'the Alipay account binds beside the WeChat one');
      assert.equal((await t.client.binding(wechat)).cardNo, person.cardNo);
      assert.equal((await t.client.binding(alipay)).cardNo, person.cardNo);
      await refused(t.client.bind({ openid: `${wechat}-2`, ...proof }), 'ALREADY_BOUND');
      await refused(t.client.bind({ openid: `${alipay}9`, ...proof }), 'ALREADY_BOUND');
      // A parent's link names both accounts, so a loss report can end both apps' sessions.
      const link = await t.client.linkGuardian({
        parentOpenid: `openid-parent-${serial}`,
        personNo: person.personNo,
      });
      assert.deepEqual(link.childOpenids, [wechat, alipay]);
      assert.equal(link.childOpenid, wechat);
      const links = await t.client.guardianLinks({ personNo: person.personNo });
      assert.equal(links.items.length, 1, 'two bindings do not make two link rows');
      assert.deepEqual(await t.client.unbind(wechat), { unbound: true, cardNo: person.cardNo });
      assert.equal((await t.client.binding(alipay)).cardNo, person.cardNo, 'the Alipay binding stays');
      await refused(t.client.binding(wechat), 'BINDING_NOT_FOUND');
      assert.equal(
        (await t.client.bind({ openid: `${wechat}-3`, ...proof })).created,
        true,
        'WeChat may bind anew',
      );
    });

    test('#14 when 20 WeChat and 20 Alipay accounts race to bind one person, then exactly one of each binds', async () => {
      const person = await openPerson();
      const proof = { personNo: person.personNo, name: '王小明', secret: '31002X' };
      const tag = randomBytes(4).toString('hex');
      const openids = Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0 ? `openid-race-${tag}-${i}` : `ali-race${tag}${i}`,
      );
      const results = await Promise.allSettled(openids.map((openid) => t.client.bind({ openid, ...proof })));
      const bound = openids.filter((_, i) => results[i]?.status === 'fulfilled');
      assert.equal(bound.filter((o) => o.startsWith('ali-')).length, 1, JSON.stringify(bound));
      assert.equal(bound.filter((o) => !o.startsWith('ali-')).length, 1, JSON.stringify(bound));
      for (const r of results)
        if (r.status === 'rejected') assert.equal((r.reason as CoreError).code, 'ALREADY_BOUND');
    });

    test('#12.7 when a card has no PIN, then the holder route sets the first PIN only with the identity proof, and a forgotten PIN is reset the same way with a kept notice', async () => {
      const person = await openPerson();
      const openid = `openid-pin-${randomBytes(4).toString('hex')}`;
      await t.client.bind({ openid, personNo: person.personNo, name: '王小明', secret: '31002X' });
      await refused(t.client.holderSetPin(openid, '135790'), 'IDENTITY_REQUIRED');
      await refused(
        t.client.holderSetPin(openid, '135790', { identity: { name: '王小明', secret: '000000' } }),
        'IDENTITY_MISMATCH',
      );
      assert.equal((await t.client.getCard(person.cardNo)).pinSet, false, 'nothing set');
      const first = await t.client.holderSetPin(openid, '135790', {
        identity: { name: '王小明', secret: '31002X' },
      });
      assert.deepEqual(first, { reset: false });
      assert.equal((await t.client.getCard(person.cardNo)).pinSet, true);
      // A change needs the current PIN.
      await refused(t.client.holderSetPin(openid, '246801'), 'PIN_INVALID');
      await refused(t.client.holderSetPin(openid, '246801', { currentPin: '000000' }), 'PIN_INVALID');
      // Forgotten: an activation code (spent by the reset) replaces it without the current PIN.
      const { code } = await t.client.issueActivationCode(person.cardNo, null);
      const reset = await t.client.holderSetPin(openid, '246801', {
        identity: { name: '王小明', activationCode: code },
      });
      assert.deepEqual(reset, { reset: true });
      await refused(
        t.client.holderSetPin(openid, '112233', { identity: { name: '王小明', activationCode: code } }),
        'IDENTITY_MISMATCH',
      );
      await t.client.holderDailyLimit(openid, 50_000, { pin: '246801' });
      const history = await t.client.cardHistory(person.cardNo);
      assert.deepEqual(
        history.filter((e) => e.kind.startsWith('pin_')).map((e) => [e.kind, e.actorType]),
        [
          ['pin_set', 'self'],
          ['pin_reset', 'self'],
        ],
      );
      const card = await t.client.getCard(person.cardNo);
      const notices = await t.client.personNotices(card.personId);
      assert.deepEqual(
        notices.items.filter((n) => n.kind.startsWith('pin_reset')).map((n) => n.title),
        ['支付密码已重置'],
      );
    });

    test('#12.7 when the card centre cancels a loss, then the student gets a kept notice naming who reported and who cancelled', async () => {
      const person = await openPerson();
      await t.client.changeCard(person.cardNo, 'report_loss', { type: 'parent', id: 'G1' });
      const change = await t.client.changeCard(
        person.cardNo,
        'cancel_loss',
        { type: 'admin', id: 'A1' },
        '本人到柜台',
      );
      assert.equal(change.status, 'active');
      const card = await t.client.getCard(person.cardNo);
      const kept = (await t.client.personNotices(card.personId)).items.filter((n) =>
        n.kind.startsWith('loss_cancelled'),
      );
      assert.equal(kept.length, 1);
      assert.match(kept[0]?.body ?? '', /由家长挂失，已由卡务中心解挂/);
      // A repeat changes nothing and tells nothing new.
      await t.client.changeCard(person.cardNo, 'cancel_loss', { type: 'admin', id: 'A1' }, null);
      const again = (await t.client.personNotices(card.personId)).items;
      assert.equal(again.filter((n) => n.kind.startsWith('loss_cancelled')).length, 1);
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
