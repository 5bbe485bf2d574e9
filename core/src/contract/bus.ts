/**
 * The school bus (#15, docs/visitors-meetings-bus.md): routes and stops, timetabled runs, seat bookings
 * with a per-person daily limit and a no-show bar. Nothing here imports from node.
 */
import { z } from 'zod';
import { cardNo, requestId, rowId } from './fields.ts';

export const newBusRouteSchema = z.strictObject({
  name: z.string().trim().min(1).max(64),
  stops: z.array(z.string().trim().min(1).max(32)).min(2).max(30),
});

export const newBusRunSchema = z.strictObject({
  routeId: rowId,
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
}

export interface BusRun {
  id: string;
  routeId: string;
  routeName: string;
  departsAtMs: number;
  seats: number;
  booked: number;
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
