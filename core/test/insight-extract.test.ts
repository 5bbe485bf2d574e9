import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dialects, openStudent, opId, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { AbnormalAlerts, abnormalNoticeKind } from '../src/insight/abnormal-alerts.ts';
import { ExtractService } from '../src/insight/extract-service.ts';
import { InsightStore, type OperationRow } from '../src/insight/insight-store.ts';
import { LedgerSource } from '../src/insight/ledger-source.ts';
import { NoticeRepository } from '../src/notices/notice-repository.ts';
import { shanghaiDay } from '../src/time.ts';

for (const dialect of dialects) {
  describe(`insight extract on ${dialect}`, () => {
    let t: TestCore;
    let merchantId = '';
    const cards: string[] = [];
    const paymentIds: string[] = [];
    const today = shanghaiDay(Date.now());

    const ok = async (p: Promise<{ status: string }>) => {
      const answer = await p;
      assert.equal(answer.status, 'ok', JSON.stringify(answer));
    };
    const pay = async (cardNo: string, amount: number, codeId?: string) => {
      const id = opId('p');
      await ok(
        t.client.pay({ id, cardNo, merchantId, deviceId: '301', amount, ...(codeId ? { codeId } : {}) }),
      );
      paymentIds.push(id);
      return id;
    };
    /** The ledger's own count of operations, straight from its database. */
    const ledgerOperations = async () =>
      Number((await t.core.db.select<{ n: number }>('SELECT COUNT(*) AS n FROM operations'))[0]?.n);

    before(async () => {
      t = await startTestCore(dialect);
      const m = await t.client.createMerchant({
        id: `IX${Date.now().toString(36).slice(-6).toUpperCase()}`,
        name: '第一食堂',
        category: 'canteen',
      });
      merchantId = m.id;
      await t.client.registerDevice({ id: '301', kind: 'pos', merchantId });
      for (let i = 0; i < 2; i++) {
        const cardNo = await openStudent(t.client);
        cards.push(cardNo);
        await ok(t.client.topUp({ id: opId('t'), cardNo, amount: 20_000, channel: 'wechat' }));
      }
      await pay(cards[0] as string, 1_200);
      await pay(cards[1] as string, 850);
      // Paid with a QR code: the ledger keeps the code's identity, the phone key and counter in it.
      await pay(
        cards[0] as string,
        600,
        `qr:${cards[0]}:${Math.floor(Date.now() / 1000) - 5}:7:aabbccdd00112233`,
      );
    });
    after(() => t.stop());

    test('when the extract runs twice over payments and top-ups made through the ledger, then each is in the store once and the day reconciles', async () => {
      // Goal: the overlap window re-reads rows, and a re-read row must not be stored twice.
      const store = await InsightStore.open({ path: ':memory:' });
      try {
        const extract = new ExtractService(new LedgerSource(t.core.db), store, { overlapMs: 60_000 });
        await extract.run();
        const afterFirst = await store.count('operations');
        await extract.run();
        assert.equal(afterFirst, await ledgerOperations());
        assert.equal(await store.count('operations'), afterFirst, 'a second run adds nothing');
        const totals = await store.totalsByDayKind(today, today);
        const payments = totals.find((x) => x.kind === 'payment');
        const topUps = totals.find((x) => x.kind === 'top_up');
        assert.deepEqual({ count: payments?.count, amount: payments?.amount }, { count: 3, amount: 2_650 });
        assert.deepEqual({ count: topUps?.count, amount: topUps?.amount }, { count: 2, amount: 40_000 });
        // The pay code came along, taken apart, with the payment that consumed it.
        assert.equal(await store.count('code_uses'), 1);
        const coded = (await store.paymentPoints(0, Date.now() + 60_000)).filter((p) => p.keyId !== null);
        assert.deepEqual(
          coded.map((p) => [p.cardNo, p.amount, p.keyId, p.counter]),
          [[cards[0], 600, 'aabbccdd00112233', 7]],
        );
        assert.deepEqual(await extract.reconcile(today - 1, today), []);
        // The cards' holders came along, with no names: a student and their department.
        const figures = await store.monthFigures('2000-01', '2999-12');
        const first = figures.find((f) => f.cardNo === cards[0]);
        assert.deepEqual(
          { meals: first?.meals, mealSpend: first?.mealSpend, campusDays: first?.campusDays },
          { meals: 1, mealSpend: 1_800, campusDays: 1 },
          'two payments at one sitting are one meal',
        );
      } finally {
        store.close();
      }
    });

    test('when new payments follow a run, then the next run adds only those, and a deleted extract row is named by the reconciliation', async () => {
      // Goal: incremental runs copy what is new; the daily check catches a row the extract lost.
      const store = await InsightStore.open({ path: ':memory:' });
      try {
        const extract = new ExtractService(new LedgerSource(t.core.db), store, { overlapMs: 60_000 });
        await extract.run();
        const before = await store.count('operations');
        await pay(cards[1] as string, 400);
        const last = await pay(cards[0] as string, 300);
        await extract.run();
        assert.equal(await store.count('operations'), before + 2);
        assert.deepEqual(await extract.reconcile(today, today), []);
        await store.deleteOperation(last);
        const differences = await extract.reconcile(today, today);
        assert.equal(differences.length, 1, JSON.stringify(differences));
        const [d] = differences;
        assert.equal(d?.kind, 'payment');
        assert.equal(d?.day, today);
        assert.equal((d?.ledgerCount ?? 0) - (d?.extractCount ?? 0), 1);
        assert.equal((d?.ledgerAmount ?? 0) - (d?.extractAmount ?? 0), 300);
        // Still inside the overlap window, the next run copies the lost row again.
        await extract.run();
        assert.deepEqual(await extract.reconcile(today, today), []);
      } finally {
        store.close();
      }
    });

    test('when a row commits late with a time behind the watermark, then a run inside the overlap window picks it up; after a downtime, runs catch up page by page', async () => {
      // Goal: late commits within INSIGHT_OVERLAP_MS are not lost; a backlog larger than one run's pages is not lost either.
      const store = await InsightStore.open({ path: ':memory:' });
      try {
        const extract = new ExtractService(new LedgerSource(t.core.db), store, {
          overlapMs: 60_000,
          pageRows: 2,
          pagesMax: 1,
        });
        const runs = await extract.run();
        assert.equal(runs.find((r) => r.source === 'operations')?.behind, true, 'one page of two is not all');
        for (let i = 0; i < 20 && (await store.count('operations')) < (await ledgerOperations()); i++)
          await extract.run();
        assert.equal(await store.count('operations'), await ledgerOperations());
        const mark = (await store.watermark('card_events'))?.afterMs as number;
        assert.ok(mark > 0, 'card events (the cards opened) were copied');
        const eventsBefore = await store.count('card_events');
        // A card event committed now with a time 10 s behind the watermark (a transaction that took long).
        await t.core.db.execute(
          `INSERT INTO card_events (id, card_no, kind, from_status, to_status, version, actor_type, actor_id, reason, created_at_ms)
           VALUES ('LATE0000000000000000000001', ?, 'freeze', 'active', 'frozen', 2, 'admin', NULL, NULL, ?)`,
          [cards[0] as string, mark - 10_000],
        );
        await new ExtractService(new LedgerSource(t.core.db), store, { overlapMs: 60_000 }).run();
        assert.equal(await store.count('card_events'), eventsBefore + 1);
      } finally {
        store.close();
      }
    });

    test('when a student only signs in at a class and passes a gate, then both are copied and count as a day on campus without a meal', async () => {
      // Goal: days on campus come from attendance and access too, so a student who never pays is not "away".
      const store = await InsightStore.open({ path: ':memory:' });
      try {
        const cardNo = await openStudent(t.client);
        const personNo = (await t.client.getCard(cardNo)).personNo;
        const nowMs = Date.now();
        await t.core.db.execute(
          `INSERT INTO attendance_records (session_id, person_no, card_no, device_id, sequence, source, recorded_at_ms)
           VALUES ('S-INSIGHT-1', ?, ?, 'A9', 1, 'online', ?)`,
          [personNo, cardNo, nowMs],
        );
        await t.core.db.execute(
          `INSERT INTO access_events (id, device_id, sequence, card_no, person_no, direction, decision, reason, source,
             occurred_at_ms, created_at_ms)
           VALUES ('ACCESSINSIGHT0000000000001', 'G9', 1, ?, ?, 'in', 'allow', NULL, 'online', ?, ?)`,
          [cardNo, personNo, nowMs, nowMs],
        );
        const extract = new ExtractService(new LedgerSource(t.core.db), store);
        await extract.run();
        await extract.run();
        assert.equal(await store.count('attendance'), 1);
        assert.equal(await store.count('access'), 1);
        const figures = (await store.monthFigures('2000-01', '2999-12')).find((f) => f.cardNo === cardNo);
        assert.deepEqual(
          { campusDays: figures?.campusDays, meals: figures?.meals },
          { campusDays: 1, meals: 0 },
        );
      } finally {
        store.close();
      }
    });

    test('when the store is exported to Parquet, then each table reads back with its rows', async () => {
      const store = await InsightStore.open({ path: ':memory:' });
      try {
        await new ExtractService(new LedgerSource(t.core.db), store).run();
        const dir = mkdtempSync(join(tmpdir(), 'cc-insight-parquet-'));
        const files = await store.exportParquet(dir);
        const operations = files.find((f) => f.endsWith('/operations.parquet')) as string;
        assert.equal(await store.readParquetCount(operations), await store.count('operations'));
      } finally {
        store.close();
      }
    });

    test('when a card is flagged for abnormal spending, then its holder gets one notice with the evidence and the freeze action, however often the job runs; a frozen card gets none', async () => {
      // Goal: the alert reaches the student through the kept notices; the notice is once per card and day.
      const store = await InsightStore.open({ path: ':memory:' });
      try {
        const flagged = await openStudent(t.client);
        const frozen = await openStudent(t.client);
        await t.client.changeCard(frozen, 'freeze', { type: 'self', id: null });
        const nowMs = Date.now();
        const rows: OperationRow[] = [];
        for (const cardNo of [flagged, frozen]) {
          // A month of lunches at one canteen, then two high payments at places never used.
          for (let d = 30; d >= 2; d--)
            rows.push(row(`${cardNo}-${d}`, cardNo, 'OLD', 1_200, nowMs - d * 86_400_000));
          rows.push(row(`${cardNo}-x1`, cardNo, 'NEW1', 4_500, nowMs - 10 * 60_000));
          rows.push(row(`${cardNo}-x2`, cardNo, 'NEW2', 4_800, nowMs - 4 * 60_000));
        }
        await store.putOperations(rows);
        const alerts = new AbnormalAlerts(
          store,
          new LedgerSource(t.core.db),
          new NoticeRepository(t.core.db),
        );
        const sent = await alerts.run(nowMs);
        assert.deepEqual(
          sent.map((n) => n.data?.cardNo),
          [flagged],
        );
        await alerts.run(nowMs + 60_000);
        const person = (await t.client.getCard(flagged)).personId;
        const notices = (await t.client.personNotices(person)).items.filter(
          (n) => n.kind === abnormalNoticeKind,
        );
        assert.equal(notices.length, 1, 'a second run tells nobody twice');
        assert.equal(notices[0]?.data?.action, 'freeze');
        assert.match(notices[0]?.body ?? '', /2 笔消费.*¥93\.00/);
        const frozenPerson = (await t.client.getCard(frozen)).personId;
        assert.deepEqual(
          (await t.client.personNotices(frozenPerson)).items.filter((n) => n.kind === abnormalNoticeKind),
          [],
        );
      } finally {
        store.close();
      }
    });
  });
}

test('when INSIGHT_DB_PATH is set, then the core runs the extract at start into that file and closes it when it stops', async () => {
  // Goal: the job is wired to the configuration; unset (every other test core), nothing opens a DuckDB file.
  const path = join(mkdtempSync(join(tmpdir(), 'cc-insight-')), 'insight.duckdb');
  const t = await startTestCore('sqlite', { INSIGHT_DB_PATH: path, INSIGHT_INTERVAL_MS: '1000' });
  const cardNo = await openStudent(t.client);
  await t.client.topUp({ id: opId('t'), cardNo, amount: 1_000, channel: 'cash' });
  // Five classes on the last five days with this student on the roster, none signed in: a counsellor's warning.
  const { personNo, department } = await t.client.getCard(cardNo);
  const dayMs = 86_400_000;
  for (let d = 5; d >= 1; d--) {
    const startsAtMs = Date.now() - d * dayMs;
    await t.client.putAttendanceSession({
      id: `IW${d}${Date.now().toString(36)}`.slice(0, 32),
      kind: 'class',
      title: '高等数学',
      startsAtMs,
      endsAtMs: startsAtMs + 6_000_000,
      signInFromMs: startsAtMs - 600_000,
      signInUntilMs: startsAtMs + 600_000,
      roster: [personNo],
    });
  }
  let warnings = await t.client.insightAttendanceWarnings({ department: department ?? undefined });
  // The extract runs every second; wait for the run that copied all five sessions.
  for (let i = 0; i < 100 && warnings.items[0]?.missed.length !== 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    warnings = await t.client.insightAttendanceWarnings({ department: department ?? undefined });
  }
  assert.deepEqual(
    warnings.items.map((w) => [w.personNo, w.reasons.map((r) => r.code), w.missed.length]),
    // A top-up is no sign of life on campus: never seen while classes were on.
    [[personNo, ['absence_streak', 'not_seen'], 5]],
  );
  assert.deepEqual((await t.client.insightAttendanceWarnings({ department: '另一个学院' })).items, []);
  // No canteen payments yet: no window to forecast.
  assert.deepEqual((await t.client.insightCanteenLoad()).items, []);
  await t.stop();
  // The file is free again (DuckDB locks it while open) and holds the watermarks of the run at start.
  const store = await InsightStore.open({ path });
  try {
    const sources = (await store.watermarks()).map((w) => w.source);
    assert.deepEqual(sources, [
      'absences',
      'access',
      'attendance',
      'card_events',
      'codes',
      'operations',
      'sessions',
    ]);
  } finally {
    store.close();
  }
});

function row(id: string, cardNo: string, merchantId: string, amount: number, atMs: number): OperationRow {
  return {
    id,
    kind: 'payment',
    outcome: 'ok',
    cardNo,
    merchantId,
    deviceId: null,
    amount,
    subsidyAmount: 0,
    createdDay: shanghaiDay(atMs),
    createdAtMs: atMs,
  };
}

test('when the store is pruned to its retention, then every table loses the rows before the cut and keeps the rest', async () => {
  // Goal: the retention setting bounds what the store keeps, sessions going with their rosters.
  const store = await InsightStore.open({ path: ':memory:' });
  try {
    const cutMs = Date.UTC(2025, 5, 1);
    const before = cutMs - 86_400_000;
    const afterCut = cutMs + 86_400_000;
    await store.putOperations([row('old', 'C1', 'M', 100, before), row('new', 'C1', 'M', 100, afterCut)]);
    const sign = (sessionId: string, atMs: number) => ({
      sessionId,
      personNo: 'P1',
      cardNo: 'C1',
      deviceId: 'A1',
      source: 'online',
      recordedAtMs: atMs,
    });
    await store.putAttendance([sign('S-old', before), sign('S-new', afterCut)]);
    const session = (id: string, atMs: number) => ({
      id,
      kind: 'class',
      title: '高等数学',
      startsAtMs: atMs,
      endsAtMs: atMs + 6_000_000,
      createdAtMs: atMs,
      roster: ['P1'],
    });
    await store.putSessions([session('S-old', before), session('S-new', afterCut)]);
    assert.equal(await store.prune(cutMs), 4, 'an operation, a sign-in, a session and its roster row');
    assert.equal(await store.count('operations'), 1);
    assert.equal(await store.count('attendance'), 1);
    const facts = await store.rosterFacts(0, Date.UTC(2030, 0, 1));
    assert.deepEqual(
      facts.map((f) => [f.sessionId, f.attended]),
      [['S-new', true]],
    );
  } finally {
    store.close();
  }
});

test('when operations are put again, changed or in an old file with the key, then each id is stored once with its last values', async () => {
  // Goal: the journal's copy has no PRIMARY KEY (its index cost the load more than the rest): a row put
  // again replaces its copy by id, and a file made with the key is rebuilt without it, rows kept.
  const path = join(mkdtempSync(join(tmpdir(), 'cc-insight-key-')), 'insight.duckdb');
  const atMs = Date.UTC(2025, 2, 3, 4);
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const old = await DuckDBInstance.create(path);
  const con = await old.connect();
  await con.run(`CREATE TABLE operations (id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, outcome VARCHAR NOT NULL,
     card_no VARCHAR, merchant_id VARCHAR, device_id VARCHAR, amount BIGINT NOT NULL, subsidy_amount BIGINT NOT NULL,
     created_day INTEGER NOT NULL, created_at_ms BIGINT NOT NULL, ts TIMESTAMPTZ NOT NULL)`);
  await con.run(
    `INSERT INTO operations VALUES ('a', 'payment', 'ok', 'C1', 'M', NULL, 100, 0, ${shanghaiDay(atMs)}, ${atMs}, now())`,
  );
  con.closeSync();
  old.closeSync();
  const store = await InsightStore.open({ path });
  try {
    await store.putOperations([row('a', 'C1', 'M', 250, atMs), row('b', 'C1', 'M', 100, atMs + 1)]);
    await store.putOperations([row('b', 'C1', 'M', 100, atMs + 1)]);
    assert.equal(await store.count('operations'), 2, 'a and b once each');
    const day = shanghaiDay(atMs);
    assert.deepEqual(
      (await store.totalsByDayKind(day, day)).map((t) => [t.kind, t.count, t.amount]),
      [['payment', 2, 350]],
      'a with its new amount',
    );
  } finally {
    store.close();
  }
  const again = await InsightStore.open({ path });
  try {
    await again.putOperations([row('a', 'C1', 'M', 250, atMs)]);
    assert.equal(await again.count('operations'), 2, 'reopened, a is still replaced');
  } finally {
    again.close();
  }
});
