import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import {
  type CampusData,
  currentTerm,
  faculties,
  generateCampus,
  makeStaff,
  makeStudent,
  type Session,
  type Staff,
  type Student,
  staffNo,
} from './generate.ts';
import { academicPhotoSchema, hrPhotoSchema, portraitPng } from './photos.ts';
import { Random } from './random.ts';
import { academicSchema, hrSchema } from './schema.ts';

/** Rows per INSERT statement while seeding: large enough to be fast, well under max_allowed_packet. */
const rowsPerInsertMax = 1_000;

export interface SeedOptions {
  /** mysql://user:pass@host:port — the server, without a database. */
  serverUrl: string;
  /** Schema names; random ones when left out (tests), dropped and recreated when they exist. */
  academicSchema?: string;
  hrSchema?: string;
  seed?: number;
  students?: number;
  staff?: number;
}

/**
 * A seeded campus: the academic-affairs and HR schemas on a MariaDB server, and the mutations tests
 * make to them (new students, graduations, transfers, leavers, invalid rows, hard deletes). Every
 * mutation goes through SQL like the source systems' own screens would, so updated_at moves the way
 * it would in production.
 */
export class Campus {
  private serial = 0;
  private readonly random: Random;

  private constructor(
    readonly serverUrl: string,
    readonly academicSchema: string,
    readonly hrSchema: string,
    readonly data: CampusData,
    private readonly pool: mysql.Pool,
    seed: number,
  ) {
    this.random = new Random(seed ^ 0x5eed);
  }

  get academicUrl(): string {
    return `${this.serverUrl}/${this.academicSchema}`;
  }
  get hrUrl(): string {
    return `${this.serverUrl}/${this.hrSchema}`;
  }

  static async seed(options: SeedOptions): Promise<Campus> {
    const suffix = randomBytes(5).toString('hex');
    const academic = options.academicSchema ?? `campus_academic_${suffix}`;
    const hr = options.hrSchema ?? `campus_hr_${suffix}`;
    for (const name of [academic, hr]) {
      if (!/^[a-z0-9_]{1,64}$/.test(name)) throw new Error(`schema name ${name} is not [a-z0-9_]`);
    }
    const seed = options.seed ?? 1;
    const data = generateCampus({
      seed,
      students: options.students ?? 20_000,
      staff: options.staff ?? 2_000,
    });
    const pool = mysql.createPool({
      uri: options.serverUrl,
      connectionLimit: 4,
      multipleStatements: false,
      timezone: 'Z',
      charset: 'utf8mb4_unicode_ci',
    });
    // updated_at is kept in UTC whatever the server's own zone.
    pool.on('connection', (c) => c.query("SET time_zone = '+00:00'"));
    const campus = new Campus(options.serverUrl, academic, hr, data, pool, seed);
    await campus.create(data);
    return campus;
  }

  private async create(data: CampusData): Promise<void> {
    for (const [schema, ddl] of [
      [this.academicSchema, [...academicSchema, ...academicPhotoSchema]],
      [this.hrSchema, [...hrSchema, ...hrPhotoSchema]],
    ] as const) {
      await this.pool.query(`DROP DATABASE IF EXISTS ${schema}`);
      await this.pool.query(`CREATE DATABASE ${schema} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      for (const statement of ddl)
        await this.pool.query(statement.replace('CREATE TABLE ', `CREATE TABLE ${schema}.`));
    }
    const a = this.academicSchema;
    await this.insert(
      `${a}.departments`,
      ['dept_code', 'name'],
      data.academicDepartments.map((d) => [d.deptCode, d.name]),
    );
    await this.insert(
      `${a}.classes`,
      ['class_code', 'name', 'dept_code', 'enrol_year'],
      data.classes.map((c) => [c.classCode, c.name, c.deptCode, c.enrolYear]),
    );
    await this.insertStudents(data.students);
    await this.insert(
      `${a}.courses`,
      ['course_code', 'name', 'dept_code'],
      data.courses.map((c) => [c.courseCode, c.name, c.deptCode]),
    );
    await this.insert(
      `${a}.enrolments`,
      ['term', 'course_code', 'student_no'],
      data.enrolments.map((e) => [e.term, e.courseCode, e.studentNo]),
    );
    await this.insertSessions('class_sessions', 'session_code', data.classSessions);
    await this.insertSessions('exam_sessions', 'exam_code', data.examSessions);
    await this.insert(
      `${this.hrSchema}.departments`,
      ['dept_code', 'name'],
      data.hrDepartments.map((d) => [d.deptCode, d.name]),
    );
    await this.insertStaff(data.staff);
    await this.insertPhotos(data);
  }

  /** Every person's photo (学生照片, 教职工照片), one row each. */
  private async insertPhotos(data: CampusData): Promise<void> {
    const photoRows = (people: readonly { no: string }[]) => people.map((p) => [p.no, portraitPng(p.no)]);
    await this.insert(
      `${this.academicSchema}.student_photos`,
      ['student_no', 'photo'],
      photoRows(data.students.map((s) => ({ no: s.studentNo }))),
    );
    await this.insert(
      `${this.hrSchema}.staff_photos`,
      ['staff_no', 'photo'],
      photoRows(data.staff.map((s) => ({ no: s.staffNo }))),
    );
  }

  /** A person's photo retaken (new bytes), or taken away (null), as the source system's photo screen does. */
  async setPhoto(kind: 'student' | 'staff', personNo: string, photo: Buffer | null): Promise<void> {
    const [table, column] =
      kind === 'student'
        ? [`${this.academicSchema}.student_photos`, 'student_no']
        : [`${this.hrSchema}.staff_photos`, 'staff_no'];
    const [result] = await this.pool.query<mysql.ResultSetHeader>(
      `UPDATE ${table} SET photo = ?, updated_at = CURRENT_TIMESTAMP(3) WHERE ${column} = ?`,
      [photo, personNo],
    );
    if (result.affectedRows === 0)
      await this.pool.query(`INSERT INTO ${table} (${column}, photo) VALUES (?, ?)`, [personNo, photo]);
  }

  /** Multi-row INSERTs in chunks, each chunk one statement. */
  private async insert(table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void> {
    for (let i = 0; i < rows.length; i += rowsPerInsertMax) {
      const chunk = rows.slice(i, i + rowsPerInsertMax);
      await this.pool.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ?`, [chunk]);
    }
  }

  private insertStudents(students: readonly Student[]): Promise<void> {
    return this.insert(
      `${this.academicSchema}.students`,
      [
        'student_no',
        'name',
        'gender',
        'id_number',
        'phone',
        'dept_code',
        'class_code',
        'enrol_year',
        'guardian_name',
        'guardian_phone',
        'status',
      ],
      students.map((s) => [
        s.studentNo,
        s.name,
        s.gender,
        s.idNumber,
        s.phone,
        s.deptCode,
        s.classCode,
        s.enrolYear,
        s.guardianName,
        s.guardianPhone,
        s.status,
      ]),
    );
  }

  private insertStaff(staff: readonly Staff[]): Promise<void> {
    return this.insert(
      `${this.hrSchema}.staff`,
      ['staff_no', 'name', 'gender', 'id_number', 'phone', 'dept_code', 'title', 'status'],
      staff.map((s) => [s.staffNo, s.name, s.gender, s.idNumber, s.phone, s.deptCode, s.title, s.status]),
    );
  }

  private insertSessions(table: string, codeColumn: string, sessions: readonly Session[]): Promise<void> {
    return this.insert(
      `${this.academicSchema}.${table}`,
      [codeColumn, 'term', 'course_code', 'room', 'starts_at', 'ends_at'],
      sessions.map((s) => [s.code, s.term, s.courseCode, s.room, s.startsAt, s.endsAt]),
    );
  }

  // ---- Mutations, for tests ----------------------------------------------------------------

  /** New students (freshmen) in a faculty's 2025 class; answers their numbers. */
  async addStudents(count: number, deptCode = '01'): Promise<Student[]> {
    const added: Student[] = [];
    for (let i = 0; i < count; i++) {
      this.serial += 1;
      added.push(
        makeStudent(
          this.random,
          `2025${deptCode}${String(9000 + this.serial).padStart(4, '0')}`,
          deptCode,
          `2025${deptCode}01`,
          2025,
        ),
      );
    }
    await this.insertStudents(added);
    return added;
  }

  async addStaff(count: number, deptCode = 'H01'): Promise<Staff[]> {
    const added: Staff[] = [];
    for (let i = 0; i < count; i++) {
      this.serial += 1;
      added.push(makeStaff(this.random, staffNo(2026, 9000 + this.serial), deptCode));
    }
    await this.insertStaff(added);
    return added;
  }

  /** A staff row carrying a number of the caller's choosing (say, a student's): dirty data across systems. */
  async addStaffNumbered(no: string, deptCode = 'H01'): Promise<Staff> {
    const staff = makeStaff(this.random, no, deptCode);
    await this.insertStaff([staff]);
    return staff;
  }

  /** Sets students' status to graduated (毕业). */
  async graduate(studentNos: readonly string[]): Promise<number> {
    return this.setStatus(`${this.academicSchema}.students`, 'student_no', studentNos, 'graduated');
  }

  /** Staff who left (离职). */
  async staffLeave(staffNos: readonly string[]): Promise<number> {
    return this.setStatus(`${this.hrSchema}.staff`, 'staff_no', staffNos, 'left');
  }

  /** A transfer between faculties (转专业): new department and a class of it. */
  async transferStudent(studentNo: string, deptCode: string): Promise<void> {
    const [result] = await this.pool.query<mysql.ResultSetHeader>(
      `UPDATE ${this.academicSchema}.students SET dept_code = ?, class_code = CONCAT(enrol_year, ?, '01') WHERE student_no = ?`,
      [deptCode, deptCode, studentNo],
    );
    if (result.affectedRows !== 1) throw new Error(`no student ${studentNo}`);
  }

  async transferStaff(staffNoValue: string, deptCode: string): Promise<void> {
    await this.pool.query(`UPDATE ${this.hrSchema}.staff SET dept_code = ? WHERE staff_no = ?`, [
      deptCode,
      staffNoValue,
    ]);
  }

  /** Any other edit of a student row (a corrected name, a new phone, a bad ID number). */
  async updateStudent(
    studentNo: string,
    fields: Partial<
      Pick<Student, 'name' | 'phone' | 'idNumber' | 'status' | 'guardianName' | 'guardianPhone'>
    >,
  ): Promise<void> {
    const columns = {
      name: 'name',
      phone: 'phone',
      idNumber: 'id_number',
      status: 'status',
      guardianName: 'guardian_name',
      guardianPhone: 'guardian_phone',
    } as const;
    const entries = Object.entries(fields) as [keyof typeof columns, string | null][];
    await this.pool.query(
      `UPDATE ${this.academicSchema}.students SET ${entries.map(([k]) => `${columns[k]} = ?`).join(', ')} WHERE student_no = ?`,
      [...entries.map(([, v]) => v), studentNo],
    );
  }

  /** A second row with an existing student number (dirty legacy data). */
  async insertDuplicateStudent(studentNo: string): Promise<void> {
    const original = this.data.students.find((s) => s.studentNo === studentNo) ?? this.data.students[0];
    if (!original) throw new Error('the campus has no students');
    await this.insertStudents([
      { ...makeStudent(this.random, studentNo, original.deptCode, original.classCode, original.enrolYear) },
    ]);
  }

  /** A student row without a name; answers its number. */
  async insertNamelessStudent(): Promise<string> {
    const [student] = await this.addStudents(1);
    if (!student) throw new Error('no student added');
    await this.updateStudent(student.studentNo, { name: null });
    return student.studentNo;
  }

  /** Deletes rows outright, leaving no status behind: only a full reconcile can notice. */
  async hardDeleteStudent(studentNo: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.academicSchema}.students WHERE student_no = ?`, [studentNo]);
  }

  async hardDeleteStaff(staffNoValue: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.hrSchema}.staff WHERE staff_no = ?`, [staffNoValue]);
  }

  /** Moves an enrolment in or out of a course roster (选课/退课). */
  async enrol(
    studentNo: string,
    courseCode: string,
    status: 'enrolled' | 'dropped' = 'enrolled',
  ): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.academicSchema}.enrolments (term, course_code, student_no, status) VALUES (?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE status = VALUES(status)`,
      [currentTerm, courseCode, studentNo, status],
    );
  }

  /** Moves a class meeting to another room (调课), or cancels it (停课). */
  async changeClassSession(
    sessionCode: string,
    change: { room: string } | { status: 'cancelled' },
  ): Promise<void> {
    const [column, value] = 'room' in change ? ['room', change.room] : ['status', change.status];
    const [result] = await this.pool.query<mysql.ResultSetHeader>(
      `UPDATE ${this.academicSchema}.class_sessions SET ${column} = ? WHERE session_code = ?`,
      [value, sessionCode],
    );
    if (result.affectedRows !== 1) throw new Error(`no class session ${sessionCode}`);
  }

  async close(options: { drop?: boolean } = {}): Promise<void> {
    if (options.drop) {
      await this.pool.query(`DROP DATABASE IF EXISTS ${this.academicSchema}`);
      await this.pool.query(`DROP DATABASE IF EXISTS ${this.hrSchema}`);
    }
    await this.pool.end();
  }

  private async setStatus(
    table: string,
    column: string,
    numbers: readonly string[],
    status: string,
  ): Promise<number> {
    if (numbers.length === 0) return 0;
    const [result] = await this.pool.query<mysql.ResultSetHeader>(
      `UPDATE ${table} SET status = ? WHERE ${column} IN (?)`,
      [status, numbers],
    );
    return result.affectedRows;
  }
}

export { faculties };
