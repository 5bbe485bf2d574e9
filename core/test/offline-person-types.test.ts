// Goal: who may use a device (its configuration's personTypes, kept by the server alone) holds for the
// offline records of gates and attendance readers too, as it does for payments (protocol § 12.1, § 12.3):
// a device cut off cannot know the rule, so the core judges each accepted record at upload. A passage by
// a card of another type stays on the card's access history (the gate did open) and is an exception
// NOT_PERMITTED; a sign-in by such a card is not recorded and is an exception NOT_PERMITTED.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, offlineRecord, openStudent, startTestCore, type TestCore } from '@campus-card/tests/kit';

let deviceSerial = 0;

for (const dialect of dialects) {
  describe(`who may use a device, offline records (${dialect})`, () => {
    let t: TestCore;
    before(async () => {
      t = await startTestCore(dialect);
    });
    after(() => t.stop());

    /** A staff-only device of this kind. */
    async function staffOnly(kind: 'gate' | 'attendance'): Promise<string> {
      deviceSerial += 1;
      const id = String(9600 + deviceSerial + (process.pid % 500) * 100);
      await t.client.registerDevice({ id, kind });
      const current = await t.client.deviceConfig(id);
      await t.client.putDeviceConfig(id, { ...current.settings, personTypes: ['staff'] });
      return id;
    }

    async function openStaff(): Promise<string> {
      deviceSerial += 1;
      const card = await t.client.openCard({
        personNo: `T${process.pid}${Date.now().toString(36)}${deviceSerial}`.slice(0, 32),
        name: '测试教工',
        type: 'staff',
        department: '计算机学院',
      });
      return card.cardNo;
    }

    const exceptionsOf = async (deviceId: string) =>
      (await t.client.offlineExceptions('open', 100)).items
        .filter((e) => e.deviceId === deviceId)
        .map((e) => [e.sequence, e.reason]);

    test('#12 class: when a staff-only gate uploads offline passages by a student and a staff member, then the student one is an exception NOT_PERMITTED kept on the card history, the staff one accepted', async () => {
      const gate = await staffOnly('gate');
      const student = await openStudent(t.client);
      const staff = await openStaff();
      const at = Date.now() - 60_000;
      const upload = await t.client.uploadOfflineRecords(gate, [
        offlineRecord({ offlineNo: 1, sequence: 1, cardNo: student, recordKind: 'access', takenAtMs: at }),
        offlineRecord({ offlineNo: 2, sequence: 2, cardNo: staff, recordKind: 'access', takenAtMs: at + 1 }),
        // A passage the gate itself refused is evidence only, whoever it was.
        offlineRecord({
          offlineNo: 3,
          sequence: 3,
          cardNo: student,
          recordKind: 'access',
          decision: 'refused',
          takenAtMs: at + 2,
        }),
      ]);
      assert.deepEqual(
        upload.results.map((r) => [r.sequence, r.status, r.reason]),
        [
          [1, 'exception', 'NOT_PERMITTED'],
          [2, 'accepted', 'NONE'],
          [3, 'accepted', 'NONE'],
        ],
      );
      assert.deepEqual(await exceptionsOf(gate), [[1, 'NOT_PERMITTED']]);
      assert.equal((await t.client.accessEvents(student)).items.length, 2, 'both passages kept');
      assert.equal((await t.client.accessEvents(staff)).items.length, 1);
      // Uploaded again (a retry): the first outcome stands, no second exception.
      const again = await t.client.uploadOfflineRecords(gate, [
        offlineRecord({ offlineNo: 1, sequence: 1, cardNo: student, recordKind: 'access', takenAtMs: at }),
      ]);
      assert.deepEqual(again.results, [{ sequence: 1, status: 'duplicate', reason: 'NONE' }]);
      assert.deepEqual(await exceptionsOf(gate), [[1, 'NOT_PERMITTED']]);
    });

    test('#12 class: when a staff-only attendance reader uploads offline sign-ins by a student and a staff member on the roster, then the student is not signed in (exception NOT_PERMITTED) and the staff member is', async () => {
      const reader = await staffOnly('attendance');
      const student = await openStudent(t.client);
      const staff = await openStaff();
      const now = Date.now();
      const sessionId = `MEET-${reader}`;
      await t.client.putAttendanceSession({
        id: sessionId,
        kind: 'exam',
        title: '教工会议',
        startsAtMs: now - 600_000,
        endsAtMs: now + 3_600_000,
        signInFromMs: now - 900_000,
        signInUntilMs: now + 600_000,
        roster: [(await t.client.getCard(student)).personNo, (await t.client.getCard(staff)).personNo],
      });
      const at = now - 60_000;
      const upload = await t.client.uploadOfflineRecords(reader, [
        offlineRecord({
          offlineNo: 1,
          sequence: 1,
          cardNo: student,
          recordKind: 'attendance',
          sessionId,
          takenAtMs: at,
        }),
        offlineRecord({
          offlineNo: 2,
          sequence: 2,
          cardNo: staff,
          recordKind: 'attendance',
          sessionId,
          takenAtMs: at,
        }),
      ]);
      assert.deepEqual(
        upload.results.map((r) => [r.sequence, r.status, r.reason]),
        [
          [1, 'exception', 'NOT_PERMITTED'],
          [2, 'accepted', 'NONE'],
        ],
      );
      assert.deepEqual((await t.client.attendance(student)).items, []);
      assert.deepEqual(
        (await t.client.attendance(staff)).items.map((r) => r.sessionId),
        [sessionId],
      );
      assert.deepEqual(await exceptionsOf(reader), [[1, 'NOT_PERMITTED']]);
    });

    test('#12 class: when a gate allows everyone (no personTypes), then an offline passage by any type is accepted', async () => {
      deviceSerial += 1;
      const gate = String(9600 + deviceSerial + (process.pid % 500) * 100);
      await t.client.registerDevice({ id: gate, kind: 'gate' });
      const student = await openStudent(t.client);
      const upload = await t.client.uploadOfflineRecords(gate, [
        offlineRecord({ offlineNo: 1, sequence: 1, cardNo: student, recordKind: 'access' }),
      ]);
      assert.deepEqual(upload.results, [{ sequence: 1, status: 'accepted', reason: 'NONE' }]);
      assert.deepEqual(await exceptionsOf(gate), []);
    });
  });
}
