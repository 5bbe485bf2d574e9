import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { checkLedger } from '../src/ledger/ledger-check.ts';
import type { LedgerService } from '../src/ledger/ledger-service.ts';
import { SubsidyRepository } from '../src/subsidies/subsidy-repository.ts';
import { defaultSubsidyOptions, SubsidyService } from '../src/subsidies/subsidy-service.ts';

// A posting or a term-end clearing that meets a passing failure (a lost connection, a deadlock at COMMIT,
// a database failover) tries again by itself instead of stopping until someone posts again or a core
// restarts; each row's operation has a fixed id, so nobody is paid or cleared twice.

/** The real ledger, whose subsidy operations throw for the first `failures` calls of each kind. */
function flakyLedger(ledger: LedgerService, failures: number): LedgerService & { thrown: number } {
  let subsidizeLeft = failures;
  let clearLeft = failures;
  const flaky = Object.create(ledger) as LedgerService & { thrown: number };
  flaky.thrown = 0;
  flaky.subsidize = (input) => {
    if (subsidizeLeft-- > 0) {
      flaky.thrown += 1;
      return Promise.reject(new Error('Connection lost: The server closed the connection.'));
    }
    return ledger.subsidize(input);
  };
  flaky.clearSubsidy = (input) => {
    if (clearLeft-- > 0) {
      flaky.thrown += 1;
      return Promise.reject(new Error('Deadlock found when trying to get lock'));
    }
    return ledger.clearSubsidy(input);
  };
  return flaky;
}

for (const dialect of dialects) {
  describe(`subsidy runs retried on ${dialect}`, () => {
    let t: TestCore;
    before(async () => {
      t = await startTestCore(dialect);
    });
    after(() => t.stop());

    test('when the ledger fails twice during a posting and a clearing, then both finish by themselves, each card once', async () => {
      const stamp = `${process.pid}${Date.now().toString(36)}`;
      const people: { personNo: string; cardNo: string }[] = [];
      for (let i = 0; i < 5; i++) {
        const personNo = `R${stamp}${i}`.slice(0, 32);
        const card = await t.client.openCard({ personNo, name: '补助学生', type: 'student' });
        people.push({ personNo, cardNo: card.cardNo });
      }
      const ledger = flakyLedger(t.core.ledger, 2);
      const service = new SubsidyService(new SubsidyRepository(t.core.db), ledger, t.core.log, {
        ...defaultSubsidyOptions,
        approvalThreshold: 1_000_000_000,
        pageRowsMax: 2,
        retryDelaysMs: [20, 20, 20],
      });
      try {
        const batch = await service.create({
          title: '重试测试',
          createdBy: 'maker',
          source: { rows: people.map((p) => ({ personNo: p.personNo, amount: '12.34' })) },
        });
        await service.post(batch.id, 'maker');
        await service.settled(batch.id);
        const posted = await service.get(batch.id);
        assert.equal(posted.status, 'posted');
        assert.equal(posted.postedCount, 5);
        assert.equal(posted.postedAmount, 5 * 1_234);
        for (const p of people) assert.equal((await t.client.getCard(p.cardNo)).balance.subsidy, 1_234);

        const clearing = await service.startClearing({ reason: '学期末清零', createdBy: 'maker' });
        await service.settled(clearing.id);
        const cleared = await service.clearing(clearing.id);
        assert.equal(cleared.status, 'done', JSON.stringify(cleared));
        for (const p of people) assert.equal((await t.client.getCard(p.cardNo)).balance.subsidy, 0);
        assert.equal(ledger.thrown, 4, 'each run met its two failures');
        assert.deepEqual((await checkLedger(t.core.db)).breaks, []);
      } finally {
        await service.close();
      }
    });

    test('when the failures outlast the retries, then the run stops resumable and a later post finishes it', async () => {
      const personNo = `Q${process.pid}${Date.now().toString(36)}`.slice(0, 32);
      const card = await t.client.openCard({ personNo, name: '补助学生', type: 'student' });
      const ledger = flakyLedger(t.core.ledger, 3);
      const service = new SubsidyService(new SubsidyRepository(t.core.db), ledger, t.core.log, {
        ...defaultSubsidyOptions,
        approvalThreshold: 1_000_000_000,
        retryDelaysMs: [20, 20],
      });
      try {
        const batch = await service.create({
          title: '重试用尽',
          createdBy: 'maker',
          source: { rows: [{ personNo, amount: '5.00' }] },
        });
        await service.post(batch.id, 'maker');
        await service.settled(batch.id);
        assert.equal((await service.get(batch.id)).status, 'posting');
        assert.equal((await t.client.getCard(card.cardNo)).balance.subsidy, 0);
        await service.post(batch.id, 'maker');
        await service.settled(batch.id);
        assert.equal((await service.get(batch.id)).status, 'posted');
        assert.equal((await t.client.getCard(card.cardNo)).balance.subsidy, 500);
      } finally {
        await service.close();
      }
    });
  });
}
