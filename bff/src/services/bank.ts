import type { Binding, CoreClient } from '@campus-card/core/client';
import type { AutoTopUpView, BankBindingView, BankTransferView } from '@campus-card/core/contract';
import { BffError } from '../errors.ts';

/**
 * Bank 圈存 for the signed-in student (docs/funds.md § Bank): their bound bank card, loads from it, the
 * auto top-up settings and their recent transfers. Always the caller's own card.
 */
export class BankService {
  constructor(private readonly core: CoreClient) {}

  async overview(binding: Binding): Promise<{
    binding: BankBindingView | null;
    autoTopUp: AutoTopUpView | null;
    transfers: BankTransferView[];
  }> {
    const [bound, auto, transfers] = await Promise.all([
      this.core.bankBinding(binding.cardNo),
      this.core.autoTopUp(binding.cardNo),
      this.core.bankTransfers({ cardNo: binding.cardNo, limit: 10 }),
    ]);
    return { binding: bound.binding, autoTopUp: auto.settings, transfers: transfers.items };
  }

  startBinding(
    binding: Binding,
    input: { bankCardNumber: string; idNumber: string; phone: string },
  ): Promise<BankBindingView> {
    return this.core.startBankBinding({ cardNo: binding.cardNo, ...input });
  }

  confirmBinding(binding: Binding, input: { bindingId: string; smsCode: string }): Promise<BankBindingView> {
    return this.core.confirmBankBinding({ cardNo: binding.cardNo, ...input });
  }

  unbind(binding: Binding): Promise<{ removed: number }> {
    return this.core.unbindBank(binding.cardNo);
  }

  load(binding: Binding, input: { amount: number; idempotencyKey: string }): Promise<BankTransferView> {
    return this.core.bankLoad({ cardNo: binding.cardNo, ...input, origin: 'app' });
  }

  setAutoTopUp(
    binding: Binding,
    input: { enabled: boolean; threshold: number; amount: number; monthlyCap: number },
  ): Promise<AutoTopUpView> {
    return this.core.setAutoTopUp({ cardNo: binding.cardNo, ...input });
  }

  /** One of the caller's transfers (to follow a pending one); another's is NOT_FOUND. */
  async transfer(binding: Binding, id: string): Promise<BankTransferView> {
    const transfer = await this.core.bankTransfer(id);
    if (transfer.cardNo !== binding.cardNo) throw new BffError('NOT_FOUND', 'no such transfer');
    return transfer;
  }
}
