import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import jsQR from 'jsqr';
import { barWidths, fillDays, monthChange } from '../src/lib/chart.ts';
import { groupDigits, secondsUntilRefresh } from '../src/lib/countdown.ts';
import { formatFen, parseYuan } from '../src/lib/money.ts';
import {
  addMonths,
  formatShortTime,
  isFutureMonth,
  monthKey,
  monthOf,
  monthRangeMs,
} from '../src/lib/month.ts';
import { qrMatrix, qrPath, qrRows } from '../src/lib/qr.ts';
import { actionsFor, isValidPin } from '../src/services/card.ts';
import type { HttpRequest } from '../src/services/request.ts';
import { createApiClient } from '../src/services/request.ts';
import { followTopUp } from '../src/services/top-ups.ts';
import type { TopUpStatus } from '../src/services/types.ts';

describe('money on screen', () => {
  test('when fen are formatted, then yuan have exactly two decimals and the sign in front', () => {
    assert.equal(formatFen(0), '¥0.00');
    assert.equal(formatFen(5), '¥0.05');
    assert.equal(formatFen(12345), '¥123.45');
    assert.equal(formatFen(-500), '-¥5.00');
    assert.throws(() => formatFen(1.5));
  });

  test('when a custom amount is typed, then it becomes whole fen or is refused', () => {
    assert.equal(parseYuan('50'), 5000);
    assert.equal(parseYuan('0.1'), 10);
    assert.equal(parseYuan(' 12.34 '), 1234);
    assert.equal(parseYuan('19.99'), 1999, 'no floating point drift: 19.99 × 100 is 1998.9999… in doubles');
    for (const bad of ['', '0', '0.00', '1.234', '-5', '1e3', 'abc', '12.'])
      assert.equal(parseYuan(bad), undefined, bad);
  });
});

describe('months in Asia/Shanghai', () => {
  test('when it is 23:30 UTC on the last day of a month, then it is already the next month in Shanghai', () => {
    assert.deepEqual(monthOf(Date.UTC(2026, 0, 31, 16, 30)), { year: 2026, month: 2 });
    assert.deepEqual(monthOf(Date.UTC(2026, 0, 31, 15, 59)), { year: 2026, month: 1 });
  });

  test('when switching months across a year, then the year follows', () => {
    assert.deepEqual(addMonths({ year: 2026, month: 1 }, -1), { year: 2025, month: 12 });
    assert.deepEqual(addMonths({ year: 2025, month: 12 }, 1), { year: 2026, month: 1 });
    assert.equal(monthKey({ year: 2026, month: 3 }), '2026-03');
  });

  test('when a month range is asked, then it runs from Shanghai midnight to the next', () => {
    const { fromMs, toMs } = monthRangeMs({ year: 2026, month: 3 });
    assert.equal(new Date(fromMs).toISOString(), '2026-02-28T16:00:00.000Z');
    assert.equal(new Date(toMs).toISOString(), '2026-03-31T16:00:00.000Z');
    assert.equal(formatShortTime(fromMs), '03-01 00:00');
  });

  test('when the switcher reaches the current month, then the next one counts as future', () => {
    const now = Date.UTC(2026, 2, 14);
    assert.equal(isFutureMonth({ year: 2026, month: 3 }, now), false);
    assert.equal(isFutureMonth({ year: 2026, month: 4 }, now), true);
  });
});

describe('the QR grid the card page draws', () => {
  test('when a 290-character credential text is drawn, then it is version 10 and the grid decodes back to the text', () => {
    // Goal: the Views the page renders are a real, readable QR code at the size docs/credential.md promises.
    const text = `CC:${'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:'.repeat(7).slice(0, 287)}`;
    const matrix = qrMatrix(text);
    assert.equal(matrix.version, 10);
    assert.equal(matrix.size, 57);
    const scale = 4;
    const quiet = 4;
    const side = (matrix.size + 2 * quiet) * scale;
    const pixels = new Uint8ClampedArray(side * side * 4).fill(255);
    const rows = qrRows(matrix);
    rows.forEach((runs, r) => {
      let c = 0;
      for (const run of runs) {
        for (let k = 0; k < run.length; k++, c++) {
          if (!run.dark) continue;
          for (let y = 0; y < scale; y++)
            for (let x = 0; x < scale; x++) {
              const index = (((r + quiet) * scale + y) * side + (c + quiet) * scale + x) * 4;
              pixels[index] = pixels[index + 1] = pixels[index + 2] = 0;
            }
        }
      }
      assert.equal(c, matrix.size, 'the runs of a row cover it exactly');
    });
    assert.equal(jsQR(pixels, side, side)?.data, text);
  });

  test('when every code is drawn with the one fixed mask, then random credential texts all decode', () => {
    // Goal: the fixed mask (lib/qr.ts skips the eight-mask search) never yields a code a scanner misreads.
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
    let seed = 19;
    const nextChar = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return alphabet[seed % alphabet.length];
    };
    for (let n = 0; n < 40; n++) {
      const text = `CC:${Array.from({ length: 287 }, nextChar).join('')}`;
      const matrix = qrMatrix(text);
      const side = matrix.size + 8;
      const pixels = new Uint8ClampedArray(side * side * 4).fill(255);
      matrix.dark.forEach((dark, i) => {
        if (!dark) return;
        const index = ((Math.floor(i / matrix.size) + 4) * side + (i % matrix.size) + 4) * 4;
        pixels[index] = pixels[index + 1] = pixels[index + 2] = 0;
      });
      assert.equal(jsQR(pixels, side, side)?.data, text, `code ${n}`);
    }
  });

  test('when H5 draws the grid as one SVG path, then the path covers exactly the dark modules and decodes back to the text', () => {
    // Goal: the single path the H5 card page draws (#19) is the same QR code as the Views.
    const text = `CC:${'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 $%*+-./:'.repeat(7).slice(0, 287)}`;
    const matrix = qrMatrix(text);
    const d = qrPath(matrix);
    const drawn: boolean[] = new Array(matrix.size * matrix.size).fill(false);
    const rects = [...d.matchAll(/M(\d+) (\d+)h(\d+)v1h-(\d+)z/g)];
    assert.equal(rects.map((m) => m[0]).join(''), d, 'the path is only unit-high rectangles');
    for (const [, x, y, width, back] of rects) {
      assert.equal(width, back);
      for (let k = 0; k < Number(width); k++) {
        const index = Number(y) * matrix.size + Number(x) + k;
        assert.equal(drawn[index], false, 'no module is drawn twice');
        drawn[index] = true;
      }
    }
    assert.deepEqual(drawn, matrix.dark);
    const scale = 4;
    const quiet = 4;
    const side = (matrix.size + 2 * quiet) * scale;
    const pixels = new Uint8ClampedArray(side * side * 4).fill(255);
    drawn.forEach((dark, i) => {
      if (!dark) return;
      const r = Math.floor(i / matrix.size);
      const c = i % matrix.size;
      for (let y = 0; y < scale; y++)
        for (let x = 0; x < scale; x++) {
          const index = (((r + quiet) * scale + y) * side + (c + quiet) * scale + x) * 4;
          pixels[index] = pixels[index + 1] = pixels[index + 2] = 0;
        }
    });
    assert.equal(jsQR(pixels, side, side)?.data, text);
  });

  test('when the text has characters outside the alphanumeric set, then it is refused rather than drawn in byte mode', () => {
    assert.throws(() => qrMatrix('cc:lowercase'), /alphanumeric/);
  });
});

describe('small view rules', () => {
  test('when bars are sized, then the largest is 100% and small non-zero values stay visible', () => {
    assert.deepEqual(barWidths([100, 50, 1, 0]), [100, 50, 2, 0]);
    assert.deepEqual(barWidths([0, 0]), [0, 0]);
    assert.deepEqual(monthChange(12000, 10000), { diff: 2000, up: true });
    assert.deepEqual(monthChange(8000, 10000), { diff: 2000, up: false });
    assert.equal(monthChange(8000), undefined);
    const february = fillDays(2028, 2, [{ day: 29, amount: 700 }]);
    assert.equal(february.length, 29, 'a leap February has 29 columns');
    assert.deepEqual(february[28], { day: 29, amount: 700 });
    assert.equal(fillDays(2026, 11, []).length, 30);
  });

  test('when the card is in each status, then only the actions that status allows are offered', () => {
    assert.deepEqual(actionsFor('active'), ['report_loss', 'freeze']);
    assert.deepEqual(actionsFor('lost'), ['cancel_loss']);
    assert.deepEqual(actionsFor('frozen'), ['unfreeze', 'report_loss']);
    assert.deepEqual(actionsFor('cancelled'), []);
    assert.equal(isValidPin('012345'), true);
    assert.equal(isValidPin('12345'), false);
    assert.equal(isValidPin('12345a'), false);
  });

  test('when the countdown runs, then it counts whole seconds down to zero and digits are grouped by four', () => {
    assert.equal(secondsUntilRefresh(1_000, 1_000, 30_000), 30);
    assert.equal(secondsUntilRefresh(1_000, 30_500, 30_000), 1);
    assert.equal(secondsUntilRefresh(1_000, 99_000, 30_000), 0);
    assert.equal(secondsUntilRefresh(1_000, 400, 30_000), 30, 'a tick older than the code still shows 30');
    assert.equal(groupDigits('880012345678901234'), '8800 1234 5678 9012 34');
  });
});

describe('following a top-up order', () => {
  test('when the order goes created → paid → credited, then every state is reported and following stops at credited', async () => {
    // Goal: no "paid but not arrived" limbo: the result page shows each state the order passes through.
    const states: TopUpStatus[] = ['created', 'paid', 'paid', 'credited', 'credited'];
    const seen: HttpRequest[] = [];
    const api = createApiClient({
      baseUrl: '',
      tokens: { get: () => undefined, set: () => {} },
      transport: async (request) => {
        seen.push(request);
        return { status: 200, body: { id: 'T1', amount: 5000, status: states[seen.length - 1] } };
      },
    });
    const reported: string[] = [];
    const final = await followTopUp(api, 'T1', (order) => reported.push(order.status), {
      sleep: async () => {},
    });
    assert.equal(final.status, 'credited');
    assert.deepEqual(reported, ['created', 'paid', 'paid', 'credited']);
    assert.equal(seen[0]?.url, '/api/v1/top-ups/T1');
  });

  test('when the order never settles, then following gives up after the attempt limit', async () => {
    let reads = 0;
    const api = createApiClient({
      baseUrl: '',
      tokens: { get: () => undefined, set: () => {} },
      transport: async () => {
        reads += 1;
        return { status: 200, body: { id: 'T2', amount: 5000, status: 'created' } };
      },
    });
    const final = await followTopUp(api, 'T2', () => {}, { attemptsMax: 5, sleep: async () => {} });
    assert.equal(final.status, 'created');
    assert.equal(reads, 5);
  });
});
