import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStudent } from '@campus-card/tests/kit';
import { checkLedger } from '../../core/src/ledger/ledger-check.ts';
import { createPii } from '../../core/src/pii.ts';
import { type BankStandIn, startBank } from '../../mock/bank/server.ts';
import { Kiosk } from '../../mock/devices/kiosk.ts';
import { startUtilityStandIn } from '../../mock/utility/server.ts';
import type { Message } from '../src/protocol/index.ts';
import { phoneFor, registerDevice, startWorld, TestDevice, type TestWorld } from './support.ts';

/**
 * The self-service kiosk over TCP against the real core, MariaDB and the bank stand-in: identify with
 * a code, load from the bound bank card, and take banknotes whose frame is retried under the same
 * sequence (credited once, counted once in the cash box); a collection compares the box with the count.
 */
describe('kiosk over TCP', () => {
  const piiKeyHex = 'ab'.repeat(32);
  const secret = 'kiosk-bank-secret-0123456789abcdef';
  let bank: BankStandIn;
  let meter: Awaited<ReturnType<typeof startUtilityStandIn>>;
  let world: TestWorld;
  let kiosk: TestDevice;
  let kioskId: number;

  before(async () => {
    bank = await startBank({ secret });
    meter = await startUtilityStandIn();
    world = await startWorld(
      {},
      {},
      {
        BANK_URL: bank.url,
        BANK_SECRET: secret,
        BANK_JOB_INTERVAL_MS: '3600000',
        UTILITY_URL: meter.url,
        UTILITY_RECONCILE_INTERVAL_MS: '3600000',
        PII_KEY: piiKeyHex,
      },
    );
    const { deviceId, key } = await registerDevice(world, 'kiosk');
    kioskId = deviceId;
    kiosk = await TestDevice.connect(world.gateway.port, deviceId, key);
    assert.equal((await kiosk.signIn('kiosk')).message.kind, 'sign_in_accepted');
  });
  after(async () => {
    kiosk.close();
    await world.stop();
    await bank.close();
    await meter.close();
  });

  async function identify(cardNo: string): Promise<Extract<Message, { kind: 'kiosk_account' }>> {
    const phone = await phoneFor(world.client, cardNo);
    const reply = await kiosk.request({ kind: 'kiosk_identify', code: { kind: 'qr', text: phone.code() } });
    assert.equal(reply.message.kind, 'kiosk_account');
    return reply.message as Extract<Message, { kind: 'kiosk_account' }>;
  }

  test('when banknotes are counted and the frame is sent again under the same sequence, then the card is credited once and the box counts them once', async () => {
    const cardNo = await openStudent(world.client);
    const account = await identify(cardNo);
    assert.equal(account.reason, 'NONE');
    assert.equal(account.displayName, '测*生');
    assert.equal(account.mainFen, 0);
    const cash: Message = {
      kind: 'kiosk_cash_top_up',
      sessionToken: account.sessionToken,
      amountFen: 15_000,
      notes: 2,
    };
    const first = await kiosk.request(cash);
    assert.deepEqual(first.message, {
      kind: 'kiosk_load_result',
      reason: 'NONE',
      status: 'credited',
      amountFen: 15_000,
      balanceAfterFen: 15_000,
      reference: `dev:${kioskId}:${first.sequence}`,
    });
    // The answer was lost: the kiosk sends the same frame again, and once more after reconnecting.
    const again = await kiosk.request(cash, first.sequence);
    assert.deepEqual(again.message, first.message);
    const second = await TestDevice.connect(world.gateway.port, kioskId, kiosk.key);
    second.sequence = kiosk.sequence;
    assert.equal((await second.signIn('kiosk')).message.kind, 'sign_in_accepted');
    const third = await second.request(cash, first.sequence);
    // The new connection replaced the old one: the kiosk goes on with it.
    kiosk.close();
    kiosk = second;
    assert.equal(third.message.kind, 'kiosk_load_result');
    assert.equal((await world.client.getCard(cardNo)).balance.main, 15_000);
    const box = (await world.client.kioskCashBoxes()).items.find((b) => b.deviceRef === String(kioskId));
    assert.deepEqual(box && { amount: box.openAmount, notes: box.openNotes }, { amount: 15_000, notes: 2 });
    // Collected 100 yuan short: an exception for finance; the box starts again from nothing.
    const short = await world.client.collectKioskCash({
      deviceRef: String(kioskId),
      requestId: `collect-${kioskId}-1`,
      countedAmount: 5_000,
      collectorId: 'finance-1',
    });
    assert.equal(short.status, 'discrepancy');
    assert.equal(short.difference, -10_000);
    const retried = await world.client.collectKioskCash({
      deviceRef: String(kioskId),
      requestId: `collect-${kioskId}-1`,
      countedAmount: 5_000,
      collectorId: 'finance-1',
    });
    assert.equal(retried.id, short.id);
    const empty = await world.client.collectKioskCash({
      deviceRef: String(kioskId),
      requestId: `collect-${kioskId}-2`,
      countedAmount: 0,
      collectorId: 'finance-1',
    });
    assert.equal(empty.status, 'balanced');
    const open = (await world.client.kioskCollections({ status: 'discrepancy' })).items;
    assert.deepEqual(
      open.map((c) => c.id),
      [short.id],
    );
  });

  test('when a bound card loads from its bank card at the kiosk, then it is credited and the bank debited once', async () => {
    const cardNo = await openStudent(world.client);
    bank.addAccount({
      cardNumber: '6222600000000001',
      name: '测试学生',
      idNumber: '110101200002021234',
      phone: '13900000099',
      balance: 50_000,
    });
    const started = await world.client.startBankBinding({
      cardNo,
      bankCardNumber: '6222600000000001',
      idNumber: '110101200002021234',
      phone: '13900000099',
    });
    await world.client.confirmBankBinding({
      cardNo,
      bindingId: started.id,
      smsCode: bank.smsFor('13900000099') as string,
    });
    const account = await identify(cardNo);
    assert.equal(account.bankTail, '0001');
    const load: Message = { kind: 'kiosk_bank_load', sessionToken: account.sessionToken, amountFen: 5_000 };
    const reply = await kiosk.request(load);
    assert.equal(reply.message.kind, 'kiosk_load_result');
    if (reply.message.kind === 'kiosk_load_result') {
      assert.equal(reply.message.status, 'credited');
      assert.equal(reply.message.balanceAfterFen, 5_000);
      assert.match(reply.message.reference, /^bk/);
    }
    await kiosk.request(load, reply.sequence);
    assert.equal(bank.accounts.get('6222600000000001')?.balance, 45_000);
    assert.equal((await world.client.getCard(cardNo)).balance.main, 5_000);
  });

  test('when the session is unknown or the card has no bank card, then the load is refused and nothing moves', async () => {
    const cardNo = await openStudent(world.client);
    const stale = await kiosk.request({
      kind: 'kiosk_bank_load',
      sessionToken: new Uint8Array(16).fill(7),
      amountFen: 100,
    });
    assert.deepEqual(stale.message, {
      kind: 'kiosk_load_result',
      reason: 'KIOSK_SESSION_EXPIRED',
      status: 'refused',
      amountFen: 100,
      balanceAfterFen: 0,
      reference: '',
    });
    const account = await identify(cardNo);
    assert.equal(account.bankTail, '');
    const unbound = await kiosk.request({
      kind: 'kiosk_bank_load',
      sessionToken: account.sessionToken,
      amountFen: 100,
    });
    assert.equal(unbound.message.kind === 'kiosk_load_result' && unbound.message.reason, 'BANK_NOT_BOUND');
    assert.equal((await world.client.getCard(cardNo)).balance.main, 0);
  });

  test('when electricity is bought at the kiosk and the frame is sent again, then the room is credited once and the card charged once', async () => {
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: `kiosk-elec-fund-${cardNo}`, cardNo, amount: 5_000, channel: 'cash' });
    meter.addRoom({ roomId: 'K07-101', building: '七号楼', roomNo: '101' });
    await world.client.saveDormRoom('K07-101', { building: '七号楼', roomNo: '101' });
    const account = await identify(cardNo);
    const pay: Message = {
      kind: 'kiosk_utility_pay',
      sessionToken: account.sessionToken,
      service: 'electricity',
      target: 'K07-101',
      packageId: '',
      amountFen: 2_000,
    };
    const first = await kiosk.request(pay);
    assert.equal(first.message.kind, 'kiosk_utility_result');
    if (first.message.kind === 'kiosk_utility_result') {
      assert.equal(first.message.status, 'completed');
      assert.equal(first.message.balanceAfterFen, 3_000);
    }
    const again = await kiosk.request(pay, first.sequence);
    assert.deepEqual(again.message, first.message);
    assert.deepEqual([...meter.credits.values()], [1]);
    assert.equal((await world.client.getCard(cardNo)).balance.main, 3_000);
    const nowhere = await kiosk.request({ ...pay, target: 'NO-SUCH-ROOM' } as Message);
    assert.equal(
      nowhere.message.kind === 'kiosk_utility_result' && nowhere.message.reason,
      'UTILITY_REFUSED',
    );
    assert.equal((await world.client.getCard(cardNo)).balance.main, 3_000);
  });

  /** A student with an ID number on record and a card PIN, as the card centre opens them. */
  let idSerial = 0;
  async function studentWithId(): Promise<{ cardNo: string; idNumber: string }> {
    idSerial += 1;
    const idNumber = `1101052000010${String(1000 + idSerial)}X`;
    const card = await world.client.openCard({
      personNo: `K${Date.now().toString(36)}${idSerial}`,
      name: '王小明',
      type: 'student',
      department: '计算机学院',
      idNumber,
    });
    await world.client.setPin(card.cardNo, '135790', { type: 'self', id: null });
    return { cardNo: card.cardNo, idNumber };
  }
  const byId = async (idNumber: string, pin: string) => {
    const reply = await kiosk.request({ kind: 'kiosk_identify_by_id', idNumber, pin });
    assert.equal(reply.message.kind, 'kiosk_account');
    return reply.message as Extract<Message, { kind: 'kiosk_account' }>;
  };

  test('when a person types their ID number and PIN, then the kiosk opens their account; a wrong PIN and an unknown number answer alike', async () => {
    // Goal: identification without a phone, looked up by the keyed hash (lower-case check letter too),
    // and nothing told apart between "no such number" and "wrong PIN".
    const { cardNo, idNumber } = await studentWithId();
    const account = await byId(idNumber.toLowerCase(), '135790');
    assert.equal(account.reason, 'NONE');
    assert.equal(account.displayName, '王*明');
    const cash = await kiosk.request({
      kind: 'kiosk_cash_top_up',
      sessionToken: account.sessionToken,
      amountFen: 1_000,
      notes: 1,
    });
    assert.equal(cash.message.kind === 'kiosk_load_result' && cash.message.status, 'credited');
    assert.equal((await world.client.getCard(cardNo)).balance.main, 1_000);
    assert.equal((await byId(idNumber, '000000')).reason, 'PIN_INVALID');
    assert.equal((await byId('110105199001019999', '135790')).reason, 'PIN_INVALID');
  });

  test('when the identity sync replaces an ID number, then the old number stops identifying at once and the new one works; the index never holds the number', async () => {
    const { cardNo, idNumber } = await studentWithId();
    const card = await world.client.getCard(cardNo);
    assert.deepEqual(await world.client.kioskIdentifyById({ idNumber, pin: '135790' }), { cardNo });
    const rows = await world.core.core.db.select<Record<string, unknown>>(
      'SELECT * FROM kiosk_id_index WHERE person_id = ?',
      [card.personId],
    );
    assert.equal(rows.length, 1);
    assert.ok(!JSON.stringify(rows).includes(idNumber.slice(0, 17)), 'no plain ID number in the index');
    // The sync seals the corrected number into persons.id_number_enc, as it does for any change.
    const corrected = `${idNumber.slice(0, 14)}567X`;
    await world.core.core.db.execute('UPDATE persons SET id_number_enc = ? WHERE id = ?', [
      createPii(piiKeyHex).encrypt(corrected),
      card.personId,
    ]);
    await assert.rejects(
      world.client.kioskIdentifyById({ idNumber, pin: '135790' }),
      (error: { code?: string }) => error.code === 'PIN_INVALID',
    );
    assert.equal((await byId(corrected.toLowerCase(), '135790')).reason, 'NONE');
  });

  test('when 50 wrong PINs for one ID number arrive at once, then the card PIN locks and the right PIN is refused too', async () => {
    // Goal: the tries are the card's own PIN counter, reserved before each comparison: a burst gets no
    // more than the limit, and the lock holds against the right PIN afterwards.
    const { idNumber } = await studentWithId();
    await byId(idNumber, '135790');
    const answers = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        world.client.kioskIdentifyById({ idNumber, pin: String(200_000 + i) }),
      ),
    );
    assert.deepEqual(
      [
        ...new Set(
          answers.map((a) => (a.status === 'rejected' ? (a.reason as { code: string }).code : 'ok')),
        ),
      ],
      ['PIN_INVALID'],
    );
    assert.equal((await byId(idNumber, '135790')).reason, 'PIN_INVALID');
  });

  test('when a person identified by ID number reports the card lost at the simulator kiosk, then the card is lost and a second report changes nothing', async () => {
    // The kiosk simulator of npm start (mock/devices/kiosk.ts) as its own kiosk.
    const { deviceId, key } = await registerDevice(world, 'kiosk');
    const simulator = await Kiosk.connect({ port: world.gateway.port, deviceId, key });
    try {
      const { cardNo, idNumber } = await studentWithId();
      assert.equal((await simulator.identifyById(idNumber, '135790')).reason, 'NONE');
      assert.deepEqual((await simulator.fees()).bills, []);
      assert.deepEqual(await simulator.reportLoss(), {
        kind: 'kiosk_loss_result',
        reason: 'NONE',
        status: 'reported',
      });
      assert.equal((await world.client.getCard(cardNo)).status, 'lost');
      assert.deepEqual(await simulator.reportLoss(), {
        kind: 'kiosk_loss_result',
        reason: 'NONE',
        status: 'already_lost',
      });
      const history = await world.client.cardHistory(cardNo);
      assert.ok(history.some((h) => JSON.stringify(h).includes('自助机挂失')));
    } finally {
      simulator.close();
    }
    const stale = await kiosk.request({
      kind: 'kiosk_report_loss',
      sessionToken: new Uint8Array(16).fill(3),
    });
    assert.equal(stale.message.kind === 'kiosk_loss_result' && stale.message.reason, 'KIOSK_SESSION_EXPIRED');
  });

  test('when a person cancels their own loss at the simulator kiosk with the PIN, then the card is active again, a wrong PIN or a frozen card changes nothing, and the history says it was the kiosk', async () => {
    // Goal (protocol § 7.25): 解挂 under the app's rules, recorded in the card history as done at the kiosk.
    const { deviceId, key } = await registerDevice(world, 'kiosk');
    const simulator = await Kiosk.connect({ port: world.gateway.port, deviceId, key });
    const result = (reason: string, status: string) => ({ kind: 'kiosk_cancel_loss_result', reason, status });
    try {
      const { cardNo, idNumber } = await studentWithId();
      assert.equal((await simulator.identifyById(idNumber, '135790')).reason, 'NONE');
      assert.equal((await simulator.reportLoss()).status, 'reported');
      assert.deepEqual(await simulator.cancelLoss('000000'), result('PIN_INVALID', 'refused'));
      assert.equal((await world.client.getCard(cardNo)).status, 'lost', 'a wrong PIN changes nothing');
      assert.deepEqual(await simulator.cancelLoss('135790'), result('NONE', 'cancelled'));
      assert.equal((await world.client.getCard(cardNo)).status, 'active');
      assert.deepEqual(await simulator.cancelLoss('135790'), result('NONE', 'not_lost'));
      const history = await world.client.cardHistory(cardNo);
      const cancelled = history.filter((h) => h.kind === 'cancel_loss');
      assert.deepEqual(
        cancelled.map((h) => [h.fromStatus, h.toStatus, h.actorType, h.actorId, h.reason]),
        [['lost', 'active', 'device', String(deviceId), '自助机解挂']],
        'one cancellation, by this kiosk',
      );
      const card = await world.client.getCard(cardNo);
      const notices = await world.core.core.db.select<{ title: string }>(
        "SELECT title FROM notifications WHERE person_id = ? AND kind LIKE 'loss_cancelled:%'",
        [card.personId],
      );
      assert.deepEqual(
        notices.map((n) => n.title),
        ['校园卡已解挂'],
      );
      // A frozen card is not a lost one: nothing to cancel here.
      await world.client.changeCard(cardNo, 'freeze', { type: 'admin', id: 'centre' }, '核查');
      assert.deepEqual(await simulator.cancelLoss('135790'), result('CARD_FROZEN', 'refused'));
      assert.equal((await world.client.getCard(cardNo)).status, 'frozen');
    } finally {
      simulator.close();
    }
    const stale = await kiosk.request({
      kind: 'kiosk_cancel_loss',
      sessionToken: new Uint8Array(16).fill(4),
      pin: '135790',
    });
    assert.deepEqual(stale.message, result('KIOSK_SESSION_EXPIRED', 'refused'));
  });

  test('when the card centre reported the loss, then a session opened by a code may not cancel it at the kiosk and one opened by the ID number may', async () => {
    // Goal: the app's "who may undo": a loss someone else reported needs the identity proof, which at a
    // kiosk is the ID number; the PIN alone (a code session) is refused and changes nothing.
    const { cardNo, idNumber } = await studentWithId();
    const byCode = await identify(cardNo);
    assert.equal(byCode.reason, 'NONE');
    await world.client.changeCard(cardNo, 'report_loss', { type: 'admin', id: 'centre' }, '卡务中心挂失');
    const refused = await kiosk.request({
      kind: 'kiosk_cancel_loss',
      sessionToken: byCode.sessionToken,
      pin: '135790',
    });
    assert.deepEqual(refused.message, {
      kind: 'kiosk_cancel_loss_result',
      reason: 'NOT_PERMITTED',
      status: 'refused',
    });
    assert.equal((await world.client.getCard(cardNo)).status, 'lost');
    const account = await byId(idNumber, '135790');
    assert.equal(account.reason, 'NONE');
    const cancelled = await kiosk.request({
      kind: 'kiosk_cancel_loss',
      sessionToken: account.sessionToken,
      pin: '135790',
    });
    assert.deepEqual(cancelled.message, {
      kind: 'kiosk_cancel_loss_result',
      reason: 'NONE',
      status: 'cancelled',
    });
    assert.equal((await world.client.getCard(cardNo)).status, 'active');
  });

  test('when owed fees are listed and paid at the kiosk, then each frame pays once, the PIN is asked above the PIN-free limit, and another person’s bill is refused', async () => {
    const { cardNo, idNumber } = await studentWithId();
    const other = await studentWithId();
    const [mine, theirs] = await Promise.all([
      world.client.getCard(cardNo),
      world.client.getCard(other.cardNo),
    ]);
    const code = `KF${Date.now().toString(36)}`;
    await world.client.createFeeItem({
      code,
      name: '教材费',
      category: 'textbook',
      amount: 3_000,
      dueDay: '2027-03-01',
      allowPartial: true,
      audience: { persons: [{ personNo: mine.personNo }, { personNo: theirs.personNo }] },
    });
    await world.client.createFeeItem({
      code: `${code}B`,
      name: '住宿费',
      category: 'accommodation',
      amount: 8_000,
      dueDay: '2027-02-01',
      audience: { persons: [{ personNo: mine.personNo }] },
    });
    await world.client.topUp({ id: `kiosk-fee-fund-${cardNo}`, cardNo, amount: 20_000, channel: 'cash' });
    const account = await byId(idNumber, '135790');
    const listed = await kiosk.request({
      kind: 'kiosk_fees_request',
      sessionToken: account.sessionToken,
      billId: '',
      amountFen: 0,
      pin: '',
    });
    assert.equal(listed.message.kind, 'kiosk_fees');
    const bills = listed.message.kind === 'kiosk_fees' ? listed.message.bills : [];
    assert.deepEqual(
      bills.map((b) => [b.name, b.owedFen, b.allowPartial]),
      [
        ['住宿费', 8_000, false],
        ['教材费', 3_000, true],
      ],
    );
    const [rent, books] = bills as [(typeof bills)[number], (typeof bills)[number]];
    const part: Message = {
      kind: 'kiosk_fees_request',
      sessionToken: account.sessionToken,
      billId: books.billId,
      amountFen: 1_000,
      pin: '',
    };
    const paid = await kiosk.request(part);
    assert.equal(paid.message.kind, 'kiosk_fees');
    if (paid.message.kind === 'kiosk_fees') {
      assert.deepEqual(
        [paid.message.reason, paid.message.payment, paid.message.balanceAfterFen],
        ['NONE', 'paid', 19_000],
      );
      assert.match(paid.message.reference, /^R/);
      assert.deepEqual(
        paid.message.bills.map((b) => b.owedFen),
        [8_000, 2_000],
      );
    }
    // The answer was lost: the same frame again pays nothing more and answers the same.
    assert.deepEqual((await kiosk.request(part, paid.sequence)).message, paid.message);
    const rentNoPin = await kiosk.request({ ...part, billId: rent.billId, amountFen: 8_000 } as Message);
    assert.equal(rentNoPin.message.kind === 'kiosk_fees' && rentNoPin.message.reason, 'PIN_REQUIRED');
    const rentPaid = await kiosk.request({
      ...part,
      billId: rent.billId,
      amountFen: 8_000,
      pin: '135790',
    } as Message);
    assert.equal(rentPaid.message.kind === 'kiosk_fees' && rentPaid.message.payment, 'paid');
    assert.equal((await world.client.getCard(cardNo)).balance.main, 11_000);
    const otherBill = (await world.client.cardFeeBills(other.cardNo)).items[0]?.id ?? '';
    const stolen = await kiosk.request({ ...part, billId: otherBill, amountFen: 1_000 } as Message);
    assert.equal(stolen.message.kind === 'kiosk_fees' && stolen.message.reason, 'FEE_REFUSED');
    const tooMuch = await kiosk.request({ ...part, amountFen: 5_000 } as Message);
    assert.equal(tooMuch.message.kind === 'kiosk_fees' && tooMuch.message.reason, 'FEE_REFUSED');
    assert.equal((await world.client.getCard(cardNo)).balance.main, 11_000);
    assert.equal((await world.client.feeBill(otherBill)).amountPaid, 0);
  });

  test('when a till sends a kiosk request, then it is UNEXPECTED_MESSAGE and nothing is credited', async () => {
    const { deviceId, key } = await registerDevice(world, 'pos');
    const till = await TestDevice.connect(world.gateway.port, deviceId, key);
    await till.signIn();
    const reply = await till.request({
      kind: 'kiosk_cash_top_up',
      sessionToken: new Uint8Array(16),
      amountFen: 100,
      notes: 1,
    });
    till.close();
    assert.equal(reply.message.kind === 'error' && reply.message.code, 'UNEXPECTED_MESSAGE');
    assert.deepEqual((await checkLedger(world.core.core.db)).breaks, []);
  });
});
