/**
 * `@campus-card/core/contract`: what crosses the wire between the packages, written once — the
 * shared field rules (fields.ts) and the error codes with their HTTP statuses (errors.ts). Domain
 * schemas of requests and answers join here as `<domain>.ts` (docs/architecture.md).
 */

export * from './bank.ts';
export * from './errors.ts';
export * from './fields.ts';
export * from './visitors.ts';
export * from './passage.ts';
export * from './utilities.ts';
