// What the ledger answers is wire shape: it lives in the contract (contract/ledger.ts).
export type { Accepted, Answer, Balances, Outcome, Rejected } from '../contract/ledger.ts';
