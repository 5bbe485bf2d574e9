import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { endsCard, isInvalid, isValidIdNumber, judgeRow } from './person-rows.ts';
import type { SourcePerson } from './source-reader.ts';

const key = Buffer.alloc(32, 7);
const row: SourcePerson = {
  stream: 'academic.students',
  rowId: '17',
  personNo: '2024010017',
  name: ' 王小明 ',
  idNumber: '11010519491231002x',
  phone: '13800138000',
  deptCode: '01',
  deptName: '计算机学院',
  classCode: '20240101',
  enrolYear: 2024,
  guardianName: null,
  guardianPhone: null,
  status: 'enrolled',
  updatedAtMs: 1_760_000_000_000,
};

test('when a good row is judged, then it is a valid, trimmed person with a digest', () => {
  // Goal: what the sync applies is normalised (trimmed name, upper-case X) and fingerprinted.
  const judged = judgeRow(row, key);
  assert.ok(!isInvalid(judged));
  assert.equal(judged.name, '王小明');
  assert.equal(judged.idNumber, '11010519491231002X');
  assert.equal(judged.type, 'student');
  assert.equal(judged.status, 'active');
  assert.match(judged.digest, /^[0-9a-f]{64}$/);
});

test('when any applied field changes, then the digest changes; with another key it differs too', () => {
  // Goal: an equal digest really means nothing to apply, and the digest cannot be recomputed without the key.
  const base = judgeRow(row, key);
  assert.ok(!isInvalid(base));
  for (const change of [
    { name: '王小红' },
    { deptCode: '02', deptName: '数学科学学院' },
    { deptName: '计算机与软件学院' },
    { classCode: '20240102' },
    { enrolYear: 2023 },
    { phone: '13900139000' },
    { status: 'graduated' },
  ]) {
    const other = judgeRow({ ...row, ...change }, key);
    assert.ok(!isInvalid(other));
    assert.notEqual(other.digest, base.digest, JSON.stringify(change));
  }
  const sameAgain = judgeRow({ ...row, updatedAtMs: row.updatedAtMs + 1 }, key);
  assert.ok(!isInvalid(sameAgain));
  assert.equal(sameAgain.digest, base.digest, 'a touch without a change is not a change');
  const otherKey = judgeRow(row, Buffer.alloc(32, 8));
  assert.ok(!isInvalid(otherKey));
  assert.notEqual(otherKey.digest, base.digest);
});

test('when rows break a rule, then each gets its code, and no reason carries the value', () => {
  // Goal: a table of bad rows and the exact code each gives.
  const cases: [Partial<SourcePerson>, string][] = [
    [{ personNo: null }, 'BAD_PERSON_NO'],
    [{ personNo: '20-24' }, 'BAD_PERSON_NO'],
    [{ name: null }, 'MISSING_NAME'],
    [{ name: '   ' }, 'MISSING_NAME'],
    [{ name: '名'.repeat(65) }, 'BAD_NAME'],
    [{ idNumber: '110105194912310021' }, 'BAD_ID_NUMBER'],
    [{ idNumber: '1101051949123100' }, 'BAD_ID_NUMBER'],
    [{ phone: '0755-1234567' }, 'BAD_PHONE'],
    [{ deptName: null }, 'UNKNOWN_DEPARTMENT'],
    [{ status: 'expelled' }, 'UNKNOWN_STATUS'],
  ];
  for (const [change, code] of cases) {
    const judged = judgeRow({ ...row, ...change }, key);
    assert.ok(isInvalid(judged), JSON.stringify(change));
    assert.equal(judged.code, code);
    for (const value of Object.values(change)) {
      if (typeof value === 'string' && value.trim().length > 3) assert.ok(!judged.reason.includes(value));
    }
  }
  // Optional fields may be absent.
  assert.ok(!isInvalid(judgeRow({ ...row, idNumber: null, phone: '' }, key)));
});

test('when statuses are mapped, then graduates, leavers and retirees end the card and the rest keep it', () => {
  // Goal: the one table that decides who loses their card.
  const status = (stream: SourcePerson['stream'], s: string) => {
    const judged = judgeRow({ ...row, stream, status: s }, key);
    assert.ok(!isInvalid(judged));
    return judged.status;
  };
  assert.equal(endsCard(status('academic.students', 'graduated')), true);
  assert.equal(endsCard(status('academic.students', 'withdrawn')), true);
  assert.equal(endsCard(status('academic.students', 'suspended')), false);
  assert.equal(endsCard(status('hr.staff', 'left')), true);
  assert.equal(endsCard(status('hr.staff', 'retired')), true);
  assert.equal(endsCard(status('hr.staff', 'active')), false);
  assert.equal(isValidIdNumber('11010519491231002X'), true);
});

test('#19 when a row names an enrolment year, then it is the grade; an impossible one or none is no grade, and a row without one keeps the digest it had before years were read', () => {
  // Goal: grade targeting reads a plausible year only, and adding the year did not make the sync re-apply every staff row.
  const judged = (enrolYear: number | null) => {
    const j = judgeRow({ ...row, enrolYear }, key);
    assert.ok(!isInvalid(j));
    return j;
  };
  assert.equal(judged(2024).enrolYear, 2024);
  assert.equal(judged(24).enrolYear, null);
  assert.equal(judged(null).enrolYear, null);
  const without = judged(null);
  const before = [
    'student',
    '王小明',
    '11010519491231002X',
    '13800138000',
    '01',
    '计算机学院',
    '20240101',
    'active',
  ];
  assert.equal(without.digest, createHmac('sha256', key).update(JSON.stringify(before)).digest('hex'));
  assert.notEqual(judged(2024).digest, without.digest);
});

test('#14 when a row names a guardian with a mobile number, then it is kept and joins the digest; a guardian without a usable number is none, and a row without one keeps its digest', () => {
  // Goal: the guardian on record reaches the core only with a number an SMS can go to, and reading it re-applies only rows that have one.
  const judged = (guardianName: string | null, guardianPhone: string | null) => {
    const j = judgeRow({ ...row, guardianName, guardianPhone }, key);
    assert.ok(!isInvalid(j));
    return j;
  };
  const none = judged(null, null);
  assert.equal(none.guardian, null);
  assert.deepEqual(judged(' 王建国 ', ' 13700137000 ').guardian, { name: '王建国', phone: '13700137000' });
  assert.notEqual(judged('王建国', '13700137000').digest, none.digest);
  assert.notEqual(judged('王建国', '13700137001').digest, judged('王建国', '13700137000').digest);
  for (const bad of ['010-12345678', '1370013700', 'not a phone']) {
    const j = judged('王建国', bad);
    assert.equal(j.guardian, null, bad);
    assert.equal(j.digest, none.digest, bad);
  }
});
