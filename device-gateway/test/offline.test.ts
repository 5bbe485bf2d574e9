import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  campusSigningKeyFromSecret,
  generatePhoneKeyPair,
  issueCertificate,
  makeCode,
  webCryptoRandom,
} from '@campus-card/core/credential';
import { openStudent, opId } from '@campus-card/tests/kit';
import { type OfflineRecord, type OfflineRecordBody, signOfflineRecord } from '../src/protocol/index.ts';
import { offlineOn, phoneFor, registerDevice, startWorld, TestDevice, type TestWorld } from './support.ts';

const admin = { type: 'admin', id: 'A1' } as const;

interface Terminal {
  device: TestDevice;
  deviceId: number;
  key: Uint8Array;
  /** A payment record as the device stores it offline, signed with its key. */
  payment(fields: { sequence: number; offlineNo: number; amountFen: number; code: string }): OfflineRecord;
}

async function terminal(world: TestWorld): Promise<Terminal> {
  const { deviceId, key } = await registerDevice(world);
  await world.client.putDeviceConfig(String(deviceId), { paymentMaxFen: 50_000, offline: offlineOn });
  const device = await TestDevice.connect(world.gateway.port, deviceId, key);
  assert.equal((await device.signIn()).message.kind, 'sign_in_accepted');
  // The offline records took sequences 2 … 99; requests go on above them.
  device.sequence = 100;
  return {
    device,
    deviceId,
    key,
    payment: ({ sequence, offlineNo, amountFen, code }) => {
      const body: OfflineRecordBody = {
        recordKind: 'payment',
        decision: 'accepted',
        sequence,
        offlineNo,
        takenAtMs: Date.now() - 1_000,
        amountFen,
        orderNo: offlineNo,
        sessionId: '',
        code: { kind: 'qr', text: code },
      };
      return signOfflineRecord(key, deviceId, body);
    },
  };
}

async function funded(world: TestWorld, fen: number): Promise<{ cardNo: string; code(): string }> {
  const cardNo = await openStudent(world.client);
  if (fen > 0) await world.client.topUp({ id: opId(), cardNo, amount: fen, channel: 'cash' });
  const phone = await phoneFor(world.client, cardNo);
  return { cardNo, code: () => phone.code() };
}

async function receivableDebits(world: TestWorld): Promise<number> {
  const rows = await world.core.core.db.select<{ debits_posted: number }>(
    "SELECT debits_posted FROM accounts WHERE id = 'SYS-OFFLINE-RECEIVABLE'",
  );
  return Number(rows[0]?.debits_posted ?? 0);
}

describe('offline records upload', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  after(async () => {
    await world.stop();
  });

  test('when payments taken offline are uploaded, then each is accepted or an exception booked to the receivable', async () => {
    // Goal: nothing is lost and no wallet goes negative; what cannot be charged is listed for admins.
    const pos = await terminal(world);
    const rich = await funded(world, 1_000);
    const poor = await funded(world, 300);
    const lost = await funded(world, 1_000);
    const lostCode = lost.code();
    await world.client.changeCard(lost.cardNo, 'report_loss', admin);
    const receivableBefore = await receivableDebits(world);
    const records = [
      pos.payment({ sequence: 2, offlineNo: 1, amountFen: 800, code: rich.code() }),
      pos.payment({ sequence: 3, offlineNo: 2, amountFen: 800, code: poor.code() }),
      pos.payment({ sequence: 4, offlineNo: 3, amountFen: 500, code: lostCode }),
    ];
    const answer = await pos.device.request({ kind: 'offline_upload', records });
    assert.deepEqual(answer.message, {
      kind: 'offline_upload_result',
      results: [
        { sequence: 2, status: 'accepted', reason: 'NONE' },
        { sequence: 3, status: 'exception', reason: 'INSUFFICIENT_FUNDS' },
        { sequence: 4, status: 'exception', reason: 'CARD_LOST' },
      ],
      gaps: [],
    });
    assert.equal((await world.client.getCard(rich.cardNo)).balance.main, 200);
    assert.equal((await world.client.getCard(poor.cardNo)).balance.main, 0);
    assert.equal((await world.client.getCard(lost.cardNo)).balance.main, 1_000);
    assert.equal((await receivableDebits(world)) - receivableBefore, 500 + 500);
    const exceptions = (await world.client.offlineExceptions()).items.filter(
      (e) => e.deviceId === String(pos.deviceId),
    );
    assert.deepEqual(
      exceptions.map((e) => [e.cardNo, e.amount, e.receivableAmount, e.reason]).sort(),
      [
        [lost.cardNo, 500, 500, 'CARD_LOST'],
        [poor.cardNo, 800, 500, 'INSUFFICIENT_FUNDS'],
      ].sort(),
    );

    // The same upload again under a new sequence (the answer was lost, the device reconnected): duplicates.
    const again = await pos.device.request({ kind: 'offline_upload', records });
    assert.equal(again.message.kind, 'offline_upload_result');
    assert.deepEqual(
      again.message.kind === 'offline_upload_result' && again.message.results.map((r) => r.status),
      ['duplicate', 'duplicate', 'duplicate'],
    );
    assert.equal((await world.client.getCard(rich.cardNo)).balance.main, 200, 'charged once');
    assert.equal((await receivableDebits(world)) - receivableBefore, 1_000, 'booked once');
    pos.device.close();
  });

  test('when record numbers are missing, then the result reports the gaps', async () => {
    // Goal: a lost record shows up as a gap instead of disappearing silently.
    const pos = await terminal(world);
    const card = await funded(world, 5_000);
    const upload = (offlineNos: number[]) =>
      pos.device.request({
        kind: 'offline_upload',
        records: offlineNos.map((n) =>
          pos.payment({ sequence: 10 + n, offlineNo: n, amountFen: 100, code: card.code() }),
        ),
      });
    const first = await upload([3, 4, 7]);
    assert.deepEqual(first.message.kind === 'offline_upload_result' && first.message.gaps, [
      { fromOfflineNo: 1, toOfflineNo: 2 },
      { fromOfflineNo: 5, toOfflineNo: 6 },
    ]);
    const second = await upload([1, 2, 5, 6]);
    assert.deepEqual(second.message.kind === 'offline_upload_result' && second.message.gaps, []);
    pos.device.close();
  });

  test('when a record MAC is wrong or a sequence is reused, then those records are rejected and their neighbours settle', async () => {
    // Goal: one bad record is kept as evidence without refusing the rest of the batch.
    const pos = await terminal(world);
    const card = await funded(world, 5_000);
    const good = pos.payment({ sequence: 2, offlineNo: 1, amountFen: 100, code: card.code() });
    const forged = {
      ...pos.payment({ sequence: 3, offlineNo: 2, amountFen: 100, code: card.code() }),
      amountFen: 1,
    };
    const reused = pos.payment({ sequence: 2, offlineNo: 3, amountFen: 200, code: card.code() });
    const answer = await pos.device.request({ kind: 'offline_upload', records: [good, forged, reused] });
    assert.deepEqual(answer.message.kind === 'offline_upload_result' && answer.message.results, [
      { sequence: 2, status: 'accepted', reason: 'NONE' },
      { sequence: 3, status: 'rejected', reason: 'BAD_RECORD_MAC' },
      { sequence: 2, status: 'rejected', reason: 'SEQUENCE_CONFLICT' },
    ]);
    assert.equal((await world.client.getCard(card.cardNo)).balance.main, 4_900);
    pos.device.close();
  });

  test('when a payment approved online is uploaded again as an offline record of the same sequence, then it is a duplicate', async () => {
    // Goal: a device that timed out online and fell back to offline is never charged twice.
    const pos = await terminal(world);
    const card = await funded(world, 1_000);
    const code = card.code();
    const online = await pos.device.request(
      { kind: 'pay', code: { kind: 'qr', text: code }, amountFen: 400, orderNo: 1, itemNo: 0 },
      50,
    );
    assert.equal(online.message.kind, 'pay_approved');
    const record = pos.payment({ sequence: 50, offlineNo: 1, amountFen: 400, code });
    const answer = await pos.device.request({ kind: 'offline_upload', records: [record] });
    assert.deepEqual(answer.message.kind === 'offline_upload_result' && answer.message.results, [
      { sequence: 50, status: 'duplicate', reason: 'NONE' },
    ]);
    assert.equal((await world.client.getCard(card.cardNo)).balance.main, 600);
    pos.device.close();
  });

  test('when an upload holds a code that does not verify, then that record is an exception CODE_INVALID and nothing is charged', async () => {
    // Goal: a forged code accepted offline is listed, not charged to anyone.
    const pos = await terminal(world);
    const record = pos.payment({ sequence: 2, offlineNo: 1, amountFen: 100, code: 'CC:NOTACODE' });
    const answer = await pos.device.request({ kind: 'offline_upload', records: [record] });
    assert.deepEqual(answer.message.kind === 'offline_upload_result' && answer.message.results, [
      { sequence: 2, status: 'exception', reason: 'CODE_INVALID' },
    ]);
    pos.device.close();
  });

  function payOf(text: string, amountFen: number) {
    return { kind: 'pay', code: { kind: 'qr', text }, amountFen, orderNo: 1, itemNo: 0 } as const;
  }

  /** A QR code the card's phone made `agoMs` ago (fresh then, expired now). */
  async function codeMadeAgo(cardNo: string, agoMs: number): Promise<string> {
    const card = await world.client.getCard(cardNo);
    const keyPair = await generatePhoneKeyPair(webCryptoRandom);
    const certificate = issueCertificate(campusSigningKeyFromSecret(1, new Uint8Array(32).fill(1)), {
      card: { cardNo, personType: 'student', cardVersion: card.version },
      phonePublicKey: keyPair.publicKey,
      validFromMs: Date.now() - agoMs - 60_000,
    });
    return makeCode({ keyPair, certificate, nowMs: Date.now() - agoMs, counter: 1 });
  }

  test("#12.3 when a payment declined online for any reason is uploaded as an offline record under that sequence, then it is an exception with the decline's reason and the code is never charged twice", async () => {
    // Goal: protocol § 12.3 for every decline, including those the gateway makes before the ledger (the code
    // did not verify or was used already, a configuration limit, no merchant): a device that declined online
    // and then "accepted offline" under the same sequence does not get the declined code charged.
    const cardNo = (await funded(world, 5_000)).cardNo;
    const phone = await phoneFor(world.client, cardNo);
    const pos = await terminal(world);
    // A till configured with a 5 yuan maximum and one meal window that is closed now.
    const configured = await registerDevice(world);
    const beijingMinute = Math.floor((Date.now() / 60_000 + 480) % 1_440);
    const start = (beijingMinute + 120) % 1_380;
    await world.client.putDeviceConfig(String(configured.deviceId), {
      paymentMaxFen: 500,
      mealWindows: [{ meal: 'lunch', startMinute: start, endMinute: start + 30, perCardMaxFen: 0 }],
      offline: offlineOn,
    });
    const canteen = await TestDevice.connect(world.gateway.port, configured.deviceId, configured.key);
    assert.equal((await canteen.signIn()).message.kind, 'sign_in_accepted');
    canteen.sequence = 100;
    // A till without a merchant takes no money.
    const unowned = await world.client.registerDevice({ id: String(900_000 + process.pid), kind: 'pos' });
    await world.client.putDeviceConfig(unowned.id, { offline: offlineOn });
    const unownedKey = new Uint8Array(Buffer.from(unowned.keyHex, 'hex'));
    const bare = await TestDevice.connect(world.gateway.port, Number(unowned.id), unownedKey);
    assert.equal((await bare.signIn()).message.kind, 'sign_in_accepted');
    bare.sequence = 100;

    const used = phone.code();
    assert.equal((await pos.device.request(payOf(used, 100))).message.kind, 'pay_approved');
    const cases: { reason: string; device: TestDevice; key: Uint8Array; code: string; amountFen: number }[] =
      [
        { reason: 'CODE_REPLAYED', device: pos.device, key: pos.key, code: used, amountFen: 100 },
        { reason: 'CODE_INVALID', device: pos.device, key: pos.key, code: 'CC:NOT-A-CODE', amountFen: 100 },
        {
          reason: 'CODE_EXPIRED',
          device: pos.device,
          key: pos.key,
          code: await codeMadeAgo(cardNo, 600_000),
          amountFen: 100,
        },
        {
          reason: 'AMOUNT_OUT_OF_RANGE',
          device: canteen,
          key: configured.key,
          code: phone.code(),
          amountFen: 600,
        },
        {
          reason: 'OUTSIDE_WINDOW',
          device: canteen,
          key: configured.key,
          code: phone.code(),
          amountFen: 100,
        },
        { reason: 'NOT_PERMITTED', device: bare, key: unownedKey, code: phone.code(), amountFen: 100 },
      ];
    const balanceBefore = (await world.client.getCard(cardNo)).balance.main;
    let offlineNo = 0;
    for (const c of cases) {
      const declined = await c.device.request(payOf(c.code, c.amountFen));
      assert.deepEqual(declined.message, { kind: 'pay_declined', reason: c.reason }, c.reason);
      offlineNo += 1;
      const record = signOfflineRecord(c.key, c.device.deviceId, {
        recordKind: 'payment',
        decision: 'accepted',
        sequence: declined.sequence,
        offlineNo,
        // Taken when the online answer did not come: the code was fresh then (the expired one too).
        takenAtMs: c.reason === 'CODE_EXPIRED' ? Date.now() - 600_000 + 1_000 : Date.now() - 500,
        amountFen: c.amountFen,
        orderNo: offlineNo,
        sessionId: '',
        code: { kind: 'qr', text: c.code },
      });
      const uploaded = await c.device.request({ kind: 'offline_upload', records: [record] });
      assert.equal(uploaded.message.kind, 'offline_upload_result');
      if (uploaded.message.kind !== 'offline_upload_result') return;
      assert.deepEqual(
        uploaded.message.results,
        [{ sequence: declined.sequence, status: 'exception', reason: c.reason }],
        c.reason,
      );
      // The same sequence with another code is another request: a conflict, not a charge.
      const other = signOfflineRecord(c.key, c.device.deviceId, {
        ...record,
        offlineNo: offlineNo + 1_000,
        code: { kind: 'qr', text: phone.code() },
      });
      const conflict = await c.device.request({ kind: 'offline_upload', records: [other] });
      assert.deepEqual(
        conflict.message.kind === 'offline_upload_result' && conflict.message.results,
        [{ sequence: declined.sequence, status: 'rejected', reason: 'SEQUENCE_CONFLICT' }],
        `${c.reason}, another code`,
      );
    }
    assert.equal(
      (await world.client.getCard(cardNo)).balance.main,
      balanceBefore,
      'no declined code charged',
    );
    const exceptions = (await world.client.offlineExceptions()).items.filter(
      (e) => e.cardNo === null || e.cardNo === cardNo,
    );
    for (const c of cases) {
      assert.ok(
        exceptions.some((e) => e.reason === c.reason && e.receivableAmount === 0),
        `${c.reason} listed`,
      );
    }
    // The ledger's own declines keep their rule (§ 12.3): charged as offline payments, listed with the reason.
    const poor = await funded(world, 50);
    const poorPhone = await phoneFor(world.client, poor.cardNo);
    const poorCode = poorPhone.code();
    const insufficient = await pos.device.request(payOf(poorCode, 300));
    assert.deepEqual(insufficient.message, { kind: 'pay_declined', reason: 'INSUFFICIENT_FUNDS' });
    const late = signOfflineRecord(pos.key, pos.deviceId, {
      recordKind: 'payment',
      decision: 'accepted',
      sequence: insufficient.sequence,
      offlineNo: 500,
      takenAtMs: Date.now() - 500,
      amountFen: 300,
      orderNo: 500,
      sessionId: '',
      code: { kind: 'qr', text: poorCode },
    });
    const lateAnswer = await pos.device.request({ kind: 'offline_upload', records: [late] });
    assert.deepEqual(lateAnswer.message.kind === 'offline_upload_result' && lateAnswer.message.results, [
      { sequence: insufficient.sequence, status: 'exception', reason: 'INSUFFICIENT_FUNDS' },
    ]);
    pos.device.close();
    canteen.close();
    bare.close();
  });

  test('#12.3 when a payment the ledger declined is uploaded offline under its sequence, then for every ledger reason it is an exception with that reason and the card is charged once at most', async () => {
    // Goal: the other half of protocol § 12.3 — the ledger's own declines (PIN, limits, repeat, card status,
    // superseded phone; the repeat interval is off in tests) keep their rule: charged as an offline payment, listed with the decline's reason.
    const pos = await terminal(world);
    const admin = { type: 'admin', id: 'A1' } as const;
    const scenarios: {
      expected: string;
      amountFen: number;
      setUp(): Promise<{ cardNo: string; code: string }>;
    }[] = [
      {
        expected: 'PIN_REQUIRED',
        amountFen: 6_000,
        async setUp() {
          const card = await funded(world, 10_000);
          await world.client.setPin(card.cardNo, '112358', { type: 'self', id: null });
          return { cardNo: card.cardNo, code: card.code() };
        },
      },
      {
        expected: 'LIMIT_EXCEEDED',
        amountFen: 300,
        async setUp() {
          const cardNo = await openStudent(world.client, { dailyLimit: 200 });
          await world.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
          return { cardNo, code: (await phoneFor(world.client, cardNo)).code() };
        },
      },
      {
        expected: 'CARD_FROZEN',
        amountFen: 100,
        async setUp() {
          const cardNo = await openStudent(world.client);
          await world.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
          await world.client.changeCard(cardNo, 'freeze', admin);
          const version = (await world.client.getCard(cardNo)).version;
          return { cardNo, code: (await phoneFor(world.client, cardNo, { cardVersion: version })).code() };
        },
      },
      {
        expected: 'CREDENTIAL_REVOKED',
        amountFen: 100,
        async setUp() {
          const card = await funded(world, 1_000);
          const code = card.code();
          await world.client.changeCard(card.cardNo, 'freeze', admin);
          await world.client.changeCard(card.cardNo, 'unfreeze', admin);
          return { cardNo: card.cardNo, code };
        },
      },
    ];
    let offlineNo = 700;
    for (const scenario of scenarios) {
      const { cardNo, code } = await scenario.setUp();
      const before = (await world.client.getCard(cardNo)).balance.main;
      const declined = await pos.device.request(payOf(code, scenario.amountFen));
      assert.deepEqual(declined.message, { kind: 'pay_declined', reason: scenario.expected });
      offlineNo += 1;
      const record = signOfflineRecord(pos.key, pos.deviceId, {
        recordKind: 'payment',
        decision: 'accepted',
        sequence: declined.sequence,
        offlineNo,
        takenAtMs: Date.now() - 500,
        amountFen: scenario.amountFen,
        orderNo: offlineNo,
        sessionId: '',
        code: { kind: 'qr', text: code },
      });
      const uploaded = await pos.device.request({ kind: 'offline_upload', records: [record] });
      assert.deepEqual(
        uploaded.message.kind === 'offline_upload_result' && uploaded.message.results,
        [{ sequence: declined.sequence, status: 'exception', reason: scenario.expected }],
        scenario.expected,
      );
      // Uploaded again (the result was lost): nothing more is charged.
      const again = await pos.device.request({ kind: 'offline_upload', records: [record] });
      assert.equal(
        again.message.kind === 'offline_upload_result' && again.message.results[0]?.status,
        'duplicate',
      );
      const after = (await world.client.getCard(cardNo)).balance.main;
      assert.ok(before - after <= scenario.amountFen, `${scenario.expected}: charged at most once`);
    }
    pos.device.close();
  });
});
