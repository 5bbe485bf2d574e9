// Goal: a sign-in attempt on an admin account (a password or a second-factor code) is reserved in the
// database before it is checked, so a burst of concurrent guesses gets the free attempts and one more,
// never sixty; after that each attempt waits a doubling delay (a right one too), and nobody can lock
// an account for longer than the cap.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { totp } from '../src/admin/totp.ts';
import { CoreError } from '../src/client/index.ts';

const password = 'right-password-2026';
const freeAttempts = 5;
const firstWaitMs = 60_000;

async function outcome(promise: Promise<unknown>): Promise<{ code: string; retryAfterMs?: number }> {
  try {
    await promise;
    return { code: 'OK' };
  } catch (error) {
    assert.ok(error instanceof CoreError, String(error));
    const retryAfterMs = (error.details as { retryAfterMs?: number } | undefined)?.retryAfterMs;
    return { code: error.code, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
}

const failedLogins = async (t: TestCore, id: string) =>
  Number(
    (
      await t.core.db.select<{ n: number }>('SELECT failed_logins AS n FROM admin_accounts WHERE id = ?', [
        id,
      ])
    )[0]?.n,
  );

for (const dialect of dialects) {
  describe(`admin sign-in attempts are reserved before they are checked, on ${dialect}`, () => {
    let t: TestCore;
    before(async () => {
      t = await startTestCore(dialect, {
        ADMIN_LOGIN_FAILURES_MAX: String(freeAttempts),
        // Waits far longer than any burst lasts on a loaded machine, so what a test sees never depends on
        // how fast it ran; the doubling test ends each wait by moving the stored lock into the past.
        ADMIN_LOGIN_DELAY_MS: String(firstWaitMs),
        ADMIN_LOCKOUT_MS: String(4 * firstWaitMs),
      });
    });
    after(async () => {
      await t.stop();
    });

    test('#12.8 when 60 wrong passwords for one account race, then only the free attempts are checked, the rest wait with a retry time, and the right password waits too', async () => {
      const a = await t.client.createAdmin({
        username: 'raced',
        displayName: 'raced',
        role: 'auditor',
        password,
      });
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          outcome(t.client.checkAdminPassword('raced', `wrong-password-${i}`)),
        ),
      );
      const checked = results.filter((r) => r.code === 'ADMIN_LOGIN_FAILED').length;
      const waiting = results.filter((r) => r.code === 'ADMIN_LOCKED_OUT');
      // The free attempts are checked and the rest wait: never the 60 a read-then-count check let through.
      assert.equal(checked, freeAttempts, JSON.stringify(results));
      assert.equal(waiting.length, 60 - checked);
      for (const w of waiting) assert.ok((w.retryAfterMs ?? 0) > 0 && (w.retryAfterMs ?? 0) <= firstWaitMs);
      assert.equal(await failedLogins(t, a.id), checked);
      // The right password during the delay is refused with when to come back, not tried.
      const right = await outcome(t.client.checkAdminPassword('raced', password));
      assert.equal(right.code, 'ADMIN_LOCKED_OUT');
      assert.ok((right.retryAfterMs ?? 0) > 0);
      assert.equal(await failedLogins(t, a.id), checked);
    });

    test('#12.8 when attempts keep failing, then each waits double the one before up to the cap, and a right password after the wait signs in and clears the count', async () => {
      const a = await t.client.createAdmin({
        username: 'slowed',
        displayName: 'slowed',
        role: 'auditor',
        password,
      });
      for (let i = 0; i < freeAttempts - 1; i++)
        assert.equal(
          (await outcome(t.client.checkAdminPassword('slowed', 'wrong-password-x'))).code,
          'ADMIN_LOGIN_FAILED',
        );
      // The wait each failed attempt sets is read where it is stored (locked_until_ms less the moment the
      // attempt was reserved), so a loaded machine's slow password hashing cannot blur a doubling into a
      // constant; the answer to a right password meanwhile says when to come back, never more than the step.
      const steps = [1, 2, 4, 4].map((n) => n * firstWaitMs);
      const stored: number[] = [];
      for (let i = 0; i < steps.length; i++) {
        assert.equal(
          (await outcome(t.client.checkAdminPassword('slowed', 'wrong-password-x'))).code,
          'ADMIN_LOGIN_FAILED',
        );
        const [row] = await t.core.db.select<{ until: number; at: number }>(
          'SELECT locked_until_ms AS until, updated_at_ms AS at FROM admin_accounts WHERE id = ?',
          [a.id],
        );
        stored.push(Number(row?.until) - Number(row?.at));
        const waiting = await outcome(t.client.checkAdminPassword('slowed', password));
        assert.equal(waiting.code, 'ADMIN_LOCKED_OUT');
        const retryAfterMs = waiting.retryAfterMs ?? 0;
        assert.ok(retryAfterMs > 0 && retryAfterMs <= (steps[i] as number), `retry after ${retryAfterMs} ms`);
        // The wait runs out: the lock is moved into the past instead of sleeping through it.
        await t.core.db.execute('UPDATE admin_accounts SET locked_until_ms = ? WHERE id = ?', [
          Date.now() - 1,
          a.id,
        ]);
      }
      // The first wait, twice it, four times it, then the cap (four times it).
      assert.deepEqual(stored, steps);
      assert.equal((await t.client.checkAdminPassword('slowed', password)).id, a.id);
      assert.equal(await failedLogins(t, a.id), 0);
    });

    test('#12.8 when 55 wrong second-factor codes race, then only the free attempts are checked, and the right code waits too', async () => {
      const a = await t.client.createAdmin({
        username: 'coded',
        displayName: 'coded',
        role: 'finance',
        password,
        totp: true,
      });
      const secret = a.totpSecret as string;
      const right = totp(secret, Date.now());
      const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
      const results = await Promise.all(
        Array.from({ length: 55 }, () => outcome(t.client.checkAdminTotp(a.id, wrong))),
      );
      assert.equal(results.filter((r) => r.code === 'ADMIN_LOGIN_FAILED').length, freeAttempts);
      assert.equal(results.filter((r) => r.code === 'ADMIN_LOCKED_OUT').length, 55 - freeAttempts);
      assert.equal((await outcome(t.client.checkAdminTotp(a.id, right))).code, 'ADMIN_LOCKED_OUT');
    });
  });
}
