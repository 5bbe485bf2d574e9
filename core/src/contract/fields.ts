/**
 * The field rules every package shares on the wire — the core's routes, the BFF, the gateway, the
 * backoffice and the mini-program — written once. A rule changed here changes for all of them.
 * Nothing here imports from node (zod and time.ts only); a browser form that needs only a pattern or
 * a bound imports limits.ts (`@campus-card/core/contract/limits`) and ships no zod.
 */
import { z } from 'zod';
import { parseDay } from '../time.ts';
import {
  adjustmentAmountCeiling,
  adminUsernamePattern,
  cardNoPattern,
  idTailPattern,
  personNoPattern,
  sixDigitsPattern,
  topUpAmountCeiling,
} from './limits.ts';

export {
  adjustmentAmountCeiling,
  adminUsernamePattern,
  cardNoPattern,
  idTailPattern,
  personNoPattern,
  sixDigitsPattern,
  topUpAmountCeiling,
};

/** A card number: 8–20 digits. */
export const cardNo = z.string().regex(cardNoPattern, 'a card number is 8–20 digits');

/** A person number (student or staff number). */
export const personNo = z.string().regex(personNoPattern, 'a person number is 4–32 letters or digits');

/** The ID number's last six characters, an identity proof. */
export const idTail = z.string().regex(idTailPattern, 'the secret is the last 6 characters of the ID number');

/** The card centre's one-time activation code: 10 letters or digits; case, spaces and dashes do not matter. */
export const activationCode = z
  .string()
  .max(32)
  .transform((code) => code.replace(/[\s-]/g, '').toUpperCase())
  .pipe(z.string().regex(/^[0-9A-Z]{10}$/, 'an activation code is 10 letters or digits'));

/** A mobile number in mainland China: 11 digits starting with 1. */
export const mobilePhone = z.string().regex(/^1\d{10}$/, 'a mobile number is 11 digits starting with 1');

/** An admin's username. */
export const adminUsername = z
  .string()
  .regex(adminUsernamePattern, '3–32 characters: a-z 0-9 _ . -, starting with a letter');

/**
 * An operation id, the caller's idempotency key (a device id + sequence, a WeChat transaction id, a
 * UUID): the same id with the same body always gets the same answer.
 */
export const operationId = z
  .string()
  .regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'ids are 1–64 characters of A-Z a-z 0-9 : _ . -');

/** A request id a backoffice form sends once per intent (the retry-safe key of an admin action). */
export const requestId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,40}$/, 'a request id is 8–40 characters of A-Z a-z 0-9 _ -');

/** An id we choose for a stored row: a ULID, 26 characters of Crockford base32. */
export const rowId = z.string().regex(/^[0-9A-Z]{26}$/, 'not an id');
/** A top-up order's id: TU and a ULID. */
export const topUpOrderId = z.string().regex(/^TU[0-9A-Z]{26}$/, 'a top-up id is TU and 26 characters');

/** An attendance session's id (a course's session, as the timetable names it). */
export const attendanceSessionId = z
  .string()
  .regex(/^[A-Za-z0-9:_.-]{1,32}$/, 'a session id is 1–32 of A-Z a-z 0-9 : _ . -');

/** A merchant's id, a device's reference and other short ids a campus chooses. */
export const entityId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, 'an id is 1–32 characters of A-Z a-z 0-9 _ -');
export const merchantId = entityId;

/** A terminal's device id: the protocol's u32, 1 … 4,294,967,295, as decimal text. */
export const deviceNo = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, 'a device id is 1 … 4294967295')
  .refine((id) => Number(id) <= 0xffff_ffff, 'a device id is 1 … 4294967295');
/** A device's records key: its device id, `-<keyVersion>` after a re-key (sequences restart with each key). */
export const deviceRef = z
  .string()
  .regex(/^[1-9][0-9]{0,9}(-[1-9][0-9]{0,8})?$/, 'a device id, -<key version> after a re-key');

/** An amount of money in fen: a whole number above zero. */
export const fen = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** A top-up amount: fen up to the ceiling. */
export const topUpAmount = fen.max(topUpAmountCeiling, `a top-up is at most ${topUpAmountCeiling} fen`);

/** An adjustment amount: a non-zero whole number of fen, positive credits and negative debits. */
export const adjustmentAmount = z
  .number()
  .int()
  .refine(
    (n) => n !== 0 && Math.abs(n) <= adjustmentAmountCeiling,
    'a non-zero whole number of fen, at most 100,000 yuan',
  );

/** An Asia/Shanghai calendar day, 'YYYY-MM-DD', that exists (time.ts parseDay). */
export const day = z
  .string()
  .refine((text) => parseDay(text) !== undefined, 'a day is YYYY-MM-DD (a real date)');

/** An Asia/Shanghai month, 'YYYY-MM'. */
export const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month is YYYY-MM');

/** Six digits: a card PIN, or a second-factor code. */
export const pin = z.string().regex(sixDigitsPattern, 'a PIN is 6 digits');
export const totpCode = z.string().regex(sixDigitsPattern, 'six digits');
