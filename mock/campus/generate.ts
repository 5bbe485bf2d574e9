import { dayBoundsMs, parseDay } from '../../core/src/time.ts';
import { chineseName, idNumber, mobileNumber } from './identity.ts';
import { Random } from './random.ts';

/** The rows of the two source databases, generated deterministically from a seed. */

export interface Department {
  deptCode: string;
  name: string;
}
export interface SchoolClass {
  classCode: string;
  name: string;
  deptCode: string;
  enrolYear: number;
}
export interface Student {
  studentNo: string;
  name: string | null;
  gender: 'M' | 'F';
  idNumber: string | null;
  phone: string | null;
  deptCode: string;
  classCode: string;
  enrolYear: number;
  /** The guardian on record (监护人) and their phone (家长联系电话); null where the record names none. */
  guardianName: string | null;
  guardianPhone: string | null;
  status: StudentStatus;
}
export type StudentStatus = 'enrolled' | 'graduated' | 'withdrawn' | 'suspended';
export interface Staff {
  staffNo: string;
  name: string | null;
  gender: 'M' | 'F';
  idNumber: string | null;
  phone: string | null;
  deptCode: string;
  title: string;
  status: StaffStatus;
}
export type StaffStatus = 'active' | 'left' | 'retired';
export interface Course {
  courseCode: string;
  name: string;
  deptCode: string;
}
export interface Enrolment {
  term: string;
  courseCode: string;
  studentNo: string;
}
export interface Session {
  code: string;
  term: string;
  courseCode: string;
  room: string;
  startsAt: Date;
  endsAt: Date;
}

/** Academic departments (学院): code, full name, short name for class names. */
export const faculties: readonly [string, string, string][] = [
  ['01', '计算机学院', '计算机'],
  ['02', '数学科学学院', '数学'],
  ['03', '物理学院', '物理'],
  ['04', '化学与化工学院', '化学'],
  ['05', '生命科学学院', '生科'],
  ['06', '经济学院', '经济'],
  ['07', '管理学院', '管理'],
  ['08', '法学院', '法学'],
  ['09', '文学院', '中文'],
  ['10', '外国语学院', '外语'],
  ['11', '历史学院', '历史'],
  ['12', '哲学学院', '哲学'],
  ['13', '新闻与传播学院', '新闻'],
  ['14', '机械工程学院', '机械'],
  ['15', '电气工程学院', '电气'],
  ['16', '土木工程学院', '土木'],
  ['17', '材料科学与工程学院', '材料'],
  ['18', '医学院', '临床'],
  ['19', '艺术学院', '艺术'],
  ['20', '体育学院', '体育'],
];

/** Offices that have staff but no students. */
const offices: readonly [string, string][] = [
  ['A1', '校长办公室'],
  ['A2', '教务处'],
  ['A3', '人事处'],
  ['A4', '财务处'],
  ['A5', '后勤保障处'],
  ['A6', '图书馆'],
  ['A7', '信息化中心'],
  ['A8', '保卫处'],
];

const courseStems = ['导论', '原理', '方法', '专题研究', '实验', '前沿讲座', '基础', '综合实践'];
const titles = ['教授', '副教授', '讲师', '助教', '研究员', '工程师', '行政人员', '实验员'];
const buildings = ['一教', '二教', '三教', '理科楼', '文科楼', '工科楼'];

export const currentTerm = '2025-2026-1';
/** The four grades on campus; the oldest graduates next. */
export const enrolYears = [2022, 2023, 2024, 2025] as const;
export const classSizeMax = 32;
const coursesPerFaculty = 8;
const coursesPerStudent = 4;

export interface CampusData {
  academicDepartments: Department[];
  hrDepartments: Department[];
  classes: SchoolClass[];
  students: Student[];
  staff: Staff[];
  courses: Course[];
  enrolments: Enrolment[];
  classSessions: Session[];
  examSessions: Session[];
}

export interface GenerateOptions {
  seed: number;
  students: number;
  staff: number;
}

/**
 * A campus of `students` students spread evenly over the faculties and four grades, in classes of
 * at most classSizeMax, and `staff` staff over faculties and offices. Each student takes
 * coursesPerStudent of their faculty's courses this term; each course meets twice in the week and
 * has one exam.
 */
export function generateCampus(options: GenerateOptions): CampusData {
  const random = new Random(options.seed);
  const academicDepartments = faculties.map(([deptCode, name]) => ({ deptCode, name }));
  const hrDepartments = [
    ...faculties.map(([code, name]) => ({ deptCode: `H${code}`, name })),
    ...offices.map(([code, name]) => ({ deptCode: `H${code}`, name })),
  ];
  const classes: SchoolClass[] = [];
  const students: Student[] = [];
  const cohorts = faculties.length * enrolYears.length;
  for (let c = 0; c < cohorts; c++) {
    const [deptCode, , short] = faculties[c % faculties.length] as [string, string, string];
    const enrolYear = enrolYears[Math.floor(c / faculties.length)] as number;
    const size = Math.floor(options.students / cohorts) + (c < options.students % cohorts ? 1 : 0);
    const classCount = Math.max(1, Math.ceil(size / classSizeMax));
    for (let k = 1; k <= classCount; k++) {
      classes.push({
        classCode: `${enrolYear}${deptCode}${String(k).padStart(2, '0')}`,
        name: `${short}${enrolYear}级${k}班`,
        deptCode,
        enrolYear,
      });
    }
    for (let i = 0; i < size; i++) {
      students.push(
        makeStudent(
          random,
          `${enrolYear}${deptCode}${String(i + 1).padStart(4, '0')}`,
          deptCode,
          `${enrolYear}${deptCode}${String((i % classCount) + 1).padStart(2, '0')}`,
          enrolYear,
        ),
      );
    }
  }
  const staff: Staff[] = [];
  for (let i = 0; i < options.staff; i++) {
    staff.push(makeStaff(random, staffNo(1990 + (i % 35), i + 1), random.pick(hrDepartments).deptCode));
  }
  const courses: Course[] = [];
  for (const [deptCode, , short] of faculties) {
    for (let k = 1; k <= coursesPerFaculty; k++) {
      courses.push({
        courseCode: `C${deptCode}${String(k).padStart(3, '0')}`,
        name: `${short}${courseStems[(k - 1) % courseStems.length]}`,
        deptCode,
      });
    }
  }
  const enrolments: Enrolment[] = [];
  for (const s of students) {
    const first = random.int(1, coursesPerFaculty);
    for (let k = 0; k < coursesPerStudent; k++) {
      const n = ((first + k - 1) % coursesPerFaculty) + 1;
      enrolments.push({
        term: currentTerm,
        courseCode: `C${s.deptCode}${String(n).padStart(3, '0')}`,
        studentNo: s.studentNo,
      });
    }
  }
  // A fixed teaching week (Monday 2025-09-08, Asia/Shanghai) and an exam week at term end.
  const weekStartUtcMs = dayBoundsMs(parseDay('2025-09-08') ?? 0).startMs;
  const classSessions: Session[] = [];
  const examSessions: Session[] = [];
  for (const [i, course] of courses.entries()) {
    for (const meeting of [0, 1]) {
      const day = (i + meeting * 2) % 5;
      const slot = (i + meeting) % 4;
      const startsAt = new Date(weekStartUtcMs + day * 86_400_000 + (8 + slot * 2) * 3600_000);
      classSessions.push({
        code: `${course.courseCode}-${currentTerm}-W01-${meeting + 1}`,
        term: currentTerm,
        courseCode: course.courseCode,
        room: `${buildings[i % buildings.length]}${100 + (i % 40)}`,
        startsAt,
        endsAt: new Date(startsAt.getTime() + 95 * 60_000),
      });
    }
    const examStart = new Date(weekStartUtcMs + 18 * 7 * 86_400_000 + (i % 5) * 86_400_000 + 9 * 3600_000);
    examSessions.push({
      code: `${course.courseCode}-${currentTerm}-EXAM`,
      term: currentTerm,
      courseCode: course.courseCode,
      room: `${buildings[(i + 3) % buildings.length]}${200 + (i % 30)}`,
      startsAt: examStart,
      endsAt: new Date(examStart.getTime() + 120 * 60_000),
    });
  }
  return {
    academicDepartments,
    hrDepartments,
    classes,
    students,
    staff,
    courses,
    enrolments,
    classSessions,
    examSessions,
  };
}

export function makeStudent(
  random: Random,
  studentNo: string,
  deptCode: string,
  classCode: string,
  enrolYear: number,
): Student {
  const gender = random.next() < 0.5 ? 'M' : 'F';
  const name = chineseName(random);
  return {
    studentNo,
    name,
    gender,
    idNumber: idNumber(random, enrolYear - 18 - random.int(0, 1), gender),
    phone: mobileNumber(random),
    deptCode,
    classCode,
    enrolYear,
    ...guardianOf(studentNo, name),
    status: 'enrolled',
  };
}

/**
 * A student's guardian on record: nine in ten records name one, with the student's surname and a
 * mobile number. Drawn from a generator of the student's own number, so adding guardians changed no
 * other generated value (tests name people by what the seed gives).
 */
function guardianOf(studentNo: string, name: string | null): Pick<Student, 'guardianName' | 'guardianPhone'> {
  let seed = 0;
  for (const c of studentNo) seed = (Math.imul(seed, 31) + c.charCodeAt(0)) >>> 0;
  const random = new Random(seed ^ 0x9e3779b9);
  if (random.next() < 0.1) return { guardianName: null, guardianPhone: null };
  const given = chineseName(random).slice(1);
  return { guardianName: `${name?.[0] ?? '王'}${given}`, guardianPhone: mobileNumber(random) };
}

export function makeStaff(random: Random, no: string, deptCode: string): Staff {
  const gender = random.next() < 0.5 ? 'M' : 'F';
  return {
    staffNo: no,
    name: chineseName(random),
    gender,
    idNumber: idNumber(random, random.int(1962, 1998), gender),
    phone: mobileNumber(random),
    deptCode,
    title: random.pick(titles),
    status: 'active',
  };
}

/** Staff numbers (工号): hire year and a serial, 8 digits — never the shape of a student number. */
export function staffNo(hireYear: number, serial: number): string {
  return `${hireYear}${String(serial).padStart(4, '0')}`;
}
