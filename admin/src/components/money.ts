// Money as the backoffice reads and shows it: typed yuan text checked (never corrected) into integer
// fen, and an amount in Chinese capital numerals (大写) for every confirmation of a money action.

const digits = '零壹贰叁肆伍陆柒捌玖';
const places = ['', '拾', '佰', '仟'];
const sections = ['', '万', '亿'];
/** The largest amount amountInWords writes: 9,999 亿 yuan less a fen (fen stay exact in a double). */
export const wordsMaxFen = 10 ** 14 - 1;

/** One group of four digits (1–9999), with 零 for the zeros inside it (1001 → 壹仟零壹). */
function group(n: number): string {
  let out = '';
  let zero = false;
  for (let place = 3; place >= 0; place--) {
    const d = Math.floor(n / 10 ** place) % 10;
    if (d === 0) {
      if (out) zero = true;
      continue;
    }
    if (zero) out += '零';
    zero = false;
    out += digits.charAt(d) + (places[place] ?? '');
  }
  return out;
}

/**
 * An amount of fen in capital numerals as on a cheque or receipt: 100 → 壹元整, 1010 → 壹拾元壹角整,
 * 10001 → 壹佰元零壹分, 5 → 伍分, 0 → 零元整. Throws on anything but a non-negative integer up to
 * wordsMaxFen.
 */
export function amountInWords(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0 || fen > wordsMaxFen)
    throw new RangeError(`not an amount of fen: ${fen}`);
  const yuanPart = Math.floor(fen / 100);
  const jiao = Math.floor(fen / 10) % 10;
  const fenPart = fen % 10;
  let out = '';
  let zero = false;
  for (let s = sections.length - 1; s >= 0; s--) {
    const g = Math.floor(yuanPart / 10_000 ** s) % 10_000;
    if (g === 0) {
      if (out) zero = true;
      continue;
    }
    if (out && g < 1000) zero = true;
    if (zero) out += '零';
    zero = false;
    out += group(g) + (sections[s] ?? '');
  }
  if (yuanPart === 0 && fen % 100 === 0) return '零元整';
  if (out) out += '元';
  if (jiao === 0 && fenPart === 0) return `${out}整`;
  if (jiao > 0) out += `${digits.charAt(jiao)}角`;
  else if (out) out += '零';
  return fenPart > 0 ? `${out}${digits.charAt(fenPart)}分` : `${out}整`;
}

/** What a money field accepts; the message says why a typed amount is refused. */
export interface MoneyRule {
  /** The largest amount allowed, in fen. */
  maxFen: number;
  /** The smallest, in fen; 1 (one fen) unless given. */
  minFen?: number;
}

const fmt = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

/**
 * Reads typed yuan into fen exactly (no floating point): "12.5" → 1250. An amount that is not a plain
 * positive number with at most two decimals, or is outside the rule, is refused with a Chinese reason,
 * never rounded, clamped or made positive.
 */
export function parseYuan(text: unknown, rule: MoneyRule): { fen: number } | { error: string } {
  const s = typeof text === 'string' ? text.trim() : typeof text === 'number' ? String(text) : '';
  if (s === '') return { error: '请输入金额' };
  if (/^[-−－]/.test(s)) return { error: '金额不能为负数' };
  if (/^\d+\.\d{3,}$/.test(s)) return { error: '金额最多两位小数（精确到分）' };
  const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return { error: '请输入数字金额，如 100 或 12.50' };
  const fen = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  const min = rule.minFen ?? 1;
  if (fen === 0) return { error: '金额必须大于 0' };
  if (fen < min) return { error: `金额不能低于 ${fmt(min)}` };
  if (fen > rule.maxFen) return { error: `金额不能超过 ${fmt(rule.maxFen)}` };
  return { fen };
}
