import assert from 'node:assert/strict';
import { test } from 'node:test';
import { absenceStrings as words } from '../src/absence-strings.ts';
import { absenceReportOf } from '../src/lib/absences.ts';

// Goal: the 请假 form says what is wrong in Chinese before any request, and sends the Shanghai times as typed.
const form = {
  fromDay: '2026-12-08',
  fromTime: '08:00',
  toDay: '2026-12-09',
  toTime: '18:00',
  reason: ' 发烧 ',
};

test('when the form is complete and in order, then the report carries the Shanghai times, the trimmed reason and the choices', () => {
  assert.deepEqual(absenceReportOf(form, 'sick', true, 'req12345'), {
    requestId: 'req12345',
    kind: 'sick',
    from: '2026-12-08 08:00',
    to: '2026-12-09 18:00',
    reason: '发烧',
    offCampus: true,
  });
});

test('when a time is malformed, out of order, longer than 30 days or the reason is empty, then the sentence for it', () => {
  assert.equal(absenceReportOf({ ...form, fromTime: '8点' }, 'sick', false, 'r'), words.invalid.time);
  assert.equal(absenceReportOf({ ...form, toDay: '2026-02-30' }, 'sick', false, 'r'), words.invalid.time);
  assert.equal(
    absenceReportOf({ ...form, toDay: '2026-12-08', toTime: '07:00' }, 'sick', false, 'r'),
    words.invalid.order,
  );
  assert.equal(absenceReportOf({ ...form, toDay: '2027-01-08' }, 'sick', false, 'r'), words.invalid.tooLong);
  assert.equal(absenceReportOf({ ...form, reason: '  ' }, 'sick', false, 'r'), words.invalid.reason);
  assert.equal(
    absenceReportOf({ ...form, reason: '长'.repeat(201) }, 'sick', false, 'r'),
    words.invalid.reason,
  );
});

test('when the strings are read, then every kind and status has a Chinese word and no English', () => {
  for (const word of [
    ...Object.values(words.kinds),
    ...Object.values(words.statuses),
    ...Object.values(words.errors),
  ])
    assert.doesNotMatch(word, /[A-Za-z]/);
});
