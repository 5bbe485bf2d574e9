import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStudent, opId } from '../../core/test/support.ts';
import { type OfflineRecord, type OfflineRecordBody, signOfflineRecord } from '../src/protocol/index.ts';
import { phoneFor, registerDevice, startWorld, TestDevice, type TestWorld } from './support.ts';

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
});
