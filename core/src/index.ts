export { CoreError, type ErrorCode, errorStatus, isErrorCode } from './errors.ts';
export { newId } from './ids.ts';
export { dayBoundsMs, formatDay, parseDay, shanghaiDay } from './time.ts';
