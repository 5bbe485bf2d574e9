// Bills and statements are by Asia/Shanghai calendar month, whatever the phone's own time zone: the
// one calendar the server and the backoffice use too (core/src/time.ts).
export {
  addMonths,
  formatDateTime as formatFullTime,
  formatShortTime,
  isFutureMonth,
  type Month,
  monthKey,
  monthOf,
  monthRangeMs,
  parseMonth,
} from '@campus-card/core/time';
