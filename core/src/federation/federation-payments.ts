import type { ForeignPaymentRequest, LinkPaymentRequest } from '../contract/federation.ts';
import type { Answer } from '../contract/ledger.ts';
import { CoreError } from '../errors.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import type { Logger } from '../log.ts';
import type { MerchantService } from '../merchants/merchant-service.ts';
import type { FederationForwards } from './federation-forwards.ts';
import type { FederationLinks, LinkedCentre } from './federation-links.ts';
import type { LostAnswers } from './lost-answers.ts';
import type { TrustList } from './trust-list.ts';

/** The path of the authorisation one centre asks of the card's centre over the federation link. */
export const linkPaymentPath = '/federation/v1/payments';

/**
 * A card of one centre paying at another's device (docs/federation.md). At the device's centre (B):
 * `payForeign` asks the card's centre (A) over the signed link, then records A's decision in its own
 * ledger under the device's operation id — an acceptance as a sale owed by A, a refusal as that refusal.
 * At the card's centre (A): `authorise` is an ordinary payment of the card, to the merchant that
 * stands for B, under an id made of B's centre and B's operation id, so every retry debits once.
 */
export class FederationPayments {
  constructor(
    private readonly trust: TrustList,
    private readonly ledger: LedgerService,
    private readonly merchants: MerchantService,
    private readonly links: FederationLinks,
    private readonly forwards: FederationForwards,
    private readonly lostAnswers: LostAnswers,
    private readonly log: Logger,
  ) {}

  async payForeign(request: ForeignPaymentRequest): Promise<Answer> {
    try {
      return await this.payOnline(request);
    } catch (error) {
      if (!(error instanceof CoreError) || error.code !== 'FEDERATION_UNAVAILABLE') throw error;
      return this.offline(request);
    }
  }

  /**
   * The card's centre could not be asked: its offline policy decides (docs/federation.md § A
   * unreachable). Taken, the payment is approved and forwarded later; above the policy or the card's cap,
   * it is refused LIMIT_EXCEEDED (not recorded: a retry of the same id asks the centre again); with no
   * policy, FEDERATION_UNAVAILABLE, and the device retries (BUSY).
   */
  private async offline(request: ForeignPaymentRequest): Promise<Answer> {
    const taken = await this.forwards.takeOffline(request, Date.now());
    if (taken === 'NOT_PERMITTED')
      throw new CoreError('FEDERATION_UNAVAILABLE', `centre ${request.centreId} did not answer`);
    if (taken === 'LIMIT_EXCEEDED')
      return {
        status: 'rejected',
        id: request.id,
        kind: 'foreign_sale',
        code: 'LIMIT_EXCEEDED',
        message: "above the card centre's offline policy while it cannot be asked",
        replayed: false,
      };
    return taken;
  }

  private async payOnline(request: ForeignPaymentRequest): Promise<Answer> {
    // Decided already (an earlier attempt, another instance): the stored decision, without asking again.
    const stored = await this.ledger.operation(request.id).catch(() => undefined);
    if (stored?.kind === 'foreign_sale') return { ...stored.result, replayed: true };
    const centre = await this.trust.activeCentre(request.centreId);
    // Checked before asking: once the card's centre has debited, nothing here may refuse the sale.
    const merchant = await this.merchants.get(request.merchantId);
    if (merchant.status !== 'active') throw new CoreError('MERCHANT_DISABLED', 'the merchant is disabled');
    // Taken under the card centre's offline policy before (it could not be asked): that answer again; the
    // forward, not this request, asks it.
    const forwarded = await this.forwards.get(request.id);
    if (forwarded?.status === 'pending') return this.offline(request);
    // Kept before asking: an answer lost on its way back and never retried is asked about again later.
    await this.lostAnswers.record(request, Date.now());
    const decision = await this.ask(centre, {
      id: request.id,
      cardNo: request.cardNo,
      amount: request.amount,
      ...(request.cardVersion === undefined ? {} : { cardVersion: request.cardVersion }),
      ...(request.pin === undefined ? {} : { pin: request.pin }),
      ...(request.codeId === undefined ? {} : { codeId: request.codeId }),
    });
    // The card's ledger was too busy to decide: nothing happened there, the device retries (BUSY).
    if (decision.status === 'rejected' && decision.code === 'OVERLOADED') return decision;
    const sale = await this.ledger.sellForeign({
      id: request.id,
      merchantId: request.merchantId,
      ...(request.deviceId === undefined ? {} : { deviceId: request.deviceId }),
      amount: request.amount,
      centreId: request.centreId,
      foreignCardNo: request.cardNo,
      ...(decision.status === 'rejected' ? { refusedBy: decision.code } : {}),
    });
    if (decision.status === 'ok' && sale.status !== 'ok')
      this.log.error(
        { operationId: request.id, code: sale.code },
        'foreign sale debited at its centre but not recorded here',
      );
    if (decision.status !== 'ok' || sale.status !== 'ok') return sale;
    // The card's figures (the wallets it paid from, the balance left) are its centre's.
    return {
      ...sale,
      subsidyAmount: decision.subsidyAmount,
      mainAmount: decision.mainAmount,
      ...(decision.balance === undefined ? {} : { balance: decision.balance }),
    };
  }

  /** At the card's centre: the asking centre's payment of one of our cards. */
  async authorise(callerCentreId: string, request: LinkPaymentRequest): Promise<Answer> {
    const centre = await this.trust.activeCentre(callerCentreId);
    const id = `fed:${callerCentreId}:${request.id}`;
    if (id.length > 64) throw new CoreError('VALIDATION_FAILED', 'the operation id is too long for the link');
    // Refused as a forward before (taken offline at the asking centre): a refusal stays a refusal.
    const refused = await this.forwards.refusedForward(callerCentreId, request.id);
    if (refused !== undefined) return refused;
    return this.ledger.pay({
      id,
      cardNo: request.cardNo,
      merchantId: centre.merchantId,
      amount: request.amount,
      ...(request.cardVersion === undefined ? {} : { cardVersion: request.cardVersion }),
      ...(request.pin === undefined ? {} : { pin: request.pin }),
      ...(request.codeId === undefined ? {} : { codeId: request.codeId }),
    });
  }

  /** The card's centre's answer, or FEDERATION_UNAVAILABLE when there is none to be had now. */
  private async ask(centre: LinkedCentre, body: LinkPaymentRequest): Promise<Answer> {
    try {
      return await this.links.call<Answer>(centre, 'POST', linkPaymentPath, body);
    } catch (error) {
      // A timeout, a refused connection, a 5xx or the link's own refusal: nothing is recorded here, so
      // the device's retry under the same id asks again and gets the card centre's one answer.
      this.log.warn(
        { centreId: centre.id, code: error instanceof CoreError ? error.code : undefined },
        'federation link did not answer',
      );
      throw new CoreError('FEDERATION_UNAVAILABLE', `centre ${centre.id} did not answer`);
    }
  }
}
