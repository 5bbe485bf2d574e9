// A self-service kiosk (protocol § 7.24, § 7.25): the person shows a code, or types their ID number and
// the card's PIN, the kiosk shows the account and then loads the card from the bound bank card (圈存) or
// with the banknotes its acceptor counted, reports the card lost or cancels the loss (解挂, the PIN typed
// again), or lists and pays owed fees. A money
// request is sent again under the same sequence until it is answered, so a lost answer never pays twice.

import type {
  KioskAccount,
  KioskCancelLossResult,
  KioskFees,
  KioskLoadResult,
  KioskLossResult,
} from '@campus-card/device-gateway/protocol';
import { scannedCode, Terminal, type TerminalOptions } from './terminal.ts';

export class Kiosk extends Terminal {
  private session: Uint8Array | undefined;
  /** The kiosk's cash box as it counted it: what a collection should find. */
  cashInBoxFen = 0;

  constructor(options: TerminalOptions) {
    super('kiosk', options);
  }

  static async connect(options: TerminalOptions): Promise<Kiosk> {
    const kiosk = new Kiosk(options);
    await kiosk.connect();
    return kiosk;
  }

  /** Identifies the person; the session token is kept for the loads that follow. */
  async identify(scanned: string): Promise<KioskAccount> {
    const reply = await this.request({ kind: 'kiosk_identify', code: scannedCode(scanned) });
    if (reply.kind !== 'kiosk_account') throw new Error(`KIOSK_IDENTIFY answered ${reply.kind}`);
    this.session = reply.reason === 'NONE' ? reply.sessionToken : undefined;
    return reply;
  }

  /** A person without a phone: their ID number and the card's PIN open the same session as a code. */
  async identifyById(idNumber: string, pin: string): Promise<KioskAccount> {
    const reply = await this.request({ kind: 'kiosk_identify_by_id', idNumber, pin });
    if (reply.kind !== 'kiosk_account') throw new Error(`KIOSK_IDENTIFY_BY_ID answered ${reply.kind}`);
    this.session = reply.reason === 'NONE' ? reply.sessionToken : undefined;
    return reply;
  }

  /** 挂失 of the identified person's card. */
  async reportLoss(): Promise<KioskLossResult> {
    const reply = await this.requestHonouringBusy({ kind: 'kiosk_report_loss', sessionToken: this.token() });
    if (reply.kind !== 'kiosk_loss_result') throw new Error(`KIOSK_REPORT_LOSS answered ${reply.kind}`);
    return reply;
  }

  /** 解挂 of the identified person's card, with the card's PIN typed again. */
  async cancelLoss(pin: string): Promise<KioskCancelLossResult> {
    const reply = await this.requestHonouringBusy({
      kind: 'kiosk_cancel_loss',
      sessionToken: this.token(),
      pin,
    });
    if (reply.kind !== 'kiosk_cancel_loss_result')
      throw new Error(`KIOSK_CANCEL_LOSS answered ${reply.kind}`);
    return reply;
  }

  /** The owed fee bills; with a bill, pays amountFen of it from the card first (the PIN above the PIN-free limit). */
  async fees(pay?: { billId: string; amountFen: number; pin?: string }): Promise<KioskFees> {
    const reply = await this.requestHonouringBusy({
      kind: 'kiosk_fees_request',
      sessionToken: this.token(),
      billId: pay?.billId ?? '',
      amountFen: pay?.amountFen ?? 0,
      pin: pay?.pin ?? '',
    });
    if (reply.kind !== 'kiosk_fees') throw new Error(`KIOSK_FEES_REQUEST answered ${reply.kind}`);
    return reply;
  }

  async bankLoad(amountFen: number): Promise<KioskLoadResult> {
    const reply = await this.requestHonouringBusy({
      kind: 'kiosk_bank_load',
      sessionToken: this.token(),
      amountFen,
    });
    if (reply.kind !== 'kiosk_load_result') throw new Error(`KIOSK_BANK_LOAD answered ${reply.kind}`);
    return reply;
  }

  /** Banknotes counted into escrow: kept in the box when credited, handed back when refused. */
  async insertCash(notesFen: readonly number[]): Promise<KioskLoadResult> {
    const amountFen = notesFen.reduce((sum, n) => sum + n, 0);
    const reply = await this.requestHonouringBusy({
      kind: 'kiosk_cash_top_up',
      sessionToken: this.token(),
      amountFen,
      notes: notesFen.length,
    });
    if (reply.kind !== 'kiosk_load_result') throw new Error(`KIOSK_CASH_TOP_UP answered ${reply.kind}`);
    if (reply.status === 'credited') this.cashInBoxFen += amountFen;
    return reply;
  }

  private token(): Uint8Array {
    if (!this.session) throw new Error('nobody is identified at the kiosk');
    return this.session;
  }
}
