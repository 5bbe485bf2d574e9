import type {
  AutoTopUpOutcome,
  AutoTopUpView,
  BankBindingView,
  BankMismatchView,
  BankTransferStatus,
  BankTransferView,
} from '../contract/bank.ts';

type Call = <T>(method: string, path: string, body?: unknown) => Promise<T>;

const q = (params: Record<string, string | number | undefined>): string => {
  const s = new URLSearchParams(
    Object.entries(params)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]): [string, string] => [k, String(v)]),
  );
  return s.size ? `?${s}` : '';
};

/** The core's bank 圈存 routes (docs/funds.md § Bank), over the CoreClient's signed transport. */
export class BankClient {
  constructor(private readonly call: Call) {}

  startBinding(body: { cardNo: string; bankCardNumber: string; idNumber: string; phone: string }): Promise<BankBindingView> {
    return this.call('POST', '/v1/bank/bindings', body);
  }
  confirmBinding(body: { cardNo: string; bindingId: string; smsCode: string }): Promise<BankBindingView> {
    return this.call('POST', '/v1/bank/bindings/confirm', body);
  }
  binding(cardNo: string): Promise<{ binding: BankBindingView | null }> {
    return this.call('GET', `/v1/bank/bindings/${encodeURIComponent(cardNo)}`);
  }
  unbind(cardNo: string): Promise<{ removed: number }> {
    return this.call('DELETE', `/v1/bank/bindings/${encodeURIComponent(cardNo)}`);
  }
  load(body: { cardNo: string; amount: number; idempotencyKey: string }): Promise<BankTransferView> {
    return this.call('POST', '/v1/bank/loads', body);
  }
  transfers(filter: { cardNo?: string; status?: BankTransferStatus; limit?: number; beforeId?: string } = {}): Promise<{ items: BankTransferView[] }> {
    return this.call('GET', `/v1/bank/transfers${q(filter)}`);
  }
  transfer(id: string): Promise<BankTransferView> {
    return this.call('GET', `/v1/bank/transfers/${encodeURIComponent(id)}`);
  }
  autoTopUp(cardNo: string): Promise<{ settings: AutoTopUpView | null }> {
    return this.call('GET', `/v1/bank/auto-top-ups/${encodeURIComponent(cardNo)}`);
  }
  setAutoTopUp(body: { cardNo: string; enabled: boolean; threshold: number; amount: number; monthlyCap: number }): Promise<AutoTopUpView> {
    return this.call('PUT', '/v1/bank/auto-top-ups', body);
  }
  triggerAutoTopUp(cardNo: string): Promise<AutoTopUpOutcome> {
    return this.call('POST', `/v1/bank/auto-top-ups/${encodeURIComponent(cardNo)}/trigger`, {});
  }
  resolve(): Promise<{ settled: number; left: number }> {
    return this.call('POST', '/v1/bank/resolve', {});
  }
  payRefunds(): Promise<{ paid: number }> {
    return this.call('POST', '/v1/bank/refund-payouts', {});
  }
  reconcile(date: string): Promise<{ checked: number; mismatches: number; confirmed: number }> {
    return this.call('POST', '/v1/bank/reconciliation', { date });
  }
  mismatches(limit?: number): Promise<{ items: BankMismatchView[] }> {
    return this.call('GET', `/v1/bank/mismatches${q({ limit })}`);
  }
}
