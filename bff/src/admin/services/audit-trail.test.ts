import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CoreClient, CoreError } from '@campus-card/core/client';
import { AuditTrail } from './audit-trail.ts';

/** A core whose appends fail with the given errors first, then succeed. */
function flakyCore(failures: CoreError[]) {
  const calls: unknown[] = [];
  const core = {
    async appendAudit(entry: unknown) {
      calls.push(entry);
      const failure = failures.shift();
      if (failure) throw failure;
      return { ...(entry as object), seq: calls.length };
    },
  } as unknown as CoreClient;
  return { core, calls };
}

const admin = { adminId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', username: 'counter' };

describe('audit trail', () => {
  test('when the core is unavailable for two tries, then the third appends the row once', async () => {
    const { core, calls } = flakyCore([
      new CoreError('INTERNAL_ERROR', 'down'),
      new CoreError('OVERLOADED', 'busy'),
    ]);
    const entry = await new AuditTrail(core).record(admin, 'card.freeze', 'card', '12345678', {
      reason: 'x',
    });
    assert.equal(calls.length, 3);
    assert.equal(entry.action, 'card.freeze');
    assert.deepEqual(entry.detail, { by: 'counter', reason: 'x' });
  });

  test('when the core refuses the row itself, then it is not retried and the refusal goes on', async () => {
    const { core, calls } = flakyCore([new CoreError('VALIDATION_FAILED', 'bad action')]);
    await assert.rejects(new AuditTrail(core).record(admin, 'card.freeze', 'card', '1'), {
      code: 'VALIDATION_FAILED',
    });
    assert.equal(calls.length, 1);
  });
});
