import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { amountInWords, parseYuan } from '../src/components/money.ts';

// An independent reader of capital numerals back into fen, to check amountInWords on many amounts.
function readWords(words: string): number {
  const digit = '零壹贰叁肆伍陆柒捌玖';
  const place: Record<string, number> = { 拾: 10, 佰: 100, 仟: 1000 };
  let total = 0;
  let section = 0;
  let pending = 0;
  let fen = 0;
  for (const ch of words) {
    const d = digit.indexOf(ch);
    if (d >= 0) pending = d;
    else if (ch in place) {
      section += pending * (place[ch] ?? 0);
      pending = 0;
    } else if (ch === '万') {
      total += (section + pending) * 10_000;
      section = 0;
      pending = 0;
    } else if (ch === '亿') {
      total = (total + section + pending) * 100_000_000;
      section = 0;
      pending = 0;
    } else if (ch === '元') {
      total += section + pending;
      section = 0;
      pending = 0;
    } else if (ch === '角') {
      fen += pending * 10;
      pending = 0;
    } else if (ch === '分') {
      fen += pending;
      pending = 0;
    } else if (ch !== '整') throw new Error(`unexpected ${ch} in ${words}`);
  }
  return total * 100 + fen;
}

describe('#19.1 amountInWords: an amount of fen in Chinese capital numerals (大写)', () => {
  test('#19.1 the classic cases', () => {
    const cases: [number, string][] = [
      [0, '零元整'],
      [5, '伍分'],
      [50, '伍角整'],
      [100, '壹元整'],
      [1_010, '壹拾元壹角整'],
      [10_001, '壹佰元零壹分'],
      [100_100, '壹仟零壹元整'],
      [1_000_050, '壹万元伍角整'],
      [10_000_000_000, '壹亿元整'],
      [10_000_001_000, '壹亿零壹拾元整'],
      [101_000_000, '壹佰零壹万元整'],
      [1_000_100_000, '壹仟万壹仟元整'],
      [1_000_010_000, '壹仟万零壹佰元整'],
      [10_001_000_000, '壹亿零壹万元整'],
      [105, '壹元零伍分'],
      [9_999_999_999, '玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分'],
    ];
    for (const [fen, words] of cases) assert.equal(amountInWords(fen), words, `${fen} fen`);
  });

  test('#19.1 exact for integer fen up to ¥99,999,999.99: every one read back is the same amount', () => {
    const amounts = [1, 9, 10, 99, 100, 101, 110, 1_000, 1_001, 10_000, 100_000, 1_000_000, 9_999_999_999];
    // Every amount below ¥2,000 and a deterministic spread across the range.
    for (let fen = 0; fen < 200_000; fen++) amounts.push(fen);
    let x = 12_345;
    for (let i = 0; i < 200_000; i++) {
      x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
      amounts.push(Math.floor((x / 2 ** 31) * 9_999_999_999));
      amounts.push(Math.floor((x / 2 ** 31) * 10 ** (1 + (i % 10))));
    }
    for (const fen of amounts) {
      const words = amountInWords(fen);
      assert.equal(readWords(words), fen, `${fen} fen → ${words}`);
      if (fen > 0) assert.ok(!/零零|^零|零[元万亿]|零整/.test(words), `${fen} fen → ${words}`);
      assert.ok(/[整分]$/.test(words), `${fen} fen → ${words}`);
    }
  });

  test('#19.1 refuses what is not a non-negative integer of fen', () => {
    for (const bad of [-1, 0.5, Number.NaN, 10 ** 15]) assert.throws(() => amountInWords(bad), RangeError);
  });
});

describe('#19.1 parseYuan: typed yuan is checked, never corrected', () => {
  const rule = { maxFen: 500_000 };
  test('#19.1 good amounts read exactly into fen', () => {
    assert.deepEqual(parseYuan('100', rule), { fen: 10_000 });
    assert.deepEqual(parseYuan(' 12.5 ', rule), { fen: 1_250 });
    assert.deepEqual(parseYuan('0.01', rule), { fen: 1 });
    assert.deepEqual(parseYuan('4999.99', rule), { fen: 499_999 });
    assert.deepEqual(parseYuan('5000', rule), { fen: 500_000 });
    assert.deepEqual(parseYuan('0.29', rule), { fen: 29 }); // 0.29 * 100 is 28.999… in floating point
  });
  test('#19.1 negative, zero, three decimals, above the max and non-numbers are refused in Chinese', () => {
    const refused: [string, RegExp][] = [
      ['-5', /负数/],
      ['−5', /负数/],
      ['0', /大于 0/],
      ['0.00', /大于 0/],
      ['1.005', /两位小数/],
      ['5000.01', /不能超过 ¥5000\.00/],
      ['abc', /数字金额/],
      ['1e3', /数字金额/],
      ['12,00', /数字金额/],
      ['', /请输入金额/],
    ];
    for (const [text, reason] of refused) {
      const parsed = parseYuan(text, rule);
      assert.ok('error' in parsed, `${text} must be refused`);
      assert.match(parsed.error, reason, text);
    }
  });
});
