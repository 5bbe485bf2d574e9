import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvDocument } from '../sheets.ts';
import { fenToYuan, yuanToFen } from './amount.ts';
import { parseCsv } from './csv.ts';

test('when yuan text has at most two decimals, then it becomes exact fen; otherwise it is refused', () => {
  // Goal: no float on the way from a sheet to the ledger ("0.29" must be 29 fen, not 28).
  assert.equal(yuanToFen('0.29'), 29);
  assert.equal(yuanToFen('12'), 1200);
  assert.equal(yuanToFen('12.5'), 1250);
  assert.equal(yuanToFen(' 100.05 '), 10005);
  assert.equal(yuanToFen('100000'), 10_000_000);
  for (const bad of ['', '0', '0.00', '-1', '1.234', '1e3', 'abc', '1,000', '.5', '100000.01']) {
    assert.equal(yuanToFen(bad), undefined, bad);
  }
  assert.equal(fenToYuan(29), '0.29');
  assert.equal(fenToYuan(-1205), '-12.05');
});

test('when CSV has quotes, CRLF, a BOM and blank lines, then the cells come out as written', () => {
  // Goal: a sheet saved by Excel or WPS parses the same as one typed by hand.
  const text = '\uFEFF学号,金额,备注\r\nS1,12.50,"午餐, 补助"\r\n\r\nS2,3,"说""好"""\n';
  assert.deepEqual(parseCsv(text), [
    ['学号', '金额', '备注'],
    ['S1', '12.50', '午餐, 补助'],
    ['S2', '3', '说"好"'],
  ]);
  const doc = csvDocument(['名称', 'x'], [['a,b', 1]]);
  assert.ok(doc.startsWith('\uFEFF'));
  assert.deepEqual(parseCsv(doc), [
    ['名称', 'x'],
    ['a,b', '1'],
  ]);
});

test('when an exported cell would start a formula, then it is kept as text; numbers, negative ones too, stay numbers', () => {
  // Goal: a name like "=HYPERLINK(...)" from a source system cannot run in the card centre's Excel.
  const doc = csvDocument(
    ['名称', '金额'],
    [
      ['=HYPERLINK("http://x","点我")', '-12.50'],
      ['+1+2', -3],
      ['@SUM(A1)', '0.29'],
      ['-x', null],
    ],
  );
  assert.deepEqual(parseCsv(doc).slice(1), [
    ['\'=HYPERLINK("http://x","点我")', '-12.50'],
    ["'+1+2", '-3'],
    ["'@SUM(A1)", '0.29'],
    ["'-x", ''],
  ]);
});
