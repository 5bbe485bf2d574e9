/**
 * Campuses (校区) within one card centre on the wire (docs/campuses.md): the campus list, the link of a
 * campus to the root of its place tree, which campus a merchant or device belongs to, and what one
 * campus holds (its scope), which the BFF's admin API reads to keep a campus administrator inside it.
 */
import { z } from 'zod';
import { deviceNo, entityId } from './fields.ts';

/** A campus id: the core makes 26-character ids; the demo and imports may name shorter ones. */
export const campusId = z
  .string()
  .regex(/^[0-9A-Za-z_-]{1,26}$/, 'a campus id is 1–26 letters, digits, _ or -');
export const campusIdPath = z.object({ id: campusId });
export const campusCode = z.string().regex(/^[a-z0-9_-]{1,16}$/, 'a campus code is 1–16 of a-z 0-9 _ -');

/** POST /v1/campuses: a campus, optionally linked to the root place (kind campus) of its place tree. */
export const newCampusSchema = z.strictObject({
  id: campusId.optional(),
  code: campusCode,
  name: z.string().trim().min(1).max(64),
  placeId: z.string().min(1).max(26).nullable().default(null),
});
export type NewCampus = z.input<typeof newCampusSchema>;

/** PUT /v1/campuses/:id/place: link the campus to a place of kind campus, or unlink it (null). */
export const campusPlaceSchema = z.strictObject({ placeId: z.string().min(1).max(26).nullable() });

/** PUT /v1/campus-assignments/merchants/:merchantId and …/devices/:deviceId: null makes it centre-wide. */
export const campusAssignmentSchema = z.strictObject({ campusId: campusId.nullable() });
export const merchantAssignmentPath = z.object({ merchantId: entityId });
export const deviceAssignmentPath = z.object({ deviceId: deviceNo });

export interface Campus {
  id: string;
  code: string;
  name: string;
  /** The root of its place tree (a passage place of kind campus), or null. */
  placeId: string | null;
}

/**
 * Where a device's campus comes from: the door it is bound to (its place tree's campus wins), or the
 * device's own row; a device with neither is centre-wide and has no entry.
 */
export type DeviceCampusSource = 'place' | 'device';
export interface DeviceCampus {
  deviceId: string;
  campusId: string;
  source: DeviceCampusSource;
}

/** GET /v1/campuses/:id/scope: everything of one campus, as ids (the BFF filters and checks with it). */
export interface CampusScope {
  campusId: string;
  /** The linked root place and every place under it. */
  placeIds: string[];
  merchantIds: string[];
  /** Devices by their effective campus (the place's where bound to a door, else their own). */
  deviceIds: string[];
}
