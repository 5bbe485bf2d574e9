import { csvDocument, type SheetRows, writeXlsx } from '@campus-card/core/sheets';
import type { Context } from 'koa';

// A file a service answers for download (an export): the admin router sends it as an attachment
// instead of JSON, so the services say what the file is and the routes stay thin.

const types = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

export class Download {
  constructor(
    /** The file name the browser saves it under, with its extension. */
    readonly file: string,
    readonly format: keyof typeof types,
    readonly bytes: Buffer,
  ) {}
}

/** Comma-separated values as Excel opens them (the core's one CSV writer, @campus-card/core/sheets). */
export function csv(header: readonly string[], rows: SheetRows): Buffer {
  return Buffer.from(csvDocument(header, rows), 'utf8');
}

/** A table as the download asked for it, CSV or .xlsx, named `<base>.<format>`. */
export async function sheetDownload(
  base: string,
  format: 'csv' | 'xlsx',
  table: { header: readonly string[]; rows: SheetRows },
): Promise<Download> {
  const bytes =
    format === 'xlsx' ? await writeXlsx(base, table.header, table.rows) : csv(table.header, table.rows);
  return new Download(`${base}.${format}`, format, bytes);
}

/** Sets the attachment's headers and answers its bytes. */
export function sendDownload(ctx: Context, download: Download): Buffer {
  ctx.type = types[download.format];
  ctx.set('content-disposition', `attachment; filename="${download.file}"`);
  return download.bytes;
}
