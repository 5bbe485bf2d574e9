// The countdown under the QR code: whole seconds until the page makes the next code.

export function secondsUntilRefresh(madeAtMs: number, nowMs: number, refreshMs: number): number {
  // The page's clock ticks once a second, so `nowMs` may be a little older than `madeAtMs`: clamp.
  return Math.min(Math.ceil(refreshMs / 1000), Math.max(0, Math.ceil((madeAtMs + refreshMs - nowMs) / 1000)));
}

/** The 18-digit numeric code in groups of 4 from the left, as payment apps print theirs. */
export function groupDigits(code: string): string {
  return code.replace(/(\d{4})(?=\d)/g, '$1 ');
}
