// Binding a bank card to a campus card (docs/funds.md § Bank): the bank checks the holder and texts a
// code; only the masked card number and, once confirmed, the bank's agreement token are kept.

import type { CardService } from '../cards/card-service.ts';
import type { BankBindingView } from '../contract/bank.ts';
import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import { type BankGateway, BankUnanswered } from './bank-gateway.ts';
import type { BankBinding, BankRepository } from './bank-repository.ts';

export class BankBindings {
  constructor(
    private readonly repo: BankRepository,
    private readonly cards: CardService,
    private readonly bank: () => BankGateway,
    private readonly smsAttemptsMax: number,
  ) {}

  /**
   * Sends the bank card, the card holder's name and the ID number and phone the student gave to the
   * bank, which checks them against its account and texts a code. The card number is not kept: only
   * its masked form, computed here, and later the bank's agreement token.
   */
  async startBinding(input: {
    cardNo: string;
    bankCardNumber: string;
    idNumber: string;
    phone: string;
  }): Promise<BankBindingView> {
    const card = await this.cards.get(input.cardNo);
    if (card.status === 'cancelled') throw new CoreError('CARD_CANCELLED', 'the card is cancelled');
    const answer = await askBank(() =>
      this.bank().verify({
        cardNumber: input.bankCardNumber,
        name: card.name,
        idNumber: input.idNumber.toUpperCase(),
        phone: input.phone,
      }),
    );
    if (answer.kind === 'refused')
      throw new CoreError('BANK_BINDING_REFUSED', 'the bank did not accept this card for this holder', {
        reason: answer.code,
      });
    const n = input.bankCardNumber;
    const id = newId();
    await this.repo.insertBinding({
      id,
      cardNo: input.cardNo,
      requestId: answer.requestId,
      masked: `${n.slice(0, 6)}******${n.slice(-4)}`,
      phoneTail: answer.phoneTail.slice(-4),
      nowMs: Date.now(),
    });
    return view(await this.bindingOf(id));
  }

  /**
   * The SMS code: an attempt is taken (conditional UPDATE) before the code goes to the bank, so a
   * burst of guesses gets no more tries than smsAttemptsMax.
   */
  async confirmBinding(input: {
    cardNo: string;
    bindingId: string;
    smsCode: string;
  }): Promise<BankBindingView> {
    const binding = await this.bindingOf(input.bindingId);
    if (binding.cardNo !== input.cardNo) throw new CoreError('BINDING_NOT_FOUND', 'no such bank binding');
    if (binding.status === 'active') return view(binding);
    if (binding.status !== 'pending') throw new CoreError('BINDING_NOT_FOUND', 'no such bank binding');
    if (!(await this.repo.takeSmsAttempt(binding.id, binding.cardNo, this.smsAttemptsMax)))
      throw new CoreError('BANK_SMS_LOCKED', 'too many wrong codes: start the binding again');
    const answer = await askBank(() => this.bank().confirm(binding.requestId ?? '', input.smsCode));
    if (answer.kind === 'refused') {
      const left = Math.max(0, this.smsAttemptsMax - binding.smsAttempts - 1);
      throw new CoreError('BANK_SMS_CODE_WRONG', 'the SMS code is not right', { attemptsLeft: left });
    }
    await this.repo.activate(binding.id, binding.cardNo, answer.token, answer.masked, Date.now());
    return view(await this.bindingOf(binding.id));
  }

  async binding(cardNo: string): Promise<BankBindingView | null> {
    const b = await this.repo.activeBinding(cardNo);
    return b ? view(b) : null;
  }

  async unbind(cardNo: string): Promise<{ removed: number }> {
    return { removed: await this.repo.remove(cardNo, Date.now()) };
  }

  private async bindingOf(id: string): Promise<BankBinding> {
    const b = await this.repo.binding(id);
    if (!b) throw new CoreError('BINDING_NOT_FOUND', 'no such bank binding');
    return b;
  }
}

/** A binding step the bank did not answer is the student's to try again. */
export async function askBank<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof BankUnanswered)
      throw new CoreError('BANK_UNAVAILABLE', 'the bank did not answer; try again');
    throw error;
  }
}

function view(b: BankBinding): BankBindingView {
  return {
    id: b.id,
    cardNo: b.cardNo,
    status: b.status,
    masked: b.masked,
    phoneTail: b.phoneTail,
    boundAtMs: b.boundAtMs,
  };
}
