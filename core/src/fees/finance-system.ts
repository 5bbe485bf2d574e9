import type { FeeCategory } from '../contract/fees.ts';
import { feeCategories } from '../contract/fees.ts';
import { CoreError } from '../errors.ts';
import { ProviderUnavailable, type VendorOptions, vendorPost } from '../utilities/providers.ts';

export interface FinanceItem {
  code: string;
  name: string;
  category: FeeCategory;
  dueDay: string;
  allowPartial: boolean;
  bills: { personNo: string; amount: number }[];
}

/**
 * The campus finance system's fee items (mock/finance is its stand-in), read through the vendors'
 * signed envelope. An answer we cannot read is UTILITY_UNAVAILABLE: nothing is imported from it.
 */
export function financeSystem(options: VendorOptions): { items(): Promise<FinanceItem[]> } {
  return {
    async items() {
      let answer: Awaited<ReturnType<typeof vendorPost>>;
      try {
        answer = await vendorPost(options, '/api/fee/items', {});
      } catch (error) {
        if (error instanceof ProviderUnavailable)
          throw new CoreError('UTILITY_UNAVAILABLE', 'the finance system did not answer');
        throw error;
      }
      if (answer.code !== '0000')
        throw new CoreError('UTILITY_UNAVAILABLE', 'the finance system refused the request');
      const raw = (answer.data?.items ?? []) as Record<string, unknown>[];
      return raw.map((r) => ({
        code: String(r.code),
        name: String(r.name),
        category: ((feeCategories as readonly string[]).includes(String(r.category))
          ? r.category
          : 'other') as FeeCategory,
        dueDay: String(r.dueDay),
        allowPartial: r.allowPartial === true,
        bills: ((r.bills ?? []) as { studentNo: unknown; amountFen: unknown }[]).map((b) => ({
          personNo: String(b.studentNo),
          amount: Number(b.amountFen),
        })),
      }));
    },
  };
}
