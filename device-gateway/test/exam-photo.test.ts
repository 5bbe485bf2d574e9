import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { mysqlServerUrl, openStudent } from '@campus-card/tests/kit';
import { Campus } from '../../mock/campus/campus.ts';
import { portraitPng } from '../../mock/campus/photos.ts';
import { AttendanceReader } from '../../mock/devices/attendance-reader.ts';
import { advanceClockTo } from '../../tests/clock.ts';
import type { Message } from '../src/protocol/index.ts';
import { phoneFor, registerDevice, startWorld, TestDevice, type TestWorld } from './support.ts';

type PhotoAnswer = Extract<Message, { kind: 'exam_photo_attendance_result' }>;

/**
 * Exam photos over TCP (#15, protocol § 7.28): the candidate's photo, synced from the academic-affairs photo
 * table, reaches the reader that signed them in as a short-lived reference fetched in chunks; another reader,
 * an altered reference or an expired one gets an ERROR frame.
 */
describe('exam photos over TCP', () => {
  let campus: Campus;
  let world: TestWorld;
  let reader: TestDevice;
  let otherReader: TestDevice;
  let examId: string;
  let studentNo: string;
  let photo: Buffer;

  before(async () => {
    campus = await Campus.seed({ serverUrl: mysqlServerUrl, seed: 31, students: 6, staff: 1 });
    world = await startWorld(
      {},
      {},
      {
        ACADEMIC_DATABASE_URL: campus.academicUrl,
        HR_DATABASE_URL: campus.hrUrl,
        SYNC_INTERVAL_MS: '0',
        PHOTO_KEY: randomBytes(32).toString('hex'),
      },
    );
    studentNo = (campus.data.students[0] as { studentNo: string }).studentNo;
    // A photo of three frames' worth: the PNG the source holds, with bytes after it as some scanners leave.
    photo = Buffer.concat([portraitPng(studentNo), randomBytes(9_000)]);
    await campus.setPhoto('student', studentNo, photo);
    const run = await world.client.startSyncRun('incremental', { type: 'admin', id: 'admin-1' });
    await world.core.core.sync.idle();
    assert.equal((await world.client.syncRun(run.id)).status, 'succeeded');
    assert.equal((await world.client.syncPhotos()).stored, 7);

    const a = await registerDevice(world, 'attendance');
    const b = await registerDevice(world, 'attendance');
    reader = await TestDevice.connect(world.gateway.port, a.deviceId, a.key);
    otherReader = await TestDevice.connect(world.gateway.port, b.deviceId, b.key);
    assert.equal((await reader.signIn('attendance')).message.kind, 'sign_in_accepted');
    assert.equal((await otherReader.signIn('attendance')).message.kind, 'sign_in_accepted');
    const now = Date.now();
    examId = `EXAM-PHOTO-${a.deviceId}`;
    await world.client.createMeeting({
      id: examId,
      kind: 'exam',
      title: '概率论期末考试',
      startsAtMs: now + 600_000,
      endsAtMs: now + 7_800_000,
      signInBeforeMs: 1_800_000,
      roster: { by: 'open' },
      seats: { [studentNo]: 'C-03' },
      organiser: 'admin-1',
      readers: [],
    });
  });
  after(async () => {
    reader.close();
    otherReader.close();
    await world.stop();
    await campus.close({ drop: true });
  });

  async function cardNoOf(personNo: string): Promise<string> {
    const [row] = await world.core.core.db.select<{ card_no: string }>(
      'SELECT c.card_no FROM cards c JOIN persons p ON p.id = c.person_id WHERE p.person_no = ?',
      [personNo],
    );
    assert.ok(row);
    return String(row.card_no);
  }
  // One phone per card, each code a fresh one (a second phone of a card in the same second would make the
  // same code as far as the replay guard can tell).
  const phones = new Map<string, { code(): string }>();
  async function phoneOf(cardNo: string): Promise<{ code(): string }> {
    const phone = phones.get(cardNo) ?? (await phoneFor(world.client, cardNo));
    phones.set(cardNo, phone);
    return phone;
  }
  async function signIn(cardNo: string): Promise<PhotoAnswer> {
    const phone = await phoneOf(cardNo);
    const reply = await reader.request({
      kind: 'exam_photo_attendance',
      sessionId: examId,
      code: { kind: 'qr', text: phone.code() },
    });
    assert.equal(reply.message.kind, 'exam_photo_attendance_result');
    return reply.message as PhotoAnswer;
  }
  /** The whole photo, chunk after chunk, as a reader fetches it. */
  async function fetchPhoto(device: TestDevice, photoRef: string) {
    const parts: Uint8Array[] = [];
    let offset = 0;
    let total = Number.POSITIVE_INFINITY;
    while (offset < total) {
      const reply = await device.request({ kind: 'photo_request', photoRef, offset });
      if (reply.message.kind !== 'photo_chunk') return { refused: reply.message, parts };
      total = reply.message.totalBytes;
      parts.push(reply.message.data);
      offset += reply.message.data.byteLength;
    }
    return { bytes: Buffer.concat(parts), parts };
  }
  const photoRefOf = async () => (await signIn(await cardNoOf(studentNo))).photoRef;

  test('when a candidate signs in at an exam reader that shows photos, then the answer carries the seat and a reference that fetches the very photo in chunks within its window', async () => {
    const answer = await signIn(await cardNoOf(studentNo));
    assert.equal(answer.status, 'recorded');
    assert.equal(answer.seat, 'C-03');
    assert.equal(answer.photoBytes, photo.byteLength);
    assert.ok(answer.photoExpiresAtMs > Date.now() && answer.photoExpiresAtMs - Date.now() <= 120_000);
    const fetched = await fetchPhoto(reader, answer.photoRef);
    assert.equal(fetched.parts.length, 3);
    assert.equal(
      createHash('sha256')
        .update(fetched.bytes ?? '')
        .digest('hex'),
      createHash('sha256').update(photo).digest('hex'),
    );
    // A second scan of the candidate: already recorded, with a fresh reference that works too.
    const again = await signIn(await cardNoOf(studentNo));
    assert.equal(again.status, 'already_recorded');
    assert.equal((await fetchPhoto(reader, again.photoRef)).bytes?.byteLength, photo.byteLength);
  });

  test('when a candidate has no photo, then the answer has no reference (无照片) and the sign-in stands', async () => {
    const cardNo = await openStudent(world.client);
    const answer = await signIn(cardNo);
    assert.equal(answer.status, 'recorded');
    assert.deepEqual([answer.photoRef, answer.photoExpiresAtMs, answer.photoBytes], ['', 0, 0]);
  });

  test('when another reader uses the reference, or the reference is altered, then it is an ERROR frame and nothing of the photo is sent', async () => {
    const photoRef = await photoRefOf();
    const other = await fetchPhoto(otherReader, photoRef);
    assert.deepEqual(other.parts, []);
    assert.equal(other.refused?.kind === 'error' && other.refused.code, 'PHOTO_REFERENCE_INVALID');
    const [id, expires, mac] = photoRef.split('.') as [string, string, string];
    const flipped = `${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    for (const altered of [
      `${id}.${expires}.${flipped}`,
      `${id}.${Number(expires) + 60_000}.${mac}`,
      `01ARZ3NDEKTSV4RRFFQ69G5FAV.${expires}.${mac}`,
    ]) {
      const reply = await reader.request({ kind: 'photo_request', photoRef: altered, offset: 0 });
      assert.equal(reply.message.kind === 'error' && reply.message.code, 'PHOTO_REFERENCE_INVALID', altered);
    }
    // The genuine reference still works for its own reader.
    assert.equal((await fetchPhoto(reader, photoRef)).bytes?.byteLength, photo.byteLength);
  });

  test('when the exam reader simulator serves an exam, then it shows the seat and the photo it fetched, and 无照片 for a candidate without one', async () => {
    const device = await registerDevice(world, 'attendance');
    const now = Date.now();
    const simExam = `EXAM-SIM-${device.deviceId}`;
    await world.client.createMeeting({
      id: simExam,
      kind: 'exam',
      title: '线性代数期末考试',
      startsAtMs: now + 600_000,
      endsAtMs: now + 7_800_000,
      signInBeforeMs: 1_800_000,
      roster: { by: 'open' },
      seats: { [studentNo]: 'D-11' },
      organiser: 'admin-1',
      readers: [String(device.deviceId)],
    });
    const sim = await AttendanceReader.connect({ port: world.gateway.port, ...device });
    assert.equal(sim.meeting?.sessionId, simExam);
    const seated = await sim.signIn((await phoneOf(await cardNoOf(studentNo))).code());
    assert.equal(seated.kind, 'exam_photo_attendance_result');
    if (seated.kind !== 'exam_photo_attendance_result') return;
    assert.equal(seated.seat, 'D-11');
    assert.equal(seated.photo?.mediaType, 'image/png');
    assert.deepEqual(seated.photo?.bytes, photo);
    const without = await sim.signIn((await phoneFor(world.client, await openStudent(world.client))).code());
    assert.equal(without.kind === 'exam_photo_attendance_result' && without.photo, undefined);
    assert.equal(without.kind === 'exam_photo_attendance_result' && without.status, 'recorded');
    sim.close();
  });

  test('when the reference has expired, then it is an ERROR frame PHOTO_REFERENCE_EXPIRED', async () => {
    const answer = await signIn(await cardNoOf(studentNo));
    assert.equal(answer.status, 'already_recorded');
    // Last in this file: the process clock (gateway, core and devices alike) only moves forward.
    advanceClockTo(answer.photoExpiresAtMs + 1);
    const reply = await reader.request({ kind: 'photo_request', photoRef: answer.photoRef, offset: 0 });
    assert.equal(reply.message.kind === 'error' && reply.message.code, 'PHOTO_REFERENCE_EXPIRED');
  });
});
