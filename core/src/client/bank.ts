import type {
  AutoTopUpOutcome,
  AutoTopUpView,
  BankBindingView,
  BankMismatchView,
  BankTransferStatus,
  BankTransferView,
} from '../contract/bank.ts';
import { DomainClient, query } from './transport.ts';

/** Bank 圈存 (docs/funds.md § Bank): bindings, loads, auto top-up, transfers and their reconciliation. */
export class BankClient extends DomainClient {
  /** Checks the bank card and holder with the bank, which texts a code to the account's phone. */
  startBankBinding(body: {
    cardNo: string;
    bankCardNumber: string;
    idNumber: string;
    phone: string;
  }): Promise<BankBindingView> {
    return this.transport.call('POST', '/v1/bank/bindings', body);
  }
  confirmBankBinding(body: { cardNo: string; bindingId: string; smsCode: string }): Promise<BankBindingView> {
    return this.transport.call('POST', '/v1/bank/bindings/confirm', body);
  }
  bankBinding(cardNo: string): Promise<{ binding: BankBindingView | null }> {
    return this.transport.call('GET', `/v1/bank/bindings/${encodeURIComponent(cardNo)}`);
  }
  unbindBank(cardNo: string): Promise<{ removed: number }> {
    return this.transport.call('DELETE', `/v1/bank/bindings/${encodeURIComponent(cardNo)}`);
  }
  /** 圈存 from the bound bank card; a retry with the same key answers the same transfer. */
  bankLoad(body: {
    cardNo: string;
    amount: number;
    idempotencyKey: string;
    origin?: 'app' | 'kiosk';
  }): Promise<BankTransferView> {
    return this.transport.call('POST', '/v1/bank/loads', body);
  }
  bankTransfers(
    filter: { cardNo?: string; status?: BankTransferStatus; limit?: number; beforeId?: string } = {},
  ): Promise<{ items: BankTransferView[] }> {
    return this.transport.call('GET', `/v1/bank/transfers${query(filter)}`);
  }
  bankTransfer(id: string): Promise<BankTransferView> {
    return this.transport.call('GET', `/v1/bank/transfers/${encodeURIComponent(id)}`);
  }
  autoTopUp(cardNo: string): Promise<{ settings: AutoTopUpView | null }> {
    return this.transport.call('GET', `/v1/bank/auto-top-ups/${encodeURIComponent(cardNo)}`);
  }
  setAutoTopUp(body: {
    cardNo: string;
    enabled: boolean;
    threshold: number;
    amount: number;
    monthlyCap: number;
  }): Promise<AutoTopUpView> {
    return this.transport.call('PUT', '/v1/bank/auto-top-ups', body);
  }
  triggerAutoTopUp(cardNo: string): Promise<AutoTopUpOutcome> {
    return this.transport.call('POST', `/v1/bank/auto-top-ups/${encodeURIComponent(cardNo)}/trigger`, {});
  }
  /** One pass of the resolve job: unsettled transfers follow the bank's record. */
  resolveBankTransfers(): Promise<{ settled: number; left: number }> {
    return this.transport.call('POST', '/v1/bank/resolve', {});
  }
  /** Pays due refund-list entries to the bank cards bound to their cards. */
  payRefundsToBank(): Promise<{ paid: number }> {
    return this.transport.call('POST', '/v1/bank/refund-payouts', {});
  }
  /** Checks one Shanghai day ('YYYY-MM-DD') against the bank's end-of-day file. */
  reconcileBank(date: string): Promise<{ checked: number; mismatches: number; confirmed: number }> {
    return this.transport.call('POST', '/v1/bank/reconciliation', { date });
  }
  bankMismatches(limit?: number): Promise<{ items: BankMismatchView[] }> {
    return this.transport.call('GET', `/v1/bank/mismatches${query({ limit })}`);
  }
}
