import { type BankStandIn, startBank } from '../bank/server.ts';

/**
 * The demo's bank front end (#16, docs/funds.md § Bank): the stand-in on its port, and a bank account for
 * each of the first demo students in their own name, so the app's 绑定银行卡 can be tried with the
 * numbers printed at start. Demo values only; the SMS code is read from the stand-in's outbox
 * (GET /_sms/<phone>) and printed by it.
 */
export const demoBankSecret = 'demo-bank-secret-change-me-0123456789';

export interface DemoBankAccount {
  personNo: string;
  cardNumber: string;
  idNumber: string;
  phone: string;
}

/** The stand-in, started before the core that calls it (its accounts come once the students exist). */
export function startDemoBank(port: number): Promise<BankStandIn> {
  return startBank({ port, secret: demoBankSecret });
}

/** A bank account in each of the first five demo students' names, 5,000 yuan each. */
export function seedDemoBank(
  bank: BankStandIn,
  identities: readonly { personNo: string; name: string }[],
): DemoBankAccount[] {
  return identities.slice(0, 5).map((p, i) => {
    const account = {
      personNo: p.personNo,
      cardNumber: `62220200000000${String(i + 1).padStart(2, '0')}`,
      idNumber: `11010120000101${String(i + 1).padStart(3, '0')}X`,
      phone: `1380013800${i}`,
    };
    bank.addAccount({ ...account, name: p.name, balance: 500_000 });
    return account;
  });
}
