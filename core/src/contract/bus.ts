/**
 * The school bus (#15, docs/visitors-meetings-bus.md): routes and stops, timetabled runs, seat bookings
 * with a per-person daily limit and a no-show bar. Nothing here imports from node.
 */
import { z } from 'zod';
import { cardNo, deviceRef, entityId, requestId, rowId } from './fields.ts';
import { codeId } from './ledger.ts';

/** A fare in fen, charged to riders without a seat who ride for a fare; null: booked riders only. */
const fareFen = z.number().int().min(1).max(10_000).nullable();

export const newBusRouteSchema = z.strictObject({
  name: z.string().trim().min(1).max(64),
  stops: z.array(z.string().trim().min(1).max(32)).min(2).max(30),
  fareFen: fareFen.default(null),
});
export type NewBusRoute = z.output<typeof newBusRouteSchema>;
export const busRouteEditSchema = newBusRouteSchema.extend({ fareFen });

export const newBusRunSchema = z.strictObject({
  routeId: rowId,
  departsAtMs: z.number().int().positive(),
  seats: z.number().int().min(1).max(200),
});

/** A run moved or resized: never below the seats already booked (BUS_SEATS_TAKEN). */
export const busRunEditSchema = z.strictObject({
  departsAtMs: z.number().int().positive(),
  seats: z.number().int().min(1).max(200),
});

export const busBookingSchema = z.strictObject({ requestId, cardNo, runId: rowId });
export type BusBookingRequest = z.output<typeof busBookingSchema>;

export const busRunStatuses = ['scheduled', 'cancelled'] as const;
export const busBookingStatuses = ['booked', 'cancelled', 'ridden', 'no_show'] as const;
export type BusBookingStatus = (typeof busBookingStatuses)[number];

export interface BusRoute {
  id: string;
  name: string;
  stops: string[];
  fareFen: number | null;
}

export interface BusRun {
  id: string;
  routeId: string;
  routeName: string;
  departsAtMs: number;
  seats: number;
  booked: number;
  /** Rides boarded on this run (booked seats, free rides and fares). */
  boarded: number;
  status: (typeof busRunStatuses)[number];
}

export interface BusBooking {
  id: string;
  runId: string;
  cardNo: string;
  status: BusBookingStatus;
  departsAtMs: number;
  routeName: string;
  createdAtMs: number;
}

/** How a rider boarded: their booked seat, a free ride for their person type, or a fare. */
export const busRideKinds = ['booked', 'free', 'fare'] as const;
export type BusRideKind = (typeof busRideKinds)[number];

/**
 * Why a ride was refused. Each is definite: stored under the reader's (device, sequence), so the same
 * frame retried, or an offline record under that sequence uploaded later, is refused the same way.
 */
export const busRideRefusals = [
  'NO_SEAT', // no booked seat, not free, and the route takes no fares
  'ALREADY_BOARDED', // the seat was used already
  'RUN_CLOSED', // the run is cancelled or unknown
  'CARD_LOST',
  'CARD_FROZEN',
  'CARD_CANCELLED',
  'CREDENTIAL_REVOKED', // a code of an older card version
  'INSUFFICIENT_FUNDS',
  'LIMIT_EXCEEDED', // the card's daily limit, or offline: more rides than the reader's per-card cap
  'NOT_PERMITTED', // any other refusal of the fare by the ledger
] as const;
export type BusRideRefusal = (typeof busRideRefusals)[number];

/** A bus reader's online ride check, through the gateway: (deviceId, sequence) is its idempotency key. */
export const busRideCheckSchema = z.strictObject({
  deviceId: deviceRef,
  sequence: z.number().int().min(1).max(0xffff_ffff),
  runId: rowId,
  cardNo,
  cardVersion: z.number().int().min(1).max(0xffff_ffff),
  /** The code's identity (docs/ledger.md): a fare consumes it. */
  codeId: codeId.optional(),
  /** The reader's merchant, which takes the fares; null: a reader taking no fares. */
  merchantId: entityId.nullable(),
});
export type BusRideCheck = z.output<typeof busRideCheckSchema>;

export type BusRideAnswer =
  | { decision: 'allow'; kind: BusRideKind; chargedFen: number; balanceAfterFen: number | null }
  | { decision: 'deny'; reason: BusRideRefusal };

/** What a reader needs to decide offline on one run (protocol § 7.26): its riders and its rules. */
export interface BusRunTable {
  runId: string;
  departsAtMs: number;
  /** null: booked riders only. */
  fareFen: number | null;
  freePersonTypes: string[];
  /** Rides one card may take offline on this run; the upload refuses more (LIMIT_EXCEEDED). */
  offlineRidesPerCardMax: number;
  bookedCardNos: string[];
}

export interface BusRide {
  deviceId: string;
  sequence: number;
  runId: string;
  cardNo: string;
  kind: BusRideKind | null;
  status: 'boarded' | 'refused';
  reason: BusRideRefusal | null;
  amountFen: number;
  source: 'online' | 'offline';
  occurredAtMs: number;
}

/** A missed booking, for the transport office. */
export interface BusNoShow {
  bookingId: string;
  runId: string;
  routeName: string;
  departsAtMs: number;
  cardNo: string;
}

/**
 * POST /v1/bus/rides/answer: the answer a ride check under the reader's (deviceId, sequence) was given, for
 * the same frame retried at another gateway, where the replay guard finds its code used by the first try.
 */
export const busRideAnsweredSchema = z.strictObject({
  deviceId: deviceRef,
  sequence: z.number().int().min(1).max(0xffff_ffff),
});

/** The cursor of a page of a card's rides: `<occurredAtMs>:<device>:<sequence>` of the last ride shown. */
export const busRideCursor = z
  .string()
  .regex(/^\d{1,16}:[1-9][0-9]{0,9}(-[1-9][0-9]{0,8})?:\d{1,10}$/, 'the `next` of the previous page');

/** GET /v1/bus/rides?cardNo=: a card's rides, newest first; `before` is the last page's `next`. */
export const busRidesOfCardQuerySchema = z.object({
  cardNo,
  limit: z.coerce.number().int().min(1).max(50).default(20),
  before: busRideCursor.optional(),
});
export type BusRidesOfCardQuery = z.output<typeof busRidesOfCardQuerySchema>;

/** One ride of a card, for the rider's own history (only rides let on: booked, free or fare). */
export interface BusRideOfCard {
  runId: string;
  routeName: string;
  /** The route's first and last stop. */
  fromStop: string;
  toStop: string;
  departsAtMs: number;
  kind: BusRideKind;
  /** The fare charged; 0 for a booked seat or a free ride. */
  amountFen: number;
  /** offline: let on by the reader on its own and uploaded at the depot. */
  source: 'online' | 'offline';
  /** When the reader let the rider on. */
  occurredAtMs: number;
}

export interface BusRidesOfCardPage {
  items: BusRideOfCard[];
  /** The cursor of the next (older) page; null at the end. */
  next: string | null;
}
