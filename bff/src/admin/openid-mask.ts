/**
 * Payer openids in backoffice answers (a WeChat top-up's payer, a parent's account) are personal
 * data only finance needs, to trace a payment with WeChat Pay: every other role sees them masked,
 * oAbc…xyz, enough to tell two apart on one page (#12.14). Applied to every admin answer by the
 * router, so a new route that returns an openid is masked too.
 */
export function maskOpenid(openid: string): string {
  return openid.length <= 8 ? '…' : `${openid.slice(0, 4)}…${openid.slice(-3)}`;
}

const openidKey = /openid$/i;

/** A copy of a JSON answer with every string under a key ending in "openid" masked. */
export function maskOpenids(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskOpenids);
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype)
    return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value))
    out[key] = openidKey.test(key) && typeof field === 'string' ? maskOpenid(field) : maskOpenids(field);
  return out;
}
