import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoreError } from '../errors.ts';
import { parseCsv } from './csv.ts';

test('when lines end in CRLF, LF and CR mixed and rows are ragged, then each line is one row as written', () => {
  // Goal: a sheet edited in two programs still reads line by line; a missing note is a shorter row.
  assert.deepEqual(parseCsv('S1,1\r\nS2,2,午餐\nS3,3\rS4'), [
    ['S1', '1'],
    ['S2', '2', '午餐'],
    ['S3', '3'],
    ['S4'],
  ]);
});

test('when a quoted cell holds line breaks, commas and doubled quotes, then it stays one cell', () => {
  // Goal: a note typed over two lines in Excel is one cell, not two rows.
  assert.deepEqual(parseCsv('S1,2,"第一行\r\n第二行, 还有 ""引号"""\r\nS2,3\r\n'), [
    ['S1', '2', '第一行\r\n第二行, 还有 "引号"'],
    ['S2', '3'],
  ]);
});

test('when a quote stands inside an unquoted cell, then it is text; rows of blanks only are no rows', () => {
  // Goal: hand-typed sheets are read leniently, as the card centre writes them.
  assert.deepEqual(parseCsv('S1,5,他说"好"\r\n , \r\n\r\nS2,6'), [
    ['S1', '5', '他说"好"'],
    ['S2', '6'],
  ]);
});

test('when a quoted cell is never closed, then the sheet is refused with VALIDATION_FAILED and its line', () => {
  // Goal: a broken sheet is refused clearly instead of swallowing every later row into one cell.
  assert.throws(
    () => parseCsv('学号,金额\r\nS1,1\r\nS2,"2\r\nS3,3\r\n'),
    (error: unknown) =>
      error instanceof CoreError &&
      error.code === 'VALIDATION_FAILED' &&
      /^CSV line \d+: a quoted cell is not closed$/.test(error.message) &&
      typeof error.details?.line === 'number',
  );
});
