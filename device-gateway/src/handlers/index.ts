// Handlers: a typed request in, a typed answer out. They know the core and the credential verifier,
// never sockets or bytes; the session decides framing, sequence and retries.

import type { Message } from '../protocol/index.ts';
import { signInAttendance } from './attendance.ts';
import { busRunTable, checkBusRide } from './bus.ts';
import { depsFor, type HandlerDeps, type RequestContext } from './context.ts';
import { checkIdentity } from './identity.ts';
import { cashTopUpAtKiosk, identifyAtKiosk, loadFromBankAtKiosk, payUtilityAtKiosk } from './kiosk.ts';
import { cancelLossAtKiosk, feesAtKiosk, identifyByIdAtKiosk, reportLossAtKiosk } from './kiosk-person.ts';
import { meetingSessionOf } from './meeting-session.ts';
import { reportMeterUsage, startMeter, stopMeter } from './meter.ts';
import { uploadOffline } from './offline.ts';
import { pay } from './pay.ts';
import { photoChunk } from './photo.ts';
import { checkVisitor } from './visitor.ts';

export { Busy, type HandlerDeps, type RequestContext } from './context.ts';

/** Request kinds a handler answers; any other kind from a signed-in device is UNEXPECTED_MESSAGE. */
export const handledKinds: ReadonlySet<Message['kind']> = new Set([
  'pay',
  'pay_with_pin',
  'identity_check',
  'attendance',
  'exam_attendance',
  'exam_photo_attendance',
  'photo_request',
  'offline_upload',
  'meter_start',
  'meter_usage',
  'meter_stop',
  // Door devices (docs/protocol.md § 16): answered by the gateway's passage module (server.ts).
  'rule_table_request',
  'door_event',
  'kiosk_identify',
  'kiosk_bank_load',
  'kiosk_cash_top_up',
  'kiosk_utility_pay',
  'kiosk_identify_by_id',
  'kiosk_report_loss',
  'kiosk_fees_request',
  'kiosk_cancel_loss',
  'visitor_check',
  'bus_ride_check',
  'bus_run_table_request',
  'meeting_session_request',
]);

export type Handle = (ctx: RequestContext, request: Message) => Promise<Message | undefined>;

export function createHandlers(shared: HandlerDeps, now: () => number = Date.now): Handle {
  return async (ctx, request) => {
    const deps = depsFor(shared, ctx);
    switch (request.kind) {
      case 'pay':
      case 'pay_with_pin':
        return pay(deps, ctx, request);
      case 'identity_check':
        return checkIdentity(deps, ctx, request, now());
      case 'attendance':
      case 'exam_attendance':
      case 'exam_photo_attendance':
        return signInAttendance(deps, ctx, request, now());
      case 'photo_request':
        return photoChunk(deps, ctx, request);
      case 'offline_upload':
        return uploadOffline(deps, ctx, request);
      case 'meter_start':
        return startMeter(deps, ctx, request);
      case 'meter_usage':
        return reportMeterUsage(deps, ctx, request);
      case 'meter_stop':
        return stopMeter(deps, ctx, request);
      case 'kiosk_identify':
        return identifyAtKiosk(deps, deps.kioskSessions, ctx, request, now());
      case 'kiosk_bank_load':
        return loadFromBankAtKiosk(deps, deps.kioskSessions, ctx, request, now());
      case 'kiosk_cash_top_up':
        return cashTopUpAtKiosk(deps, deps.kioskSessions, ctx, request, now());
      case 'kiosk_utility_pay':
        return payUtilityAtKiosk(deps, deps.kioskSessions, ctx, request, now());
      case 'kiosk_identify_by_id':
        return identifyByIdAtKiosk(deps, deps.kioskSessions, ctx, request, now());
      case 'kiosk_report_loss':
        return reportLossAtKiosk(deps, deps.kioskSessions, ctx, request, now());
      case 'kiosk_fees_request':
        return feesAtKiosk(deps, deps.kioskSessions, ctx, request, now());
      case 'kiosk_cancel_loss':
        return cancelLossAtKiosk(deps, deps.kioskSessions, ctx, request, now());
      case 'visitor_check':
        return checkVisitor(deps, ctx, request, now());
      case 'bus_ride_check':
        return checkBusRide(deps, ctx, request);
      case 'bus_run_table_request':
        return busRunTable(deps, request);
      case 'meeting_session_request':
        return meetingSessionOf(deps.core, ctx.deviceId);
      default:
        return undefined;
    }
  };
}
