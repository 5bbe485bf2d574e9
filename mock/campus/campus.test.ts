import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mysqlServerUrl } from '@campus-card/tests/kit';
import mysql from 'mysql2/promise';
import { Campus } from './campus.ts';
import { generateCampus } from './generate.ts';
import { idCheckDigit, isValidIdNumber } from './identity.ts';

describe('campus identity data', () => {
  test('when the check digit of the GB 11643 example is computed, then it is X', () => {
    // Goal: the check digit follows the standard (its worked example is 11010519491231002X).
    assert.equal(idCheckDigit('11010519491231002'), 'X');
    assert.equal(isValidIdNumber('11010519491231002X'), true);
    assert.equal(isValidIdNumber('110105194912310021'), false);
  });

  test('when a campus is generated twice from one seed, then it is the same, and valid', () => {
    // Goal: tests and benchmarks can rely on a seed instead of fixtures.
    const a = generateCampus({ seed: 7, students: 500, staff: 40 });
    const b = generateCampus({ seed: 7, students: 500, staff: 40 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.students[0], generateCampus({ seed: 8, students: 500, staff: 40 }).students[0]);
    assert.equal(a.students.length, 500);
    assert.equal(a.staff.length, 40);
    assert.equal(new Set(a.students.map((s) => s.studentNo)).size, 500);
    for (const person of [...a.students, ...a.staff]) {
      assert.ok(person.idNumber && isValidIdNumber(person.idNumber), person.idNumber ?? 'no ID number');
      assert.match(person.phone ?? '', /^1\d{10}$/);
      assert.match(person.name ?? '', /^[\u4e00-\u9fa5]{2,4}$/);
    }
    // #14: most records name a guardian with a mobile number; a few name none.
    const withGuardian = a.students.filter((s) => s.guardianPhone !== null);
    assert.ok(withGuardian.length > 400 && withGuardian.length < 500, String(withGuardian.length));
    for (const s of withGuardian) {
      assert.match(s.guardianPhone ?? '', /^1\d{10}$/);
      assert.match(s.guardianName ?? '', /^[\u4e00-\u9fa5]{2,4}$/);
    }
    const classSizes = new Map<string, number>();
    for (const s of a.students) classSizes.set(s.classCode, (classSizes.get(s.classCode) ?? 0) + 1);
    assert.ok(Math.max(...classSizes.values()) <= 32);
  });
});

describe('campus source databases on MariaDB', () => {
  let campus: Campus;
  let db: mysql.Connection;
  before(async () => {
    campus = await Campus.seed({ serverUrl: mysqlServerUrl, seed: 3, students: 300, staff: 50 });
    db = await mysql.createConnection({ uri: mysqlServerUrl, timezone: 'Z' });
  });
  after(async () => {
    await db.end();
    await campus.close({ drop: true });
  });
  const one = async <T>(sql: string, params: unknown[] = []) =>
    ((await db.query(sql, params))[0] as T[])[0] as T;

  test('when seeded, then both schemas hold the generated rows', async () => {
    // Goal: the seed writes everything it generated, in two separate schemas.
    const a = campus.academicSchema;
    assert.equal((await one<{ n: number }>(`SELECT COUNT(*) AS n FROM ${a}.students`)).n, 300);
    assert.equal((await one<{ n: number }>(`SELECT COUNT(*) AS n FROM ${campus.hrSchema}.staff`)).n, 50);
    assert.equal(
      (await one<{ n: number }>(`SELECT COUNT(*) AS n FROM ${a}.enrolments`)).n,
      campus.data.enrolments.length,
    );
    const first = campus.data.students[0];
    const row = await one<{ name: string }>(`SELECT name FROM ${a}.students WHERE student_no = ?`, [
      first?.studentNo,
    ]);
    assert.equal(row.name, first?.name);
  });

  test('when a student graduates, then the row says so and its watermark moves', async () => {
    // Goal: graduations are visible to an incremental reader.
    const no = campus.data.students[1]?.studentNo as string;
    const q = `SELECT status, updated_at FROM ${campus.academicSchema}.students WHERE student_no = ?`;
    const before = await one<{ status: string; updated_at: Date }>(q, [no]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(await campus.graduate([no]), 1);
    const after = await one<{ status: string; updated_at: Date }>(q, [no]);
    assert.equal(after.status, 'graduated');
    assert.ok(after.updated_at.getTime() > before.updated_at.getTime());
  });

  test('when invalid rows and a hard delete are made, then the source holds exactly that', async () => {
    // Goal: the mutation API produces the dirty data the sync must report.
    const a = campus.academicSchema;
    const dup = campus.data.students[2]?.studentNo as string;
    await campus.insertDuplicateStudent(dup);
    const nameless = await campus.insertNamelessStudent();
    const gone = campus.data.students[3]?.studentNo as string;
    await campus.hardDeleteStudent(gone);
    const count = async (no: string) =>
      (await one<{ n: number }>(`SELECT COUNT(*) AS n FROM ${a}.students WHERE student_no = ?`, [no])).n;
    assert.equal(await count(dup), 2);
    assert.equal(await count(gone), 0);
    assert.equal(
      (await one<{ name: string | null }>(`SELECT name FROM ${a}.students WHERE student_no = ?`, [nameless]))
        .name,
      null,
    );
    await campus.transferStudent(campus.data.students[4]?.studentNo as string, '02');
    const moved = await one<{ dept_code: string; class_code: string }>(
      `SELECT dept_code, class_code FROM ${a}.students WHERE student_no = ?`,
      [campus.data.students[4]?.studentNo],
    );
    assert.equal(moved.dept_code, '02');
    assert.match(moved.class_code, /^\d{4}0201$/);
  });
});
