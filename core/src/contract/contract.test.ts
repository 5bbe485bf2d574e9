import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../config.ts';
import { CoreError } from '../errors.ts';
import {
  activationCode,
  cardNo,
  day,
  deviceNo,
  errorStatus,
  idTail,
  isErrorCode,
  isWireErrorCode,
  personNo,
  statusOf,
  topUpAmount,
  topUpAmountCeiling,
} from './index.ts';

describe('the contract: one field rule and one error table for every package', () => {
  test('#13 when card and person numbers, identity proofs, days, device ids and top-up amounts are checked, then the shared rules answer', () => {
    for (const ok of ['12345678', '1'.repeat(20)]) assert.ok(cardNo.safeParse(ok).success, ok);
    for (const bad of ['1234567', '1'.repeat(21), '1234567a', ' 12345678', '']) {
      assert.equal(cardNo.safeParse(bad).success, false, bad);
    }
    // A day is a real Asia/Shanghai calendar date, not only the shape of one.
    for (const ok of ['2026-02-28', '2028-02-29']) assert.ok(day.safeParse(ok).success, ok);
    for (const bad of ['2026-02-30', '2026-13-01', '2026-2-28', '2026-02-28T00:00']) {
      assert.equal(day.safeParse(bad).success, false, bad);
    }
    for (const ok of ['1', '4294967295']) assert.ok(deviceNo.safeParse(ok).success, ok);
    for (const bad of ['0', '4294967296', '01', '12345678901']) {
      assert.equal(deviceNo.safeParse(bad).success, false, bad);
    }
    assert.ok(personNo.safeParse('S2026001').success);
    assert.equal(personNo.safeParse('S2').success, false);
    assert.ok(idTail.safeParse('12345X').success);
    assert.equal(idTail.safeParse('1234XX').success, false);
    // The card centre's code reads the same whatever its case, spaces and dashes.
    assert.equal(activationCode.parse('abcd-e 12345'), 'ABCDE12345');
    assert.equal(activationCode.safeParse('ABCDE1234').success, false);
    assert.ok(topUpAmount.safeParse(topUpAmountCeiling).success);
    for (const bad of [topUpAmountCeiling + 1, 0, -1, 1.5]) {
      assert.equal(topUpAmount.safeParse(bad).success, false, String(bad));
    }
  });

  test('#13 when TOP_UP_AMOUNT_MAX is unset, then the core takes the contract ceiling; set above it, the core refuses to start', () => {
    assert.equal(loadConfig({}).topUpAmountMax, topUpAmountCeiling);
    assert.equal(loadConfig({ TOP_UP_AMOUNT_MAX: '20000' }).topUpAmountMax, 20_000);
    assert.throws(() => loadConfig({ TOP_UP_AMOUNT_MAX: String(topUpAmountCeiling + 1) }), /topUpAmountMax/);
  });

  test('#13 when an error code is looked up, then the core and the BFF read its status from the one table', () => {
    // Statuses the tests and the docs rely on, unchanged by the move into the contract.
    const known: Record<string, number> = {
      VALIDATION_FAILED: 400,
      UNAUTHENTICATED: 401,
      CARD_NOT_FOUND: 404,
      ID_REUSED: 409,
      HOLD_ALREADY_RESOLVED: 409,
      INSUFFICIENT_FUNDS: 422,
      ADMIN_LOCKED_OUT: 423,
      OVERLOADED: 503,
      LOGIN_FAILED: 401,
      FORBIDDEN: 403,
      RATE_LIMITED: 429,
      UPSTREAM_FAILED: 502,
    };
    for (const [code, status] of Object.entries(known)) {
      assert.ok(isWireErrorCode(code), code);
      assert.equal(statusOf(code as keyof typeof errorStatus), status, code);
    }
    // A core code's CoreError carries the table's status; a BFF-only code is not one the core answers.
    assert.equal(new CoreError('HOLD_EXPIRED', 'x').status, errorStatus.HOLD_EXPIRED);
    assert.equal(isErrorCode('LOGIN_FAILED'), false);
    assert.equal(isErrorCode('CARD_LOST'), true);
    assert.equal(isWireErrorCode('NO_SUCH_CODE'), false);
    for (const status of Object.values(errorStatus)) assert.ok(status >= 400 && status < 600);
  });
});
