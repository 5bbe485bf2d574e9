// Words the backoffice shows, in one place: one file a section under strings/, all exported from here.

export * from './strings/audit.ts';
export * from './strings/campuses.ts';
export * from './strings/common.ts';
export * from './strings/content.ts';
export * from './strings/devices.ts';
export * from './strings/errors.ts';
export * from './strings/federation.ts';
export * from './strings/finance.ts';
export * from './strings/passage.ts';
