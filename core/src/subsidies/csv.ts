import { CsvError, parse } from 'csv-parse/sync';
import { CoreError } from '../errors.ts';

/**
 * Cells of one CSV text (RFC 4180: quoted cells, doubled quotes), read by csv-parse. Lenient where
 * sheets saved by Excel, WPS or a text editor differ: a UTF-8 BOM is dropped, lines may end in CRLF,
 * LF or CR (mixed), rows may have fewer or more cells, and a quote inside an unquoted cell is text.
 * Blank lines (a trailing newline, an empty line in the sheet) are not rows. A text that cannot be
 * read (a quote never closed) is refused with the line it was found at.
 */
export function parseCsv(text: string): string[][] {
  let rows: string[][];
  try {
    rows = parse(text, {
      bom: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = Number(error.lines) || undefined;
    // The parser's own message quotes the text; ours names only the line.
    const what =
      error.code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted cell is not closed' : 'the text is not valid CSV';
    throw new CoreError('VALIDATION_FAILED', `CSV line ${line ?? '?'}: ${what}`, { line });
  }
  return rows.filter((row) => row.some((cell) => cell.trim() !== ''));
}
