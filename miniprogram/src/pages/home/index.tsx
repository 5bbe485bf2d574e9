import { Text, View } from '@tarojs/components';
import Taro, { useDidHide, useDidShow, usePullDownRefresh } from '@tarojs/taro';
import { useCallback, useEffect, useRef, useState } from 'react';
import { CanteenLoadCard } from '../../components/CanteenLoadCard.tsx';
import { OfflineBanner } from '../../components/OfflineBanner.tsx';
import { QrCode } from '../../components/QrCode.tsx';
import { TileIcon } from '../../components/TileIcon.tsx';
import { isOnlineNow } from '../../components/use-online.ts';
import { messageOf } from '../../components/use-remote.ts';
import { groupDigits, secondsUntilRefresh } from '../../lib/countdown.ts';
import { formatFen } from '../../lib/money.ts';
import { api, credentials, openLive, relaunchOnce, taroStorage, tokens } from '../../services/api.ts';
import { listNotifications } from '../../services/campus.ts';
import { getCard } from '../../services/card.ts';
import { unboundLanding } from '../../services/landing.ts';
import { type LiveNews, liveNewsEvent } from '../../services/live.ts';
import { ApiError } from '../../services/request.ts';
import type { CardView } from '../../services/types.ts';
import { loadCard, saveCard } from '../../stores/card.ts';
import { codeRefreshMs, type ShownCode } from '../../stores/credential.ts';
import { strings } from '../../strings.ts';
import { uxStrings } from '../../ux-strings.ts';

/** How long the pay code's digits stay readable after 查看数字 (Alipay and WeChat hide them again). */
const revealMs = 30_000;

/** The first 4 digits and a dot for each other one, grouped by 4 like the shown code. */
function maskDigits(code: string): string {
  return `${code.slice(0, 4)}${code.slice(4).replace(/./g, '•')}`.replace(/(.{4})(?=.)/g, '$1 ');
}

/** Full brightness while the code is on screen, where the platform allows it (not in a browser). */
async function brighten(): Promise<number | undefined> {
  if (process.env.TARO_ENV === 'h5') return undefined;
  try {
    const before = await Taro.getScreenBrightness();
    await Taro.setScreenBrightness({ value: 1 });
    return before.value;
  } catch {
    return undefined;
  }
}

function restoreBrightness(value: number | undefined): void {
  if (process.env.TARO_ENV === 'h5' || value === undefined) return;
  Taro.setScreenBrightness({ value }).catch(() => {});
}

/** Opens a tile's page, or says the network is gone instead of failing silently (its code not loaded). */
async function openTile(url: string): Promise<void> {
  const unavailable = () => Taro.showToast({ title: uxStrings.offline.unavailable, icon: 'none' });
  if (!(await isOnlineNow())) {
    await unavailable();
    return;
  }
  try {
    await Taro.navigateTo({ url });
  } catch {
    await unavailable();
  }
}

const quickActions: { key: keyof typeof strings.home.quick; url: string }[] = [
  { key: 'topUp', url: '/pages/top-up/index' },
  { key: 'fees', url: '/pages/fees/index' },
  { key: 'electricity', url: '/pages/electricity/index' },
  { key: 'network', url: '/pages/network/index' },
  { key: 'bank', url: '/pages/bank/index' },
  { key: 'bills', url: '/pages/bills/index' },
  { key: 'statement', url: '/pages/statement/index' },
  { key: 'cardActions', url: '/pages/card-actions/index' },
  { key: 'showers', url: '/pages/showers/index' },
  { key: 'parents', url: '/pages/parents-mine/index' },
  { key: 'notifications', url: '/pages/notifications/index' },
  { key: 'news', url: '/pages/news/index' },
  { key: 'courses', url: '/pages/courses/index' },
  { key: 'records', url: '/pages/records/index' },
  { key: 'visitors', url: '/pages/visitors/index' },
  { key: 'bus', url: '/pages/bus/index' },
  { key: 'passage', url: '/pages/passage/index' },
  { key: 'absences', url: '/pages/absences/index' },
  { key: 'settings', url: '/pages/settings/index' },
];

/**
 * The code to draw on the page's first render (#19): made from the certificate cached on the phone when
 * the card last seen was active, so the QR shows before any request (the card, a renewal) has come back.
 * The round trip then only replaces it when it changes something (a renewed certificate, a card no
 * longer active hides it).
 */
function codeFromCache(): ShownCode | undefined {
  if (tokens.get() === undefined || loadCard(taroStorage)?.card.status !== 'active') return undefined;
  return credentials.nextCode();
}

export default function HomePage() {
  const [card, setCard] = useState<CardView | undefined>(() => loadCard(taroStorage)?.card);
  const [offline, setOffline] = useState(false);
  const [error, setError] = useState<string>();
  const [code, setCode] = useState<ShownCode | undefined>(codeFromCache);
  const [shownAtMs, setShownAtMs] = useState(() => (code === undefined ? 0 : Date.now()));
  // The first refresh keeps the code drawn from the cache unless its certificate was renewed.
  const keepCachedCode = useRef(code !== undefined);
  const [nowMs, setNowMs] = useState(Date.now());
  const [codeProblem, setCodeProblem] = useState<string>();
  const [latestNews, setLatestNews] = useState<LiveNews>();
  const [revealedUntilMs, setRevealedUntilMs] = useState(0);
  const [unread, setUnread] = useState(0);
  const [brightnessBefore, setBrightnessBefore] = useState<number>();

  const showNextCode = useCallback(() => {
    const next = credentials.nextCode();
    setCode(next);
    setShownAtMs(Date.now());
    setCodeProblem(next === undefined ? strings.card.renewNeeded : undefined);
  }, []);

  const refresh = useCallback(async () => {
    if (tokens.get() === undefined) {
      await relaunchOnce('/pages/login/index');
      return;
    }
    let latest = loadCard(taroStorage)?.card;
    try {
      latest = await getCard(api);
      saveCard(taroStorage, latest);
      setOffline(false);
      setError(undefined);
    } catch (caught) {
      if (caught instanceof ApiError && caught.offline) setOffline(true);
      else if (caught instanceof ApiError && caught.code === 'NOT_BOUND') {
        await relaunchOnce(await unboundLanding(api));
        return;
      } else setError(messageOf(caught));
    }
    setCard(latest);
    // The 消息 tile's badge: a failure leaves the last count (offline, or the list is down).
    listNotifications(api).then(
      (list) => setUnread(list.unread),
      () => {},
    );
    let renewed = false;
    try {
      const result = await credentials.sync(false, latest);
      if (result === 'offline') setOffline(true);
      renewed = result === 'renewed';
    } catch (caught) {
      // A refused renewal (card lost, unbound) leaves the cached certificate; the status below decides.
      setError(messageOf(caught));
    }
    const keep = keepCachedCode.current && !renewed;
    keepCachedCode.current = false;
    if (!keep) showNextCode();
  }, [showNextCode]);

  useDidShow(() => {
    void refresh();
    void brighten().then((before) => {
      if (before !== undefined) setBrightnessBefore((kept) => kept ?? before);
    });
  });
  useDidHide(() => {
    restoreBrightness(brightnessBefore);
    setBrightnessBefore(undefined);
    setRevealedUntilMs(0);
  });
  usePullDownRefresh(() => {
    void refresh().finally(() => Taro.stopPullDownRefresh());
  });

  // Live: a payment at a POS shows here within a second, with the balance after it, and the code on
  // screen is replaced (it has been used). A card change (loss, freeze) reloads everything.
  useEffect(() => {
    // Logged out: refresh() is already on its way to the login page.
    if (tokens.get() === undefined) return;
    let close: (() => void) | undefined;
    let live = true;
    openLive((activity) => {
      if (activity.type === 'low_balance') return;
      if (activity.type === 'news') {
        // A news item for this person was just published: a bar here, and an open news list reloads.
        setLatestNews(activity);
        Taro.eventCenter.trigger(liveNewsEvent, activity);
        return;
      }
      if (activity.type === 'card') {
        void refresh();
        return;
      }
      const balance = activity.balance;
      if (balance !== undefined) {
        setCard((current) => {
          if (current === undefined || current.cardNo !== activity.cardNo) return current;
          const next = {
            ...current,
            balance: { ...current.balance, main: balance.main, subsidy: balance.subsidy },
          };
          saveCard(taroStorage, next);
          return next;
        });
      }
      if (activity.kind === 'payment') {
        showNextCode();
        void Taro.showToast({ title: `-${formatFen(Math.abs(activity.amount))}`, icon: 'none' });
      }
    }).then(
      (closer) => {
        if (live) close = closer;
        else closer();
      },
      () => {
        // No live view (offline, or not bound yet): pull-to-refresh still works.
      },
    );
    return () => {
      live = false;
      close?.();
    };
  }, [refresh, showNextCode]);

  useEffect(() => {
    const timer = setInterval(() => setNowMs(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);

  const secondsLeft = secondsUntilRefresh(shownAtMs, nowMs, codeRefreshMs);
  useEffect(() => {
    if (code !== undefined && secondsLeft === 0) showNextCode();
  }, [code, secondsLeft, showNextCode]);

  const usable = card === undefined || card.status === 'active';
  const revealed = nowMs < revealedUntilMs;

  return (
    <View className="page page-home">
      <OfflineBanner visible={offline} />
      {latestNews ? (
        <View
          className="news-bar"
          id="news-bar"
          onClick={() => {
            setLatestNews(undefined);
            void Taro.navigateTo({ url: '/pages/news/index' });
          }}
        >
          <Text>{strings.news.live(latestNews.title)}</Text>
        </View>
      ) : null}
      {error ? <Text className="form-error">{error}</Text> : null}
      <View className="card-face">
        <View className="card-photo" />
        <View className="card-who">
          <Text className="card-name" id="card-name">
            {card?.name ?? ''}
          </Text>
          <Text className="card-type">{card ? (strings.card.personType[card.personType] ?? '') : ''}</Text>
          <Text className="card-number" id="card-number">
            {card ? `${strings.card.cardNo} ${card.cardNo}` : ''}
          </Text>
        </View>
        <Text className={`card-status card-status-${card?.status ?? 'active'}`} id="card-status">
          {card ? (strings.card.status[card.status] ?? '') : ''}
        </Text>
      </View>

      <View className="code-panel">
        {!usable ? (
          <Text className="code-problem">{strings.card.notUsable}</Text>
        ) : code ? (
          <>
            <QrCode text={code.text} onTap={showNextCode} />
            {code.numeric ? (
              <View className="numeric-code">
                <Text className="numeric-label">{strings.card.numericCode}</Text>
                <Text className="numeric-digits" id="numeric-code">
                  {revealed ? groupDigits(code.numeric) : maskDigits(code.numeric)}
                </Text>
                <View
                  className="link-button"
                  id="numeric-reveal"
                  role="button"
                  onClick={() => setRevealedUntilMs(revealed ? 0 : Date.now() + revealMs)}
                >
                  <Text>{revealed ? uxStrings.code.hide : uxStrings.code.reveal}</Text>
                </View>
              </View>
            ) : null}
            <Text className="code-countdown" id="countdown">
              {strings.card.refreshIn(secondsLeft)}
            </Text>
            <Text className="code-hint">
              {strings.card.tapToRefresh} · {strings.card.brightness}
            </Text>
          </>
        ) : (
          <Text className="code-problem">{codeProblem ?? strings.card.preparing}</Text>
        )}
      </View>

      {card ? (
        <View className="balances">
          <View className="balance-total">
            <Text className="balance-label">{uxStrings.home.totalBalance}</Text>
            <Text className="balance-total-amount" id="balance-total">
              {formatFen(card.balance.main + card.balance.subsidy)}
            </Text>
          </View>
          <View className="balance">
            <Text className="balance-label">{strings.card.balanceMain}</Text>
            <Text className="balance-amount" id="balance-main">
              {formatFen(card.balance.main)}
            </Text>
          </View>
          <View className="balance">
            <Text className="balance-label">{strings.card.balanceSubsidy}</Text>
            <Text className="balance-amount" id="balance-subsidy">
              {formatFen(card.balance.subsidy)}
            </Text>
          </View>
          {card.balance.pending ? (
            <Text className="balance-pending">{strings.card.pending(formatFen(card.balance.pending))}</Text>
          ) : null}
        </View>
      ) : null}

      <View className="quick-actions">
        {quickActions.map((action) => (
          <View
            key={action.key}
            className="quick-action"
            id={`tile-${action.key}`}
            role="button"
            onClick={() => void openTile(action.url)}
          >
            <View className="tile-icon-box">
              <TileIcon name={action.key} />
              {action.key === 'notifications' && unread > 0 ? (
                <Text className="badge" id="unread-badge">
                  {unread > 99 ? '99+' : String(unread)}
                </Text>
              ) : null}
            </View>
            <Text className="tile-label">{strings.home.quick[action.key]}</Text>
          </View>
        ))}
      </View>
      <CanteenLoadCard />
    </View>
  );
}
