import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Answer } from '@campus-card/core/client';
import { type ErrorCode, errorStatus, isErrorCode } from '@campus-card/core/contract';
import { BffError } from '../../errors.ts';
import { accepted } from './card-affairs.ts';

const refused = (code: ErrorCode): Answer => ({
  status: 'rejected',
  id: 'adm-cash-0123456789',
  kind: 'top_up',
  code,
  message: `refused ${code}`,
  replayed: false,
});

describe('card affairs: the core refusing an operation', () => {
  test('#13 when the core refuses with any of its codes, then the backoffice answers that code with the status of the contract table, not one guessed from the name', () => {
    const coreCodes = Object.keys(errorStatus).filter(isErrorCode);
    assert.ok(coreCodes.length > 50);
    for (const code of coreCodes) {
      assert.throws(
        () => accepted(refused(code)),
        (error: unknown) =>
          error instanceof BffError &&
          error.code === code &&
          error.status === errorStatus[code] &&
          error.message === `refused ${code}`,
        code,
      );
    }
    // The ones a suffix guess got wrong: a bad adjustment is 400, a settled hold or a bad transition 409.
    const statusOf = (code: ErrorCode) => {
      try {
        accepted(refused(code));
      } catch (error) {
        return (error as BffError).status;
      }
      return undefined;
    };
    assert.equal(statusOf('VALIDATION_FAILED'), 400);
    assert.equal(statusOf('HOLD_ALREADY_RESOLVED'), 409);
    assert.equal(statusOf('INVALID_TRANSITION'), 409);
    assert.equal(statusOf('CARD_LOST'), 422);
  });
});
