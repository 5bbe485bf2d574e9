import type {
  AdjustmentRequest,
  Answer,
  HoldRequest,
  HoldView,
  OperationView,
  PaymentRequest,
  PostHoldBody,
  RefundRequest,
  SubsidyRequest,
  TopUpRequest,
  VoidHoldBody,
} from '../contract/ledger.ts';
import { DomainClient } from './transport.ts';

/** Money operations (batched into one request per tick by the transport), holds, operations. */
export class LedgerClient extends DomainClient {
  pay(request: PaymentRequest): Promise<Answer> {
    return this.transport.operation({ kind: 'payment', ...request });
  }
  topUp(request: TopUpRequest): Promise<Answer> {
    return this.transport.operation({ kind: 'top_up', ...request });
  }
  subsidize(request: SubsidyRequest): Promise<Answer> {
    return this.transport.operation({ kind: 'subsidy', ...request });
  }
  refund(request: RefundRequest): Promise<Answer> {
    return this.transport.operation({ kind: 'refund', ...request });
  }
  adjust(request: AdjustmentRequest): Promise<Answer> {
    return this.transport.operation({ kind: 'adjustment', ...request });
  }
  hold(request: HoldRequest): Promise<Answer> {
    return this.transport.operation({ kind: 'hold', ...request });
  }
  /** With `deviceId`, a hold another device opened is refused HOLD_NOT_FOUND, as an unknown one. */
  postHold(holdId: string, request: PostHoldBody): Promise<Answer> {
    return this.transport.operation({ kind: 'post', holdId, ...request });
  }
  voidHold(holdId: string, request: VoidHoldBody): Promise<Answer> {
    return this.transport.operation({ kind: 'void', holdId, ...request });
  }
  reportUsage(holdId: string, usageAmount: number, deviceId?: string): Promise<HoldView> {
    return this.transport.call('POST', `/v1/holds/${encodeURIComponent(holdId)}/usage`, {
      usageAmount,
      ...(deviceId === undefined ? {} : { deviceId }),
    });
  }
  getHold(holdId: string, deviceId?: string): Promise<HoldView> {
    const query = deviceId === undefined ? '' : `?deviceId=${encodeURIComponent(deviceId)}`;
    return this.transport.call('GET', `/v1/holds/${encodeURIComponent(holdId)}${query}`);
  }
  getOperation(id: string): Promise<OperationView> {
    return this.transport.call('GET', `/v1/operations/${encodeURIComponent(id)}`);
  }
}
