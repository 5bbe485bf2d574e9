import type { CellValue } from 'exceljs';
import { subsidyXlsxBytesMax } from '../contract/subsidies.ts';
import { CoreError } from '../errors.ts';
import { checkZipBounds } from './zip-bounds.ts';

/** Largest .xlsx accepted, bytes (it arrives base64 in a JSON body under the import body limit). */
export const xlsxBytesMax = subsidyXlsxBytesMax;
/** What its parts may inflate to: a 20,000-row sheet is a few megabytes inflated. */
export const xlsxInflatedBytesMax = 64 * 1024 * 1024;

/**
 * The first worksheet of an .xlsx file as rows of text cells, the way a person reads them: numbers
 * as Excel shows their value ("12.5", "2021001"), formulas as their cached result, rich text joined.
 * Refuses a file that is not a workbook or has more than rowsMax rows.
 */
export async function readXlsx(bytes: Buffer, rowsMax: number): Promise<string[][]> {
  if (bytes.length > xlsxBytesMax)
    throw new CoreError('PAYLOAD_TOO_LARGE', `a sheet is at most ${xlsxBytesMax} bytes`);
  const refusal = checkZipBounds(bytes, xlsxInflatedBytesMax);
  if (refusal === 'TOO_LARGE')
    throw new CoreError('PAYLOAD_TOO_LARGE', `a sheet inflates to at most ${xlsxInflatedBytesMax} bytes`);
  if (refusal === 'NOT_A_ZIP') throw new CoreError('VALIDATION_FAILED', 'the file is not an .xlsx workbook');
  // Loaded on the first upload (see sheets.ts).
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    throw new CoreError('VALIDATION_FAILED', 'the file is not an .xlsx workbook');
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  if (sheet.actualRowCount > rowsMax)
    throw new CoreError('VALIDATION_FAILED', `a batch has at most ${rowsMax - 1} rows`);
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const cells: string[] = [];
    for (let c = 1; c <= Math.min(row.cellCount, 3); c++) cells.push(cellText(row.getCell(c).value));
    if (cells.some((v) => v.trim() !== '')) rows.push(cells);
  });
  return rows;
}

function cellText(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('result' in value) return cellText(value.result as CellValue);
    if ('text' in value) return String(value.text);
    if ('error' in value) return '';
  }
  return String(value);
}
