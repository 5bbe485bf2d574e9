import type { AccountRow, CardRow, HoldRow, PaymentRow } from './state.ts';

/** Database rows to the plain objects the ledger works on (numbers, not driver strings). */
export function toHold(r: Record<string, unknown>): HoldRow {
  return {
    id: String(r.id),
    cardNo: String(r.card_no),
    merchantId: String(r.merchant_id),
    deviceId: r.device_id === null ? null : String(r.device_id),
    amount: Number(r.amount),
    subsidyAmount: Number(r.subsidy_amount),
    usageAmount: Number(r.usage_amount),
    status: r.status as HoldRow['status'],
    expiresAtMs: Number(r.expires_at_ms),
    resolvedBy: r.resolved_by === null ? null : String(r.resolved_by),
    resolvedAmount: r.resolved_amount === null ? null : Number(r.resolved_amount),
    resolvedAtMs: r.resolved_at_ms === null ? null : Number(r.resolved_at_ms),
    createdAtMs: Number(r.created_at_ms),
  };
}

export function toPayment(r: Record<string, unknown>): PaymentRow {
  return {
    id: String(r.id),
    kind: String(r.kind),
    outcome: String(r.outcome),
    cardNo: r.card_no === null ? null : String(r.card_no),
    merchantId: r.merchant_id === null ? null : String(r.merchant_id),
    amount: Number(r.amount),
    subsidyAmount: Number(r.subsidy_amount),
    refundedAmount: Number(r.refunded_amount),
  };
}

export function toCard(r: Record<string, unknown>): CardRow {
  return {
    cardNo: String(r.card_no),
    personId: String(r.person_id),
    status: r.status as CardRow['status'],
    version: Number(r.version),
    mainAccountId: String(r.main_account_id),
    subsidyAccountId: String(r.subsidy_account_id),
    dailyLimit: Number(r.daily_limit),
    pinFreeLimit: Number(r.pin_free_limit),
    spentDay: Number(r.spent_day),
    spentDayAmount: Number(r.spent_day_amount),
    lastPayDeviceId: r.last_pay_device_id === null ? null : String(r.last_pay_device_id),
    lastPayAtMs: r.last_pay_at_ms === null ? null : Number(r.last_pay_at_ms),
    pinSet: Number(r.pin_set) === 1,
    risk: {
      windowStartMs: r.risk_window_start_ms === null ? null : Number(r.risk_window_start_ms),
      highPayments: Number(r.risk_high_payments),
      newPlacePayments: Number(r.risk_new_place_payments),
      stepUpAtMs: r.pin_step_up_at_ms === null ? null : Number(r.pin_step_up_at_ms),
    },
    places: new Map(),
  };
}

export function wallet(
  id: string,
  kind: AccountRow['kind'],
  dp: unknown,
  cp: unknown,
  dq: unknown,
  cq: unknown,
): AccountRow {
  return {
    id,
    kind,
    allowOverdraft: false,
    debitsPosted: Number(dp),
    creditsPosted: Number(cp),
    debitsPending: Number(dq),
    creditsPending: Number(cq),
  };
}
