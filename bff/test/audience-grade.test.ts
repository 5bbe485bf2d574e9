// #19: news for a grade (年级) reaches the open mini-programs of that year's students only, and (#18)
// news for a campus those whose dorm is on it, by the same rule as the core's SQL
// (core/src/content/audience.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AudienceProfile, inAudience } from '../src/push/news-push.ts';

const student = (enrolYear: number | null | undefined): AudienceProfile => ({
  personType: 'student',
  department: '计算机学院',
  classCode: '2024CS01',
  ...(enrolYear === undefined ? {} : { enrolYear }),
});

test('#19 when news is for a grade, then a student of that enrolment year hears it; another year, no year, a profile cached before grades, and staff do not', () => {
  const grade = { type: 'grade', value: '2024' } as const;
  assert.equal(inAudience(grade, student(2024)), true);
  assert.equal(inAudience(grade, student(2023)), false);
  assert.equal(inAudience(grade, student(null)), false);
  assert.equal(inAudience(grade, student(undefined)), false);
  assert.equal(inAudience(grade, { ...student(2024), personType: 'staff' }), false);
});

test('#18 when news is for a campus, then a person whose dorm is on that campus hears it; another campus, none, and a profile cached before campuses do not', () => {
  const campus = { type: 'campus', value: 'EAST' } as const;
  assert.equal(inAudience(campus, { ...student(2024), campusId: 'EAST' }), true);
  assert.equal(inAudience(campus, { ...student(2024), personType: 'staff', campusId: 'EAST' }), true);
  assert.equal(inAudience(campus, { ...student(2024), campusId: 'MAIN' }), false);
  assert.equal(inAudience(campus, { ...student(2024), campusId: null }), false);
  assert.equal(inAudience(campus, student(2024)), false);
});
