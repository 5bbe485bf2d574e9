import { codes, type Handler, startVendorServer } from '../utility/vendor-api.ts';

/**
 * A stand-in for the campus network billing system (校园网计费): accounts (usually the student
 * number) on a package with an expiry; a payment buys one package period, extending the expiry
 * from itself or from now, whichever is later; orders looked up by the payer's order number, the
 * idempotency key (a second payment with it extends nothing and answers 2001).
 *
 * Fault switches, counts as in the utility stand-in: timeoutAfterCredit, timeoutBeforeCredit,
 * duplicate, accountNotFound.
 */
export interface NetworkFaults {
  timeoutAfterCredit?: number;
  timeoutBeforeCredit?: number;
  duplicate?: number;
  accountNotFound?: number;
}

export interface NetworkPackage {
  id: string;
  name: string;
  priceFen: number;
  days: number;
}

export const networkPackages: NetworkPackage[] = [
  { id: 'M20', name: '包月 20M', priceFen: 2000, days: 30 },
  { id: 'M50', name: '包月 50M', priceFen: 3000, days: 30 },
  { id: 'T100', name: '学期 100M', priceFen: 12000, days: 150 },
];

export const networkDefaults = { appId: 'campus-card', secret: 'network-dev-secret-0123456789' };

const dayMs = 86_400_000;

export async function startNetworkStandIn(
  options: { host?: string; port?: number; appId?: string; secret?: string } = {},
) {
  const accounts = new Map<
    string,
    { accountId: string; name: string; packageId: string | null; expiresAtMs: number }
  >();
  const orders = new Map<
    string,
    {
      orderNo: string;
      accountId: string;
      packageId: string;
      amountFen: number;
      expiresAtMs: number;
      paidAtMs: number;
    }
  >();
  const credits = new Map<string, number>();
  let faults: NetworkFaults = {};
  const take = (name: keyof NetworkFaults): boolean => {
    const left = faults[name] ?? 0;
    if (left <= 0) return false;
    faults = { ...faults, [name]: left - 1 };
    return true;
  };
  const orderData = (o: NonNullable<ReturnType<typeof orders.get>>) => ({ ...o, status: 'SUCCESS' });

  const pay: Handler = async (f) => {
    const orderNo = String(f.orderNo ?? '');
    const amountFen = Number(f.amountFen);
    const pkg = networkPackages.find((p) => p.id === f.packageId);
    if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(orderNo) || pkg === undefined || amountFen !== pkg.priceFen)
      return { code: codes.badRequest, msg: '套餐或金额错误' };
    const existing = orders.get(orderNo);
    if (existing) return { code: codes.duplicate, msg: '订单已存在', data: orderData(existing) };
    const account = accounts.get(String(f.accountId ?? ''));
    if (account === undefined || take('accountNotFound')) return { code: codes.notFound, msg: '账号不存在' };
    if (take('timeoutBeforeCredit')) return 'no-answer';
    const now = Date.now();
    account.expiresAtMs = Math.max(account.expiresAtMs, now) + pkg.days * dayMs;
    account.packageId = pkg.id;
    const order = {
      orderNo,
      accountId: account.accountId,
      packageId: pkg.id,
      amountFen,
      expiresAtMs: account.expiresAtMs,
      paidAtMs: now,
    };
    orders.set(orderNo, order);
    credits.set(orderNo, (credits.get(orderNo) ?? 0) + 1);
    if (take('timeoutAfterCredit')) return 'no-answer';
    if (take('duplicate')) return { code: codes.duplicate, msg: '订单已存在', data: orderData(order) };
    return { code: codes.ok, msg: '成功', data: orderData(order) };
  };

  const vendor = await startVendorServer({
    appId: options.appId ?? networkDefaults.appId,
    secret: options.secret ?? networkDefaults.secret,
    host: options.host,
    port: options.port,
    routes: {
      '/api/net/pay': pay,
      '/api/net/order/query': async (f) => {
        const order = orders.get(String(f.orderNo ?? ''));
        return order
          ? { code: codes.ok, msg: '成功', data: orderData(order) }
          : { code: codes.orderNotFound, msg: '订单不存在' };
      },
      '/api/net/account/query': async (f) => {
        const account = accounts.get(String(f.accountId ?? ''));
        return account
          ? { code: codes.ok, msg: '成功', data: { ...account, packages: networkPackages } }
          : { code: codes.notFound, msg: '账号不存在' };
      },
      '/api/net/packages': async () => ({ code: codes.ok, msg: '成功', data: { items: networkPackages } }),
    },
    control: (method, path, body) => {
      const b = (body ?? {}) as Record<string, unknown>;
      if (method === 'POST' && path === '/__mock/accounts') {
        api.addAccount(String(b.accountId), String(b.name ?? ''));
        return { ok: true };
      }
      if (method === 'POST' && path === '/__mock/faults') {
        faults = { ...(b as NetworkFaults) };
        return { ok: true };
      }
      return undefined;
    },
  });
  const api = {
    url: vendor.url,
    accounts,
    orders,
    credits,
    addAccount(accountId: string, name: string, expiresAtMs = 0) {
      accounts.set(accountId, { accountId, name, packageId: null, expiresAtMs });
    },
    setFaults(next: NetworkFaults) {
      faults = { ...next };
    },
    close: vendor.close,
  };
  return api;
}

export type NetworkStandIn = Awaited<ReturnType<typeof startNetworkStandIn>>;
