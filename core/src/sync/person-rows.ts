import { createHmac } from 'node:crypto';
import { mobilePhone, personNo } from '../contract/fields.ts';
import type { ErrorCode } from '../errors.ts';
import type { PersonStream, SourcePerson } from './source-reader.ts';

/**
 * Judging a source row: is it a valid person, who is it in the card system, and has it changed
 * since it was last applied. Pure, so every rule here is tested without a database.
 */

export type PersonStatus = 'active' | 'graduated' | 'left' | 'suspended';

/** What each source status means for the card: active keeps it; graduated and left cancel it. */
const statusMap: Record<PersonStream, Record<string, PersonStatus>> = {
  'academic.students': {
    enrolled: 'active',
    suspended: 'suspended',
    graduated: 'graduated',
    withdrawn: 'left',
  },
  'hr.staff': { active: 'active', left: 'left', retired: 'left' },
};

export function endsCard(status: PersonStatus): boolean {
  return status === 'graduated' || status === 'left';
}

export interface ValidPerson {
  stream: PersonStream;
  rowId: string;
  personNo: string;
  type: 'student' | 'staff';
  name: string;
  idNumber: string | null;
  phone: string | null;
  deptCode: string;
  department: string;
  classCode: string | null;
  /** The grade (年级) as an enrolment year; null when the source names none or an impossible one. */
  enrolYear: number | null;
  /** The guardian on record (students), kept only with a valid mobile number; else null. */
  guardian: { name: string | null; phone: string } | null;
  status: PersonStatus;
  updatedAtMs: number;
  /** Keyed digest of every applied field: equal digests mean nothing to do. */
  digest: string;
}

/** A row the sync reports and does not apply; code is stable (InvalidCode, or the ledger's refusal). */
export interface InvalidRow {
  stream: string;
  rowId: string;
  personNo: string | null;
  code: InvalidCode | 'NUMBER_IN_OTHER_SOURCE' | 'CARD_ENDED' | 'BAD_SESSION_CODE' | ErrorCode;
  reason: string;
}

export type InvalidCode =
  | 'BAD_PERSON_NO'
  | 'MISSING_NAME'
  | 'BAD_NAME'
  | 'BAD_ID_NUMBER'
  | 'BAD_PHONE'
  | 'UNKNOWN_DEPARTMENT'
  | 'UNKNOWN_STATUS'
  | 'DUPLICATE_NUMBER';

const phone = mobilePhone;
const checkWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** GB 11643: 17 digits and a check character over them. */
export function isValidIdNumber(value: string): boolean {
  if (!/^\d{17}[\dX]$/.test(value)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(value[i]) * (checkWeights[i] as number);
  return '10X98765432'[sum % 11] === value[17];
}

/**
 * Validates one row. The reason names the field and the rule, never the value: names, ID numbers
 * and phones stay out of run reports and logs.
 */
export function judgeRow(row: SourcePerson, digestKey: Buffer): ValidPerson | InvalidRow {
  const invalid = (code: InvalidCode, reason: string): InvalidRow => ({
    stream: row.stream,
    rowId: row.rowId,
    personNo: row.personNo,
    code,
    reason,
  });
  if (!row.personNo || !personNo.safeParse(row.personNo).success)
    return invalid('BAD_PERSON_NO', 'the number is missing or not 4–32 letters and digits');
  const name = row.name?.trim() ?? '';
  if (name === '') return invalid('MISSING_NAME', 'the name is missing');
  if (name.length > 64) return invalid('BAD_NAME', 'the name is longer than 64 characters');
  const idNumber = row.idNumber?.trim().toUpperCase() || null;
  if (idNumber !== null && !isValidIdNumber(idNumber))
    return invalid('BAD_ID_NUMBER', 'the ID number is not 18 characters with a valid GB 11643 check digit');
  const phoneValue = row.phone?.trim() || null;
  if (phoneValue !== null && !phone.safeParse(phoneValue).success)
    return invalid('BAD_PHONE', 'the phone is not an 11-digit mobile number');
  if (!row.deptCode || !row.deptName)
    return invalid('UNKNOWN_DEPARTMENT', 'the department code is missing or not in the departments table');
  const status = statusMap[row.stream][row.status];
  if (!status)
    return invalid(
      'UNKNOWN_STATUS',
      `the status is not one of ${Object.keys(statusMap[row.stream]).join(', ')}`,
    );
  const type = row.stream === 'hr.staff' ? 'staff' : 'student';
  const enrolYear =
    row.enrolYear !== null &&
    Number.isInteger(row.enrolYear) &&
    row.enrolYear >= 1900 &&
    row.enrolYear <= 2999
      ? row.enrolYear
      : null;
  // The year joins the digest only when there is one, so rows without one (staff) keep their digest.
  const fields = [type, name, idNumber, phoneValue, row.deptCode, row.deptName, row.classCode, status];
  if (enrolYear !== null) fields.push(String(enrolYear));
  // A guardian whose phone is no mobile number is not kept (nobody to text); the student's row still applies.
  const guardianPhone = row.guardianPhone?.trim() || null;
  const guardian =
    guardianPhone !== null && phone.safeParse(guardianPhone).success
      ? { name: row.guardianName?.trim().slice(0, 64) || null, phone: guardianPhone }
      : null;
  // Likewise the guardian joins the digest only when there is one.
  if (guardian !== null) fields.push(`guardian:${guardian.name ?? ''}:${guardian.phone}`);
  return {
    stream: row.stream,
    rowId: row.rowId,
    personNo: row.personNo,
    type,
    name,
    idNumber,
    phone: phoneValue,
    deptCode: row.deptCode,
    department: row.deptName.slice(0, 64),
    classCode: row.classCode,
    enrolYear,
    guardian,
    status,
    updatedAtMs: row.updatedAtMs,
    digest: createHmac('sha256', digestKey).update(JSON.stringify(fields)).digest('hex'),
  };
}

export function isInvalid(judged: ValidPerson | InvalidRow): judged is InvalidRow {
  return 'code' in judged;
}
