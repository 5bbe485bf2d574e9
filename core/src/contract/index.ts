/**
 * `@campus-card/core/contract`: what crosses the wire between the packages, written once — the
 * shared field rules (fields.ts) and the error codes with their HTTP statuses (errors.ts). Domain
 * schemas of requests and answers join here as `<domain>.ts` (docs/architecture.md).
 */
export * from './absences.ts';
export * from './admin.ts';
export * from './attendance.ts';
export * from './audit.ts';
export * from './bank.ts';
export * from './bindings.ts';
export * from './bus.ts';
export * from './campuses.ts';
export * from './cards.ts';
export * from './content.ts';
export * from './device-config.ts';
export * from './device-records.ts';
export * from './devices.ts';
export * from './disputes.ts';
export * from './errors.ts';
export * from './federation.ts';
export * from './fees.ts';
export * from './fields.ts';
export * from './guardians.ts';
export * from './kiosks.ts';
export * from './ledger.ts';
export * from './meetings.ts';
export * from './merchants.ts';
export * from './messages.ts';
export * from './notices.ts';
export * from './passage.ts';
export * from './pay-codes.ts';
export * from './photos.ts';
export * from './refunds.ts';
export * from './reports.ts';
export * from './statements.ts';
export * from './subsidies.ts';
export * from './sync.ts';
export * from './top-ups.ts';
export * from './utilities.ts';
export * from './visitors.ts';
export * from './words.ts';
