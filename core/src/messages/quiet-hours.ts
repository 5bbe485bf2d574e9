import { shanghaiOffsetMs } from '../time.ts';

const dayMs = 86_400_000;

/**
 * When a message may go out under the person's quiet hours (minutes of the Asia/Shanghai day):
 * undefined when `nowMs` is outside them, else the instant they end. start = end means none; start
 * greater than end wraps midnight (22:00–07:00).
 */
export function quietUntil(nowMs: number, startMin: number, endMin: number): number | undefined {
  if (startMin === endMin) return undefined;
  const intoDayMs = (((nowMs + shanghaiOffsetMs) % dayMs) + dayMs) % dayMs;
  const minute = Math.floor(intoDayMs / 60_000);
  const inside =
    startMin < endMin ? minute >= startMin && minute < endMin : minute >= startMin || minute < endMin;
  if (!inside) return undefined;
  const dayStartMs = nowMs - intoDayMs;
  let untilMs = dayStartMs + endMin * 60_000;
  if (untilMs <= nowMs) untilMs += dayMs;
  return untilMs;
}
