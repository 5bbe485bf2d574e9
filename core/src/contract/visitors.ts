/**
 * Visitors (#15, docs/visitors-meetings-bus.md): what the BFF and the gateway send the core about a
 * visit, and what it answers. A host registers a visitor; the visitor opens an H5 link with no account
 * and shows a pass the campus key signs (core/src/credential/visitor-pass.ts); gates check it offline.
 */
import { z } from 'zod';
import { cardNo, deviceRef, mobilePhone, requestId } from './fields.ts';

/** The longest visit one registration covers; a longer stay is a new registration. */
export const visitLengthMaxMs = 7 * 24 * 3600_000;

/** A place a pass opens: a door group, area or building id from passage, or `device:<device id>`. */
export const visitPlace = z
  .string()
  .regex(/^[A-Za-z0-9:_-]{1,32}$/, 'a place is 1–32 characters of A-Z a-z 0-9 : _ -');

/** The last four characters of the visitor's ID number, checked at the gate. */
export const visitorIdTail = z
  .string()
  .regex(/^[0-9]{3}[0-9Xx]$/, 'the last 4 characters of the ID number')
  .transform((tail) => tail.toUpperCase());

export const visitStatuses = ['pending', 'approved', 'refused', 'cancelled'] as const;
export type VisitStatus = (typeof visitStatuses)[number];

const visitFields = z.strictObject({
  /** The host's retry key: the same key from the same host answers the same visit. */
  requestId,
  hostCardNo: cardNo,
  visitorName: z.string().trim().min(1).max(32),
  visitorPhone: mobilePhone,
  idTail: visitorIdTail,
  purpose: z.string().trim().min(1).max(100),
  validFromMs: z.number().int().positive(),
  validUntilMs: z.number().int().positive(),
  places: z.array(visitPlace).min(1).max(6),
});
type Window = { validFromMs: number; validUntilMs: number };
const endsAfterStart = (v: Window) => v.validUntilMs > v.validFromMs;
const endsAfterStartError = { message: 'the visit must end after it starts', path: ['validUntilMs'] };
const lastsAWeekAtMost = (v: Window) => v.validUntilMs - v.validFromMs <= visitLengthMaxMs;
const lastsAWeekAtMostError = { message: 'a visit lasts at most 7 days', path: ['validUntilMs'] };

/** The core's registration: the BFF adds the host's card from the binding. */
export const newVisitSchema = visitFields
  .refine(endsAfterStart, endsAfterStartError)
  .refine(lastsAWeekAtMost, lastsAWeekAtMostError);
/** The host's invitation from the mini-program: everything but the host, who is the caller. */
export const visitInvitationSchema = visitFields
  .omit({ hostCardNo: true })
  .refine(endsAfterStart, endsAfterStartError)
  .refine(lastsAWeekAtMost, lastsAWeekAtMostError);
export type NewVisit = z.output<typeof newVisitSchema>;

export const visitDecisionSchema = z.strictObject({
  decision: z.enum(['approve', 'refuse']),
  /** The backoffice account deciding (its username), for the record. */
  decidedBy: z.string().min(1).max(64),
});

export const visitCancelSchema = z.strictObject({ hostCardNo: cardNo });

/** A gate's online check-in or check-out of a visitor, idempotent by device and sequence. */
export const visitPassageSchema = z.strictObject({
  passId: z.string().regex(/^[0-9a-f]{16}$/, 'a pass id is 16 hex characters'),
  deviceId: deviceRef,
  sequence: z.number().int().nonnegative(),
  direction: z.enum(['in', 'out']),
  source: z.enum(['online', 'offline']),
  occurredAtMs: z.number().int().positive(),
});
export type VisitPassageInput = z.output<typeof visitPassageSchema>;

/** What a host, the security office and the visitor's link see of a visit. Phone and ID tail never leave the core. */
export interface VisitView {
  id: string;
  passId: string;
  hostName: string;
  hostDepartment: string | null;
  visitorName: string;
  /** 138****0000: enough for the guard to recognise, not to call. */
  visitorPhoneMasked: string;
  purpose: string;
  places: string[];
  validFromMs: number;
  validUntilMs: number;
  status: VisitStatus;
  decidedBy: string | null;
  onCampus: boolean;
  lastPassageAtMs: number | null;
  createdAtMs: number;
}

/** What the BFF needs to sign a pass for a visit's link: never the tail itself, its digest is made here. */
export interface VisitPassGrant {
  visit: VisitView;
  /** The ID-number tail, for the issuer's digest only; never stored or shown by the BFF. */
  idTail: string;
}

export interface VisitPassageView {
  visitId: string;
  deviceId: string;
  direction: 'in' | 'out';
  source: 'online' | 'offline';
  occurredAtMs: number;
}

export interface VisitPassageResult {
  recorded: boolean;
  visit: VisitView;
}

export const visitorPolicySchema = z.strictObject({
  hostTypes: z.array(z.enum(['student', 'staff'])).max(2),
  approvalDepartments: z.array(z.string().trim().min(1).max(64)).max(200),
  /** The places hosts choose from, with the names they see. */
  offeredPlaces: z
    .array(z.strictObject({ id: visitPlace, name: z.string().trim().min(1).max(32) }))
    .max(20)
    .default([]),
});
export type VisitorPolicyInput = z.input<typeof visitorPolicySchema>;
