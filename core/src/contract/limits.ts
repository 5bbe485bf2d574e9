/**
 * The bounds and patterns of the contract's fields as plain values, without zod: what a browser form
 * needs (an antd rule's pattern, a money field's maximum) without shipping the schema library. The
 * backoffice imports these as `@campus-card/core/contract/limits`; fields.ts builds its schemas on
 * them, so a bound changed here changes for every package.
 */

/** A card number: 8–20 digits. */
export const cardNoPattern = /^\d{8,20}$/;

/** Six digits: a card PIN, or a second-factor code. */
export const sixDigitsPattern = /^\d{6}$/;

/** A person number (student or staff number): 4–32 letters or digits. */
export const personNoPattern = /^[A-Za-z0-9]{4,32}$/;

/** The last six characters of a Chinese ID number, the identity proof where the campus allows it. */
export const idTailPattern = /^[0-9]{5}[0-9Xx]$/;

/** An admin's username: 3–32 of a-z 0-9 _ . -, starting with a letter. */
export const adminUsernamePattern = /^[a-z][a-z0-9_.-]{2,31}$/;

/**
 * The largest single top-up the wire accepts, fen (¥5,000). The core's TOP_UP_AMOUNT_MAX (its default
 * this value) and the BFF's TOP_UP_MAX may only lower it.
 */
export const topUpAmountCeiling = 500_000;

/**
 * The highest daily or PIN-free limit the card centre may set, fen (¥10,000): the wire refuses more,
 * and the core also refuses a daily limit above its DAILY_LIMIT_MAX (the school's own cap, default
 * ¥2,000). The backoffice's limit fields stop here.
 */
export const cardLimitCeiling = 1_000_000;

/** The largest manual adjustment of a wallet, either way, fen (¥100,000). */
export const adjustmentAmountCeiling = 10_000_000;

/**
 * 请假 (#17): the longest absence one report covers, days (sql/240 allows 60), how far back and ahead
 * it may start, and its reason's length. The app's form stops here; the core checks them again.
 */
export const absenceDaysMax = 30;
export const absencePastDaysMax = 7;
export const absenceAheadDaysMax = 180;
export const absenceReasonCharsMax = 200;
