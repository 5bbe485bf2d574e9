import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { attendanceKindLabels, labelOf } from '../src/labels.ts';
import { notificationText } from '../src/lib/notifications.ts';
import { routeParam } from '../src/lib/route.ts';
import { checkTopUpAmount, topUpLimitsFallback, usablePresets } from '../src/lib/top-up.ts';
import { appendPage, signedAmount, transactionKindText, transactionTitle } from '../src/lib/transactions.ts';
import { parseLiveMessage, socketUrl } from '../src/services/live.ts';
import { newIdempotencyKey } from '../src/services/top-ups.ts';
import type { Transaction } from '../src/services/types.ts';
import { createTokenStore, forgetEverything } from '../src/stores/session.ts';
import { memoryStorage, storageKeys } from '../src/stores/storage.ts';
import { strings } from '../src/strings.ts';

const payment: Transaction = {
  id: 'p1',
  kind: 'payment',
  amount: -1250,
  merchantName: '一食堂',
  createdAtMs: 0,
};
const topUp: Transaction = { id: 't1', kind: 'top_up', amount: 5000, createdAtMs: 0 };

describe('top-up amounts', () => {
  test('when an amount is outside the limits or missing, then the page says the range; inside, it passes', () => {
    const limits = { minAmount: 1_000, maxAmount: 20_000, presets: [500, 1_000, 20_000, 50_000] };
    assert.equal(checkTopUpAmount(undefined, limits), strings.topUp.range('¥10.00', '¥200.00'));
    assert.equal(checkTopUpAmount(999, limits), strings.topUp.range('¥10.00', '¥200.00'));
    assert.equal(checkTopUpAmount(20_001, limits), strings.topUp.range('¥10.00', '¥200.00'));
    assert.equal(checkTopUpAmount(1_000, limits), undefined);
    assert.equal(checkTopUpAmount(20_000, limits), undefined);
    assert.deepEqual(usablePresets(limits), [1_000, 20_000]);
    assert.deepEqual(usablePresets(topUpLimitsFallback), [...topUpLimitsFallback.presets]);
  });
});

describe('bill rows', () => {
  test('when a row is money out or in, then the sign and the colour follow, and the title falls back to the kind', () => {
    assert.deepEqual(signedAmount(payment), { text: '-¥12.50', incoming: false, pending: false });
    assert.deepEqual(signedAmount(topUp), { text: '+¥50.00', incoming: true, pending: false });
    assert.equal(transactionTitle(payment), '一食堂');
    assert.equal(transactionTitle(topUp), '充值');
  });

  test('#19.1 when a shower hold is pending, then its row shows what is held aside, unsigned and pending, never as spending', () => {
    const hold: Transaction = {
      id: 'h1',
      kind: 'hold',
      amount: 0,
      merchantName: '北区浴室',
      hold: { status: 'pending', heldAmount: 600 },
      createdAtMs: 0,
    };
    assert.deepEqual(signedAmount(hold), { text: '¥6.00', incoming: false, pending: true });
    assert.equal(transactionKindText(hold), '预授权');
    assert.deepEqual(notificationText({ type: 'operation', id: 'h1', kind: 'hold', amount: 600, atMs: 0 }), {
      title: '预授权',
      detail: '冻结 ¥6.00',
    });
  });

  test('#19 when a payment in the message list names its merchant, then the line reads 消费 · the merchant and the amount out', () => {
    assert.deepEqual(
      notificationText({
        type: 'operation',
        id: 'p1',
        kind: 'payment',
        amount: 1_350,
        merchantName: '第一食堂',
        atMs: 0,
      }),
      { title: '消费 · 第一食堂', detail: '-¥13.50' },
    );
    assert.deepEqual(
      notificationText({
        type: 'operation',
        id: 't1',
        kind: 'top_up',
        amount: 5_000,
        merchantName: null,
        atMs: 0,
      }),
      { title: '充值', detail: '+¥50.00' },
    );
  });

  test('#19 when the list has a kept notice or a PIN reset, then the row reads the notice and 支付密码已重置, never a code or an amount', () => {
    const notice = notificationText({
      type: 'notice',
      id: 'n1',
      kind: 'pin_reset:1',
      title: '支付密码已重置',
      body: '校园卡支付密码已在小程序凭身份验证重置。',
      atMs: 0,
    });
    assert.deepEqual(notice, {
      title: '支付密码已重置',
      detail: '',
      body: '校园卡支付密码已在小程序凭身份验证重置。',
    });
    const reset = notificationText({
      type: 'card',
      id: 'card-3',
      status: 'active',
      version: 3,
      kind: 'pin_reset',
      by: 'self',
      atMs: 0,
    });
    assert.deepEqual(reset, { title: '支付密码已重置', detail: '' });
    const lost = notificationText({
      type: 'card',
      id: 'card-4',
      status: 'lost',
      version: 4,
      kind: 'report_loss',
      by: 'parent',
      atMs: 0,
    });
    assert.deepEqual(lost, { title: '卡片已挂失', detail: '', body: '由家长操作' });
    // Binding the app is no status change to announce as one (#19: it read 卡片状态变为：正常).
    const bound = notificationText({
      type: 'card',
      id: 'card-1',
      status: 'active',
      version: 1,
      kind: 'bound',
      by: 'self',
      atMs: 0,
    });
    assert.deepEqual(bound, { title: '已在本机绑定校园卡', detail: '' });
  });

  test('#19.2 when a code has a label, then the row reads it in Chinese; an unknown code reads the fallback, never itself', () => {
    assert.equal(transactionTitle({ ...topUp, channel: 'cash' }), '充值 · 现金（卡务中心）');
    assert.equal(transactionTitle({ ...topUp, channel: 'wechat' }), '充值 · 微信支付');
    assert.equal(labelOf(attendanceKindLabels, 'class'), '课堂签到');
    assert.equal(labelOf(attendanceKindLabels, 'seminar', '签到'), '签到');
    assert.equal(transactionKindText({ ...payment, kind: 'mystery' as Transaction['kind'] }), '其他');
  });

  test('when the next page repeats rows already shown, then they are not shown twice', () => {
    const rows = appendPage([payment, topUp], [topUp, { ...payment, id: 'p2' }]);
    assert.deepEqual(
      rows.map((row) => row.id),
      ['p1', 't1', 'p2'],
    );
  });
});

describe('session storage', () => {
  test('when tokens are saved, then a restarted app reads them back; a damaged entry counts as logged out', () => {
    const storage = memoryStorage();
    const tokens = createTokenStore(storage);
    tokens.set({ accessToken: 'a', refreshToken: 'r' });
    assert.deepEqual(createTokenStore(storage).get(), { accessToken: 'a', refreshToken: 'r' });
    storage.set(storageKeys.session, '{not json');
    assert.equal(tokens.get(), undefined);
  });

  test('when the person unbinds, then the phone key, certificate, card and session are all gone', () => {
    const storage = memoryStorage(Object.fromEntries(Object.values(storageKeys).map((key) => [key, 'x'])));
    storage.set('other.app.key', 'kept');
    forgetEverything(storage);
    assert.deepEqual([...storage.entries.keys()], ['other.app.key']);
  });
});

describe('live socket', () => {
  test('when activity arrives, then payments and card changes are read and everything else is ignored', () => {
    const payment = {
      type: 'operation',
      cardNo: '2024000137',
      kind: 'payment',
      amount: 1250,
      balance: { main: 100, subsidy: 0 },
      atMs: 1,
    };
    assert.deepEqual(parseLiveMessage(JSON.stringify({ type: 'activity', activity: payment })), payment);
    const card = { type: 'card', cardNo: '2024000137', status: 'lost', version: 4, atMs: 2 };
    assert.deepEqual(parseLiveMessage(JSON.stringify({ type: 'activity', activity: card })), card);
    assert.equal(parseLiveMessage(JSON.stringify({ type: 'hello', cardNos: ['2024000137'] })), undefined);
    assert.equal(parseLiveMessage('not json'), undefined);
    assert.equal(
      parseLiveMessage(JSON.stringify({ type: 'activity', activity: { type: 'operation' } })),
      undefined,
    );
    assert.equal(parseLiveMessage(new ArrayBuffer(4)), undefined);
    const low = { type: 'low_balance', cardNo: '2024000137', balance: 850, threshold: 1_000, atMs: 3 };
    assert.deepEqual(parseLiveMessage(JSON.stringify(low)), low);
    assert.equal(parseLiveMessage(JSON.stringify({ type: 'low_balance', cardNo: '2024000137' })), undefined);
  });

  test('when news is announced, then its id, title and excerpt are read and a malformed one is ignored', () => {
    const news = { id: '01JNEWS0000000000000000001', title: '明早停水', excerpt: '宿舍区', publishAtMs: 5 };
    assert.deepEqual(parseLiveMessage(JSON.stringify({ type: 'news', news })), { type: 'news', ...news });
    assert.equal(parseLiveMessage(JSON.stringify({ type: 'news', news: { id: 'x' } })), undefined);
    assert.equal(parseLiveMessage(JSON.stringify({ type: 'news' })), undefined);
  });

  test('when the address is made, then H5 uses its own origin and mini-programs the BFF, both as ws(s)', () => {
    const path = '/api/v1/events?ticket=t1';
    assert.equal(
      socketUrl('', path, 'http://127.0.0.1:10086'),
      'ws://127.0.0.1:10086/api/v1/events?ticket=t1',
    );
    assert.equal(
      socketUrl('https://card.example.edu.cn', path, ''),
      'wss://card.example.edu.cn/api/v1/events?ticket=t1',
    );
  });
});

describe('notification lines', () => {
  test('when a notification is a payment, a top-up or a card change, then its line says so with a signed amount', () => {
    assert.deepEqual(
      notificationText({ type: 'operation', id: '1', kind: 'payment', amount: -1250, atMs: 0 }),
      {
        title: strings.bills.kind.payment,
        detail: '-¥12.50',
      },
    );
    assert.deepEqual(
      notificationText({ type: 'operation', id: '2', kind: 'top_up', amount: 5000, atMs: 0 }),
      {
        title: strings.bills.kind.top_up,
        detail: '+¥50.00',
      },
    );
    assert.equal(
      notificationText({ type: 'card', id: '3', status: 'lost', version: 2, atMs: 0 }).detail,
      strings.notifications.cardChanged('已挂失'),
    );
  });
});

describe('route parameters', () => {
  test('when a parameter arrives encoded, then it is decoded once; bad encoding is kept as it is', () => {
    assert.equal(routeParam('dev%3A7101%3A4'), 'dev:7101:4');
    assert.equal(routeParam('%E6%9E%97'), '林');
    assert.equal(routeParam('100%'), '100%');
    assert.equal(routeParam(undefined), undefined);
  });
});

describe('top-up idempotency', () => {
  test('when keys are made, then they fit the BFF header rule and two taps get different keys', () => {
    const first = newIdempotencyKey();
    assert.match(first, /^[A-Za-z0-9_-]{8,64}$/);
    assert.notEqual(newIdempotencyKey(), first);
  });
});
