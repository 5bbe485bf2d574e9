import type { ApiClient } from './request.ts';

/** Bank 圈存: the BFF's /bank routes (docs/funds.md § Bank). */
export interface BankBinding {
  id: string;
  status: 'pending' | 'active' | 'removed';
  masked: string;
  phoneTail: string | null;
}
export interface BankTransfer {
  id: string;
  direction: 'load' | 'payout';
  origin: 'app' | 'auto' | 'kiosk' | 'refund';
  amount: number;
  status: 'pending' | 'uncertain' | 'confirmed' | 'credited' | 'unapplied' | 'failed' | 'reversed';
  createdAtMs: number;
}
export interface AutoTopUp {
  enabled: boolean;
  threshold: number;
  amount: number;
  monthlyCap: number;
  monthUsed: number;
}

export const bankOverview = (
  api: ApiClient,
): Promise<{ binding: BankBinding | null; autoTopUp: AutoTopUp | null; transfers: BankTransfer[] }> =>
  api.request('GET', '/bank');
export const startBankBinding = (
  api: ApiClient,
  body: { bankCardNumber: string; idNumber: string; phone: string },
): Promise<BankBinding> => api.request('POST', '/bank/bindings', body);
export const confirmBankBinding = (
  api: ApiClient,
  body: { bindingId: string; smsCode: string },
): Promise<BankBinding> => api.request('POST', '/bank/bindings/confirm', body);
export const unbindBank = (api: ApiClient): Promise<{ removed: number }> =>
  api.request('DELETE', '/bank/bindings');
export const loadFromBank = (
  api: ApiClient,
  body: { amount: number; idempotencyKey: string },
): Promise<BankTransfer> => api.request('POST', '/bank/loads', body);
export const saveAutoTopUp = (
  api: ApiClient,
  body: { enabled: boolean; threshold: number; amount: number; monthlyCap: number },
): Promise<AutoTopUp> => api.request('PUT', '/bank/auto-top-up', body);
