// The parent's page: the linked children, each child's card status (and who reported a loss, with the
// way to undo it: the reporting parent's own 撤销挂失 within 30 minutes, later the child's or the card
// centre's), the balance and the spending as the
// child allows, a top-up, the low-balance alert and the messages it arrives as; linking a child.
// The student's side (their linked parents, the invitation code) is pages/parents-mine.
import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { type CSSProperties, useEffect, useState } from 'react';
import { StateView } from '../../components/StateView.tsx';
import { messageOf, useRemote } from '../../components/use-remote.ts';
import { labelOf } from '../../labels.ts';
import { formatFen, parseYuan } from '../../lib/money.ts';
import { formatFullTime, formatShortTime } from '../../lib/month.ts';
import { notificationText } from '../../lib/notifications.ts';
import { signedAmount, transactionTitle } from '../../lib/transactions.ts';
import { api, openLive, taroStorage } from '../../services/api.ts';
import { childrenLiveTicket, type LowBalance } from '../../services/live.ts';
import { askMessageConsent, parentMessageKinds, preloadMessageTemplates } from '../../services/messages.ts';
import {
  type ChildView,
  linkChild,
  listChildren,
  listChildSpending,
  listParentMessages,
  type ParentMessage,
  reportChildLost,
  setLowBalanceAlert,
  undoChildLoss,
} from '../../services/parents.ts';
import type { Transaction, TransactionKind } from '../../services/types.ts';
import { storageKeys } from '../../stores/storage.ts';
import { strings } from '../../strings.ts';
import { parentSettingsStrings } from '../parent-settings/strings.ts';

const words = strings.parents;

/** Status badges: white on the app's green or red, dark green on pale green (all ≥ 4.5:1). */
const badgeStyle: Record<string, CSSProperties> = {
  active: { background: '#e6f4ee', color: '#0b6e4f' },
  lost: { background: '#c0392b', color: '#fff' },
  frozen: { background: '#8a4b00', color: '#fff' },
  cancelled: { background: '#4a5550', color: '#fff' },
};
// Inline styles are not scaled like app.css (750-wide design px): these are half its numbers.
const badgeBase: CSSProperties = { padding: '3px 8px', borderRadius: '10px', fontSize: '12px' };
const guidanceStyle: CSSProperties = {
  display: 'block',
  background: '#fdf1ef',
  color: '#8c2a1f',
  borderRadius: '6px',
  padding: '8px 10px',
  margin: '8px 0',
  fontSize: '13px',
  lineHeight: 1.5,
};
const headStyle: CSSProperties = { display: 'flex', justifyContent: 'space-between', alignItems: 'center' };

function statusLine(child: ChildView): string | undefined {
  const change = child.statusChange;
  if (!change) return undefined;
  const who = change.byYou ? words.you : labelOf(words.statusBy, change.by, words.statusBy.system);
  const what = labelOf(words.statusChangeKind, change.kind, strings.card.status[child.status] ?? '');
  return words.statusLine(who, what, formatFullTime(change.atMs));
}

/** A message line in Chinese: the child's name, then what happened. */
function messageText(item: ParentMessage, names: ReadonlyMap<string, string>): string {
  const name = item.cardNo ? (names.get(item.cardNo) ?? '') : '';
  if (item.type === 'notice') return item.body ?? item.title ?? '';
  if (item.type === 'card') {
    const who = labelOf(words.statusBy, item.by, '');
    const status = strings.card.status[item.status ?? ''] ?? '';
    return `${name} 校园卡${who ? `由${who}操作，` : ''}状态变为：${status}`;
  }
  // A movement reads as on the child's own 消息 list: money in or out by its kind, the merchant named.
  const line = notificationText({
    type: 'operation',
    id: item.id,
    kind: (item.kind ?? '') as TransactionKind,
    amount: item.amount ?? 0,
    merchantName: item.merchantName ?? null,
    atMs: item.atMs,
  });
  return `${name} ${line.title} ${line.detail}`;
}

function Spending({ child }: { child: ChildView }) {
  const [rows, setRows] = useState<Transaction[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [more, setMore] = useState(0);
  const remote = useRemote(
    () =>
      child.showSpending
        ? listChildSpending(api, child.cardNo, more > 0 ? cursor : undefined)
        : Promise.resolve({ items: [] as Transaction[] }),
    [child.cardNo, child.showSpending, more],
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: appends each page once, when it arrives
  useEffect(() => {
    if (!remote.data) return;
    const page = remote.data;
    setRows((current) => (more > 0 ? [...current, ...page.items] : [...page.items]));
    setCursor(page.next);
  }, [remote.data]);
  if (!child.showSpending)
    return (
      <Text className="form-hint" id="spending-hidden">
        {words.spendingHidden}
      </Text>
    );
  return (
    <StateView loading={remote.loading && rows.length === 0} error={remote.error} onRetry={remote.reload}>
      {rows.length === 0 ? <Text className="form-hint">{words.spendingNone}</Text> : null}
      <View className="list" id="child-spending">
        {rows.map((row) => {
          const amount = signedAmount(row);
          return (
            <View key={row.id} className="row">
              <View className="row-main">
                <Text className="row-title">{transactionTitle(row)}</Text>
                <Text className="row-sub">{formatShortTime(row.createdAtMs)}</Text>
              </View>
              <Text className={amount.incoming ? 'amount-in' : 'amount-out'}>{amount.text}</Text>
            </View>
          );
        })}
      </View>
      {cursor ? (
        <Button className="btn btn-plain" onClick={() => setMore((n) => n + 1)}>
          {words.loadMore}
        </Button>
      ) : null}
    </StateView>
  );
}

export default function ParentsPage() {
  const remote = useRemote(() => listChildren(api), []);
  const messages = useRemote(() => listParentMessages(api), []);
  // Template ids loaded now, so the consent dialog can open straight from the alert's tap.
  useEffect(() => preloadMessageTemplates(api), []);
  const [code, setCode] = useState('');
  const [alert, setAlert] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [active, setActive] = useState(() => taroStorage.get(storageKeys.activeChild));
  const [liveAlert, setLiveAlert] = useState<LowBalance>();
  const linked = remote.data?.children.length ?? 0;

  // The children's movements live: a balance that drops under the alert shows within a second, as a
  // line here and in the messages. The socket is reopened only when the number of children changes.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload is called, not watched
  useEffect(() => {
    if (linked === 0) return;
    let close: (() => void) | undefined;
    let gone = false;
    openLive((live) => {
      if (live.type === 'low_balance') {
        setLiveAlert(live);
        void Taro.showToast({ title: words.lowBalance(formatFen(live.threshold)), icon: 'none' });
      } else remote.reload();
      messages.reload();
    }, childrenLiveTicket).then(
      (closer) => {
        if (gone) closer();
        else close = closer;
      },
      // Without the socket the page still shows the alert on its next load.
      () => undefined,
    );
    return () => {
      gone = true;
      close?.();
    };
  }, [linked]);
  const children = remote.data?.children ?? [];
  const child = children.find((each) => each.cardNo === active) ?? children[0];
  const names = new Map(children.map((each) => [each.cardNo, each.name]));

  async function run<T>(work: () => Promise<T>, done: (result: T) => string) {
    setMessage(undefined);
    try {
      setMessage({ ok: true, text: done(await work()) });
      remote.reload();
      messages.reload();
    } catch (caught) {
      setMessage({ ok: false, text: messageOf(caught) });
    }
  }

  function choose(cardNo: string) {
    taroStorage.set(storageKeys.activeChild, cardNo);
    setActive(cardNo);
  }

  const line = child ? statusLine(child) : undefined;

  return (
    <View className="page page-parents">
      {message ? <Text className={message.ok ? 'form-ok' : 'form-error'}>{message.text}</Text> : null}
      <StateView loading={remote.loading} error={remote.error} onRetry={remote.reload}>
        <Text className="section-title">{words.children}</Text>
        {children.length === 0 ? (
          <Text className="form-hint" id="no-children">
            {words.none}
          </Text>
        ) : null}
        <View className="filters">
          {children.map((each) => (
            <View
              key={each.cardNo}
              className={`filter ${each.cardNo === child?.cardNo ? 'filter-on' : ''}`}
              onClick={() => choose(each.cardNo)}
            >
              <Text>{each.name}</Text>
            </View>
          ))}
        </View>
        {child ? (
          <>
            <View className="section" id="child-card">
              <View style={headStyle}>
                <Text className="row-title">
                  {words.cardStatus} · {child.name}
                </Text>
                <Text
                  id="child-status"
                  style={{ ...badgeBase, ...(badgeStyle[child.status] ?? badgeStyle.cancelled) }}
                >
                  {strings.card.status[child.status] ?? ''}
                </Text>
              </View>
              {line ? (
                <Text className="form-hint" id="child-status-line" style={{ margin: '6px 0 0' }}>
                  {line}
                </Text>
              ) : null}
              {child.status === 'lost' && child.statusChange?.undoUntilMs !== undefined ? (
                <>
                  <Text id="card-guidance" style={guidanceStyle}>
                    {words.undoGuidance(formatShortTime(child.statusChange.undoUntilMs))}
                  </Text>
                  <Button
                    className="btn btn-plain"
                    id="undo-child-lost"
                    onClick={async () => {
                      const answer = await Taro.showModal({
                        title: words.undoLost,
                        content: words.confirmUndoLost(child.name),
                      });
                      if (answer.confirm)
                        await run(
                          () => undoChildLoss(api, child.cardNo),
                          () => words.undone,
                        );
                    }}
                  >
                    {words.undoLost}
                  </Button>
                </>
              ) : child.status === 'lost' ? (
                <Text id="card-guidance" style={guidanceStyle}>
                  {words.lostGuidance}
                </Text>
              ) : child.status === 'frozen' ? (
                <Text id="card-guidance" style={guidanceStyle}>
                  {words.frozenGuidance}
                </Text>
              ) : null}
              <Text className="row-sub" style={{ display: 'block', marginTop: '8px', color: '#5b6b64' }}>
                {words.childBalance}
              </Text>
              {child.balance ? (
                <Text className="big-number" id="child-balance">
                  {formatFen(child.balance.main + child.balance.subsidy)}
                </Text>
              ) : (
                <Text className="form-hint" id="child-balance-hidden">
                  {words.balanceHidden}
                </Text>
              )}
              {liveAlert && liveAlert.cardNo === child.cardNo ? (
                <Text className="form-error" id="low-balance-live">
                  {words.lowBalance(formatFen(liveAlert.threshold))}
                </Text>
              ) : child.lowBalance && child.lowBalanceAlert !== undefined ? (
                <Text className="form-error" id="low-balance">
                  {words.lowBalance(formatFen(child.lowBalanceAlert))}
                </Text>
              ) : null}
              <Button
                className="btn btn-primary"
                id="top-up-child"
                onClick={() =>
                  Taro.navigateTo({
                    url: `/pages/top-up/index?cardNo=${encodeURIComponent(child.cardNo)}&name=${encodeURIComponent(child.name)}`,
                  })
                }
              >
                {words.topUpChild}
              </Button>
              {child.status === 'active' ? (
                <Button
                  className="btn btn-danger"
                  id="report-child-lost"
                  onClick={async () => {
                    const answer = await Taro.showModal({
                      title: words.reportLost,
                      content: words.confirmReportLost(child.name),
                    });
                    if (answer.confirm)
                      await run(
                        () => reportChildLost(api, child.cardNo),
                        () => words.reported,
                      );
                  }}
                >
                  {words.reportLost}
                </Button>
              ) : null}
            </View>

            <View className="section">
              <Text className="section-title">{words.spending}</Text>
              <Spending child={child} />
            </View>

            <View className="section">
              <Text className="section-title">{words.alert}</Text>
              {child.lowBalanceAlert !== undefined ? (
                <Text className="form-hint" id="alert-now">
                  {words.alertNow(formatFen(child.lowBalanceAlert))}
                </Text>
              ) : null}
              <Input
                id="alert-input"
                className="form-input"
                type="digit"
                placeholder={words.alertPlaceholder}
                value={alert}
                onInput={(event) => setAlert(event.detail.value)}
              />
              <Button
                className="btn btn-plain"
                id="save-alert"
                onClick={() => {
                  const fen = parseYuan(alert);
                  if (fen === undefined) setMessage({ ok: false, text: strings.errors.validation });
                  else {
                    // The consent dialog opens from this tap: the alert and the card's changes as messages.
                    void askMessageConsent(api, parentMessageKinds, '/children/message-consents');
                    void run(
                      () => setLowBalanceAlert(api, child.cardNo, fen),
                      () => words.alertSaved,
                    );
                  }
                }}
              >
                {strings.common.save}
              </Button>
            </View>
          </>
        ) : null}
      </StateView>

      {linked > 0 ? (
        <View className="section" id="parent-messages">
          <Text className="section-title">{words.messages}</Text>
          <StateView loading={messages.loading} error={messages.error} onRetry={messages.reload}>
            {(messages.data?.items.length ?? 0) === 0 ? (
              <Text className="form-hint">{words.messagesNone}</Text>
            ) : null}
            <View className="list">
              {(messages.data?.items ?? []).slice(0, 10).map((item) => (
                <View key={`${item.cardNo ?? ''}-${item.id}`} className="row">
                  <View className="row-main">
                    <Text className={item.kind === 'low_balance' ? 'row-title form-error' : 'row-title'}>
                      {messageText(item, names)}
                    </Text>
                    <Text className="row-sub">{formatShortTime(item.atMs)}</Text>
                  </View>
                </View>
              ))}
            </View>
          </StateView>
          <Button
            className="btn btn-plain"
            id="open-parent-settings"
            onClick={() => void Taro.navigateTo({ url: '/pages/parent-settings/index' })}
          >
            {parentSettingsStrings.entry}
          </Button>
        </View>
      ) : null}

      <View className="section">
        <Text className="section-title">{words.linkChild}</Text>
        <Text className="form-hint">{words.linkHint}</Text>
        <Input
          id="invitation-input"
          className="form-input"
          placeholder={words.invitationPlaceholder}
          maxlength={8}
          value={code}
          onInput={(event) => setCode(event.detail.value)}
        />
        <Button
          className="btn btn-primary"
          id="link-child"
          onClick={() => {
            if (code.trim() === '') setMessage({ ok: false, text: words.invitationPlaceholder });
            else
              void run(
                async () => {
                  const linkedChild = await linkChild(api, code);
                  choose(linkedChild.cardNo);
                  setCode('');
                  return linkedChild;
                },
                (linkedChild) => words.linked(linkedChild.name),
              );
          }}
        >
          {words.link}
        </Button>
      </View>
    </View>
  );
}
