import { BlockList, isIP } from 'node:net';
import type { Context, Next } from 'koa';

/** An IPv4 or IPv6 address, or a CIDR block of either. */
export function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

/** IPv4 peers arrive as ::ffff:a.b.c.d on a dual-stack socket; compare them as IPv4. */
function plain(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * Decides the client address every limit and lockout counts (ctx.ip from here on). X-Forwarded-For is
 * believed only from a peer in TRUSTED_PROXIES: then the address is the one the outermost of
 * TRUSTED_PROXY_HOPS proxies saw (at least 1), as Koa's proxy mode reads it. From any other peer the
 * header is ignored and the socket's address counts, so a client reaching the BFF directly cannot
 * choose the address it is counted under.
 */
export function clientAddress(options: { trustedProxies: readonly string[]; trustedProxyHops: number }) {
  const trusted = new BlockList();
  for (const entry of options.trustedProxies) {
    const [address = '', prefix] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) trusted.addAddress(plain(address), type);
    else trusted.addSubnet(address, Number(prefix), type);
  }
  const hops = Math.max(1, options.trustedProxyHops);
  return (ctx: Context, next: Next) => {
    const peer = plain(ctx.req.socket.remoteAddress ?? '');
    let address = peer;
    const family = isIP(peer);
    if (family !== 0 && trusted.check(peer, family === 6 ? 'ipv6' : 'ipv4')) {
      const forwarded = ctx
        .get('x-forwarded-for')
        .split(',')
        .map((entry) => plain(entry.trim()))
        .filter((entry) => isIP(entry) !== 0);
      if (forwarded.length > 0) address = forwarded[Math.max(0, forwarded.length - hops)] as string;
    }
    ctx.request.ip = address;
    return next();
  };
}
