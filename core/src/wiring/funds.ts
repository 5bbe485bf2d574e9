// The money that leaves or enters the campus through outside systems (docs/funds.md): refunds,
// top-up orders, dorm electricity and the network fee, fees (缴费) and the bank (圈存).

import { BankGateway } from '../bank/bank-gateway.ts';
import { BankRepository } from '../bank/bank-repository.ts';
import { BankService, bankOptionsDefault } from '../bank/bank-service.ts';
import type { CardService } from '../cards/card-service.ts';
import type { CoreConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import { FeeChannelRefundRepository } from '../fees/fee-channel-refund-repository.ts';
import { FeeItems } from '../fees/fee-items.ts';
import { FeeRepository } from '../fees/fee-repository.ts';
import { FeeService } from '../fees/fee-service.ts';
import { financeSystem } from '../fees/finance-system.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import type { Logger } from '../log.ts';
import type { MerchantService } from '../merchants/merchant-service.ts';
import type { NoticeRepository } from '../notices/notice-repository.ts';
import { RefundRepository } from '../refunds/refund-repository.ts';
import { RefundService } from '../refunds/refund-service.ts';
import { TopUpRepository } from '../topups/top-up-repository.ts';
import { TopUpService } from '../topups/top-up-service.ts';
import { electricityProvider, networkProvider } from '../utilities/providers.ts';
import { UtilityRepository } from '../utilities/utility-repository.ts';
import { defaultUtilityOptions, UtilityPurchases } from '../utilities/utility-service.ts';

export interface Funds {
  refunds: RefundService;
  topUps: TopUpService;
  utilities: UtilityPurchases;
  fees: FeeService;
  feeItems: FeeItems;
  bank: BankService;
}

/** The funds services over the card, the ledger, the merchants and the in-app notices. */
export function createFunds(
  db: Database,
  config: CoreConfig,
  log: Logger,
  {
    cards,
    ledger,
    merchants,
    notices,
  }: {
    cards: CardService;
    ledger: LedgerService;
    merchants: MerchantService;
    notices: NoticeRepository;
  },
): Funds {
  const refunds = new RefundService(new RefundRepository(db), ledger);
  const vendor = (url: string | undefined, appId: string, secret: string) =>
    url === undefined ? undefined : { url, appId, secret, timeoutMs: config.utilityTimeoutMs };
  const electricity = vendor(config.utilityUrl, config.utilityAppId, config.utilitySecret);
  const network = vendor(config.networkUrl, config.networkAppId, config.networkSecret);
  const utilities = new UtilityPurchases(
    new UtilityRepository(db),
    {
      ...(electricity ? { electricity: electricityProvider(electricity) } : {}),
      ...(network ? { network: networkProvider(network) } : {}),
    },
    ledger,
    cards,
    merchants,
    notices,
    log,
    { ...defaultUtilityOptions, holdTimeoutMs: config.holdTimeoutMsMax },
  );
  const finance = vendor(config.financeUrl, config.financeAppId, config.financeSecret);
  const feeRepository = new FeeRepository(db);
  const fees = new FeeService(
    feeRepository,
    ledger,
    cards,
    merchants,
    log,
    new FeeChannelRefundRepository(db),
  );
  const feeItems = new FeeItems(
    feeRepository,
    merchants,
    notices,
    log,
    finance ? financeSystem(finance) : undefined,
  );
  const topUps = new TopUpService(new TopUpRepository(db), cards, ledger, log, fees);
  // A platform fee refund whose top-up refund a crash cut off is started again, under the same id.
  fees.resumeChannelRefundsWith((r) =>
    topUps.startRefund(r.paymentId, {
      refundId: r.refundId,
      amount: r.amount,
      reason: r.reason.slice(0, 80),
    }),
  );
  const bank = new BankService(
    new BankRepository(db),
    cards,
    ledger,
    refunds,
    notices,
    config.bankUrl
      ? new BankGateway({ url: config.bankUrl, secret: config.bankSecret, timeoutMs: config.bankTimeoutMs })
      : undefined,
    log,
    {
      ...bankOptionsDefault,
      loadAmountMax: config.topUpAmountMax,
      resolveAfterMs: config.bankResolveAfterMs,
    },
  );
  return { refunds, topUps, utilities, fees, feeItems, bank };
}
