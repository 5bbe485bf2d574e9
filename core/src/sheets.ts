// Tables handed to people as files: CSV as Excel opens it (UTF-8 with a byte-order mark, CRLF, quoted
// where needed) and a one-sheet .xlsx. The one writer for the core's reports and the BFF's exports.
//
// A CSV cell that starts with = + - @ or a tab or CR is a formula to Excel: a merchant, a person or a
// reason named "=HYPERLINK(…)" would run in the card centre's spreadsheet ("CSV injection", OWASP).
// Such a cell gets a leading apostrophe, unless it is a plain number ("-12.50"). An .xlsx cell holds
// text as text, so it needs nothing.

export type SheetCell = string | number | null;
export type SheetRows = readonly (readonly SheetCell[])[];

const formulaStart = /^[=+\-@\t\r]/;
const plainNumber = /^-?\d+(\.\d+)?$/;

function csvCell(v: SheetCell): string {
  let text = v === null ? '' : String(v);
  if (typeof v === 'string' && formulaStart.test(text) && !plainNumber.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line. */
export function csvLine(cells: readonly SheetCell[]): string {
  return cells.map(csvCell).join(',');
}

/** A CSV document Excel opens as UTF-8 (the BOM), with CRLF line ends. */
export function csvDocument(header: readonly string[], rows: SheetRows): string {
  return `\uFEFF${[csvLine(header), ...rows.map(csvLine)].join('\r\n')}\r\n`;
}

const yuanCell = /^-?\d+\.\d{2}$/;

/** A one-sheet workbook of a table (header row bold and frozen), as bytes. */
export async function writeXlsx(title: string, header: readonly string[], rows: SheetRows): Promise<Buffer> {
  // Loaded on the first export: exceljs is ~450 modules that a process which never writes a sheet (every
  // gateway, most test processes) should not load at start.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(title.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.addRow([...header]).font = { bold: true };
  // Amounts in yuan ("26.00") become numbers shown with two decimals, so a sheet can sum them.
  for (const row of rows)
    sheet.addRow(row.map((v) => (typeof v === 'string' && yuanCell.test(v) ? Number(v) : v)));
  sheet.eachRow((row) => {
    row.eachCell((cell) => {
      if (typeof cell.value === 'number' && !Number.isInteger(cell.value)) cell.numFmt = '0.00';
    });
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
