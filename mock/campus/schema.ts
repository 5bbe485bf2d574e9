/**
 * The two source databases as the card system meets them: tables it reads but does not own. Like
 * real legacy systems they use AUTO_INCREMENT ids and do not enforce unique person numbers, so
 * duplicates and missing names can exist and the sync must report them. Every row carries
 * updated_at (UTC, millisecond precision, maintained by the database) as its change watermark,
 * and a status, so graduations and leavers are visible; a hard delete is visible only by absence.
 */
const changed = 'updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)';
const table = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

export const academicSchema = [
  `CREATE TABLE departments (
    dept_code VARCHAR(8) NOT NULL PRIMARY KEY,
    name VARCHAR(64) NOT NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'active',
    ${changed},
    KEY departments_changed (updated_at)
  ) ${table}`,
  `CREATE TABLE classes (
    class_code VARCHAR(16) NOT NULL PRIMARY KEY,
    name VARCHAR(64) NOT NULL,
    dept_code VARCHAR(8) NOT NULL,
    enrol_year SMALLINT NOT NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'active',
    ${changed},
    KEY classes_changed (updated_at)
  ) ${table}`,
  `CREATE TABLE students (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    student_no VARCHAR(32) NOT NULL,
    name VARCHAR(64) NULL,
    gender CHAR(1) NULL,
    id_number VARCHAR(18) NULL,
    phone VARCHAR(16) NULL,
    dept_code VARCHAR(8) NULL,
    class_code VARCHAR(16) NULL,
    enrol_year SMALLINT NULL,
    guardian_name VARCHAR(64) NULL,
    guardian_phone VARCHAR(16) NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'enrolled',
    ${changed},
    KEY students_no (student_no),
    KEY students_changed (updated_at, id)
  ) ${table}`,
  `CREATE TABLE courses (
    course_code VARCHAR(16) NOT NULL PRIMARY KEY,
    name VARCHAR(64) NOT NULL,
    dept_code VARCHAR(8) NOT NULL,
    ${changed},
    KEY courses_changed (updated_at)
  ) ${table}`,
  `CREATE TABLE enrolments (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    term VARCHAR(16) NOT NULL,
    course_code VARCHAR(16) NOT NULL,
    student_no VARCHAR(32) NOT NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'enrolled',
    ${changed},
    UNIQUE KEY enrolments_once (term, course_code, student_no),
    KEY enrolments_changed (updated_at, id)
  ) ${table}`,
  `CREATE TABLE class_sessions (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    session_code VARCHAR(48) NOT NULL,
    term VARCHAR(16) NOT NULL,
    course_code VARCHAR(16) NOT NULL,
    room VARCHAR(32) NOT NULL,
    starts_at DATETIME(3) NOT NULL,
    ends_at DATETIME(3) NOT NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'scheduled',
    ${changed},
    UNIQUE KEY class_sessions_code (session_code),
    KEY class_sessions_changed (updated_at, id)
  ) ${table}`,
  `CREATE TABLE exam_sessions (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    exam_code VARCHAR(48) NOT NULL,
    term VARCHAR(16) NOT NULL,
    course_code VARCHAR(16) NOT NULL,
    room VARCHAR(32) NOT NULL,
    starts_at DATETIME(3) NOT NULL,
    ends_at DATETIME(3) NOT NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'scheduled',
    ${changed},
    UNIQUE KEY exam_sessions_code (exam_code),
    KEY exam_sessions_changed (updated_at, id)
  ) ${table}`,
];

export const hrSchema = [
  `CREATE TABLE departments (
    dept_code VARCHAR(8) NOT NULL PRIMARY KEY,
    name VARCHAR(64) NOT NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'active',
    ${changed},
    KEY departments_changed (updated_at)
  ) ${table}`,
  `CREATE TABLE staff (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    staff_no VARCHAR(32) NOT NULL,
    name VARCHAR(64) NULL,
    gender CHAR(1) NULL,
    id_number VARCHAR(18) NULL,
    phone VARCHAR(16) NULL,
    dept_code VARCHAR(8) NULL,
    title VARCHAR(32) NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'active',
    ${changed},
    KEY staff_no (staff_no),
    KEY staff_changed (updated_at, id)
  ) ${table}`,
];
