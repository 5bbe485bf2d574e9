import { codes, startVendorServer } from '../utility/vendor-api.ts';

/**
 * A stand-in for the campus finance system (财务收费系统): the fee items it charges, each with the
 * students billed and their amounts, read by the card centre through the same signed envelope as the
 * meter system (`/api/fee/items`). A switch makes it answer 5000 (the system busy), as finance systems
 * do at the start of term.
 */
export interface FinanceItem {
  code: string;
  name: string;
  category: string;
  dueDay: string;
  allowPartial: boolean;
  bills: { studentNo: string; amountFen: number }[];
}

export const financeDefaults = { appId: 'campus-card', secret: 'finance-dev-secret-0123456789' };

export async function startFinanceStandIn(
  options: { host?: string; port?: number; appId?: string; secret?: string } = {},
) {
  const items = new Map<string, FinanceItem>();
  let busy = false;
  const vendor = await startVendorServer({
    appId: options.appId ?? financeDefaults.appId,
    secret: options.secret ?? financeDefaults.secret,
    host: options.host,
    port: options.port,
    routes: {
      '/api/fee/items': async () =>
        busy
          ? { code: '5000', msg: '系统繁忙' }
          : { code: codes.ok, msg: '成功', data: { items: [...items.values()] } },
    },
    control: (method, path, body) => {
      if (method === 'POST' && path === '/__mock/items') {
        api.addItem(body as FinanceItem);
        return { ok: true };
      }
      if (method === 'POST' && path === '/__mock/faults') {
        busy = (body as { busy?: boolean } | undefined)?.busy === true;
        return { ok: true };
      }
      return undefined;
    },
  });
  const api = {
    url: vendor.url,
    items,
    addItem(item: FinanceItem) {
      items.set(item.code, item);
    },
    setBusy(on: boolean) {
      busy = on;
    },
    close: vendor.close,
  };
  return api;
}

export type FinanceStandIn = Awaited<ReturnType<typeof startFinanceStandIn>>;
