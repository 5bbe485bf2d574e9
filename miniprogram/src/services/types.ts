// The BFF's answers as the app reads them (docs/miniprogram.md lists the routes). Money in whole fen.
import type { CardStatus, TopUpStatus } from '@campus-card/core/contract';

export type { CardStatus, TopUpStatus } from '@campus-card/core/contract';
export type PersonType = 'student' | 'staff' | 'alumnus' | 'visitor';

export interface Balance {
  readonly main: number;
  readonly subsidy: number;
  /** Held for running showers and laundry. */
  readonly pending?: number;
}

export interface CardView {
  readonly cardNo: string;
  readonly name: string;
  readonly personType: PersonType;
  readonly status: CardStatus;
  readonly version: number;
  readonly department?: string;
  readonly balance: Balance;
  readonly dailyLimit?: number;
  readonly dailyLimitMax?: number;
  readonly spentToday?: number;
  readonly hasPin?: boolean;
}

export interface SessionAnswer {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** False until the person binds their campus identity. */
  readonly bound: boolean;
  readonly role?: 'student' | 'staff' | 'parent';
}

export interface CredentialAnswer {
  /** 120 certificate bytes, hex. */
  readonly certificate: string;
  readonly validUntilMs: number;
  /** The BFF's clock when it answered: the phone corrects its own by the difference. */
  readonly serverTimeMs: number;
  /** The numeric pay code's per-card secret, when the BFF issues one. */
  readonly numericCode?: { readonly secret: string; readonly codeId: number; readonly prefix?: string };
}

export type TransactionKind =
  | 'payment'
  | 'top_up'
  | 'subsidy'
  | 'refund'
  | 'hold'
  | 'post'
  | 'void'
  | 'expire'
  | 'adjustment'
  | 'close_out'
  | 'subsidy_clear';

export interface Transaction {
  readonly id: string;
  readonly kind: TransactionKind;
  /** Signed from the card's side: spending negative, money in positive; 0 for a hold (held aside, not spent). */
  readonly amount: number;
  readonly mainAmount?: number;
  readonly subsidyAmount?: number;
  readonly merchantName?: string;
  readonly category?: string;
  /** The terminal's kind (pos, shower …); devices are never shown by id. */
  readonly deviceKind?: string;
  /** A top-up's channel: wechat, alipay, cash, bank. */
  readonly channel?: string;
  /** A pending hold (预授权), or what a settled one held, charged and released. */
  readonly hold?: {
    readonly status: 'pending' | 'posted' | 'voided' | 'expired';
    readonly heldAmount: number;
    readonly chargedAmount?: number;
    readonly releasedAmount?: number;
  };
  readonly refundedAmount?: number;
  readonly createdAtMs: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly next?: string;
}

export interface Statement {
  readonly month: string;
  readonly spent: number;
  readonly toppedUp: number;
  readonly subsidies: number;
  readonly previousSpent?: number;
  readonly byCategory: readonly { readonly category: string; readonly amount: number }[];
  readonly byDay: readonly { readonly day: number; readonly amount: number }[];
  readonly byMerchant?: readonly { readonly merchantName: string; readonly amount: number }[];
}

export interface TopUpOrder {
  readonly id: string;
  readonly status: TopUpStatus;
  readonly amount: number;
  readonly cardNo?: string;
  /** wx.requestPayment's parameters (weapp). */
  readonly payment?: {
    readonly timeStamp: string;
    readonly nonceStr: string;
    readonly package: string;
    readonly signType: 'RSA';
    readonly paySign: string;
  };
  /** The stand-in payment page for H5, where requestPayment does not exist. */
  readonly payPageUrl?: string;
  /** The fee bill the order pays (a fee paid by WeChat Pay or Alipay), or null for a top-up. */
  readonly feeBillId?: string | null;
}

export interface TopUpLimits {
  readonly minAmount: number;
  readonly maxAmount: number;
  readonly presets: readonly number[];
}

export interface MeterSession {
  readonly id: string;
  readonly kind: 'shower' | 'laundry';
  readonly status: 'running' | 'posted' | 'voided' | 'expired';
  readonly heldAmount: number;
  readonly usageAmount: number;
  readonly unitPrice?: number;
  readonly unit?: string;
  readonly deviceName?: string;
  readonly startedAtMs: number;
  readonly endedAtMs?: number;
  readonly postedAmount?: number;
}

/**
 * From the ledger (a payment, top-up, hold …), from the card's history (a status change, a PIN set
 * or reset, with who made it), or a kept notice (a statement, a cancelled loss, a PIN reset).
 */
export type Notification =
  | {
      readonly type: 'operation';
      readonly id: string;
      readonly kind: TransactionKind;
      readonly amount: number;
      readonly merchantId?: string;
      /** Where the card paid (the BFF looks it up), for the line's title. */
      readonly merchantName?: string | null;
      readonly atMs: number;
    }
  | {
      readonly type: 'card';
      readonly id: string;
      readonly status: CardStatus;
      readonly version: number;
      readonly kind?: string;
      readonly by?: string;
      readonly atMs: number;
    }
  | {
      readonly type: 'notice';
      readonly id: string;
      readonly kind: string;
      readonly title: string;
      readonly body: string;
      readonly atMs: number;
    };

export interface NotificationList {
  readonly items: readonly Notification[];
  readonly unread: number;
  readonly seenUpToMs: number;
}

export interface NewsItem {
  readonly id: string;
  readonly title: string;
  readonly excerpt?: string;
  readonly body?: string;
  readonly author?: string;
  readonly publishAtMs: number;
  readonly readAtMs?: number | null;
  /** Marked important by the card centre: pinned while unread, and also sent as a message. */
  readonly important?: boolean;
}

export interface Lesson {
  readonly id: string;
  readonly seq: number;
  readonly title: string;
  readonly durationSeconds?: number;
  readonly videoUrl: string;
  readonly progress: { readonly positionSeconds: number; readonly completed: boolean } | null;
}

export interface Course {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly teacher?: string;
  readonly lessons?: readonly Lesson[];
}

export interface PresenceRecord {
  readonly id: string;
  readonly kind: 'attendance' | 'access';
  readonly place: string;
  /** A code: access allowed/denied, attendance the session's kind (class, exam, meeting). */
  readonly result?: string;
  /** access: in, out or none. */
  readonly direction?: string;
  /** access: the device protocol's reason for a deny (CARD_FROZEN …). */
  readonly reason?: string | null;
  readonly atMs: number;
}
