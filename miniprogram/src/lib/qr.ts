// The QR code as a grid of booleans, drawn by the page as Views: pure JS that renders the same on WeChat,
// Alipay and H5 (no canvas). The credential text is plain Base45 ("CC:" + alphanumerics), so it goes in
// alphanumeric mode: that keeps it at version 10 (57 × 57) at level M as docs/credential.md measures, and
// never reaches qrcode's byte mode, which calls TextEncoder (absent in mini-program runtimes).
import QRCode from 'qrcode';

export interface QrMatrix {
  readonly size: number;
  readonly version: number;
  /** Row-major, true = dark module. */
  readonly dark: readonly boolean[];
}

const alphanumeric = /^[0-9A-Z $%*+\-./:]*$/;

/**
 * Every code is drawn with mask 2 (dark where the column is a multiple of 3): qrcode otherwise tries all
 * eight masks and scores each (130 of its 216 ms in a profile of the card page, docs/benchmarks.md).
 * Any scanner reads any mask; over 300 random codes mask 2 had the lowest mean penalty of the eight and
 * was the best one for 80 of them, the most of any.
 */
const maskPattern = 2;

export function qrMatrix(text: string): QrMatrix {
  if (!alphanumeric.test(text)) throw new Error('QR text must be in the alphanumeric set');
  const qr = QRCode.create([{ data: text, mode: 'alphanumeric' }], {
    errorCorrectionLevel: 'M',
    maskPattern,
  });
  const { size, data } = qr.modules;
  const dark: boolean[] = new Array(size * size);
  for (let i = 0; i < size * size; i++) dark[i] = data[i] === 1;
  return { size, version: qr.version, dark };
}

/** Rows of runs, so a row of 57 modules is a handful of Views rather than 57. */
export function qrRows(matrix: QrMatrix): { dark: boolean; length: number }[][] {
  const rows: { dark: boolean; length: number }[][] = [];
  for (let r = 0; r < matrix.size; r++) {
    const runs: { dark: boolean; length: number }[] = [];
    for (let c = 0; c < matrix.size; c++) {
      const isDark = matrix.dark[r * matrix.size + c] === true;
      const last = runs[runs.length - 1];
      if (last !== undefined && last.dark === isDark) last.length += 1;
      else runs.push({ dark: isDark, length: 1 });
    }
    rows.push(runs);
  }
  return rows;
}

/** An SVG path of the dark runs, one module per unit (`M x y h n v 1 h -n z` each): H5 draws it in one element. */
export function qrPath(matrix: QrMatrix): string {
  const parts: string[] = [];
  qrRows(matrix).forEach((runs, y) => {
    let x = 0;
    for (const run of runs) {
      if (run.dark) parts.push(`M${x} ${y}h${run.length}v1h-${run.length}z`);
      x += run.length;
    }
  });
  return parts.join('');
}
