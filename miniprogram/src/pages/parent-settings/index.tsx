// The parent's own 消息设置 (docs/messages.md § Parents): which messages about their children reach them
// outside the app, their quiet hours, and the low-balance alert of each child. Kinds and quiet hours are
// kept by the core under the parent's recipient id as a student's are; each child's alert is the one the
// parents page sets (PUT /children/:cardNo/alert). Saving asks the one-time consent for the kinds left on.
import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { KindToggles } from '../../components/KindToggles.tsx';
import { QuietHours } from '../../components/QuietHours.tsx';
import { StateView } from '../../components/StateView.tsx';
import { messageOf, useRemote } from '../../components/use-remote.ts';
import { formatFen, parseYuan } from '../../lib/money.ts';
import { api } from '../../services/api.ts';
import {
  askMessageConsent,
  type MessageKind,
  type ParentPreferences,
  parentMessagePreferences,
  preloadMessageTemplates,
  saveParentMessagePreferences,
} from '../../services/messages.ts';
import { type ChildView, listChildren, setLowBalanceAlert } from '../../services/parents.ts';
import { parentSettingsStrings as words } from './strings.ts';

/** What a parent is sent about their children, in the order the page lists them. */
const parentKinds: readonly MessageKind[] = ['low_balance', 'card_status', 'spending_alert', 'receipt'];

const load = async () => {
  const [prefs, { children }] = await Promise.all([parentMessagePreferences(api), listChildren(api)]);
  return { prefs, children };
};

const alertTextOf = (child: ChildView) =>
  child.lowBalanceAlert === undefined ? '' : formatFen(child.lowBalanceAlert).slice(1);

export default function ParentSettingsPage() {
  const remote = useRemote(load, []);
  useEffect(() => preloadMessageTemplates(api), []);
  const [prefs, setPrefs] = useState<ParentPreferences>();
  const [alerts, setAlerts] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();

  useEffect(() => {
    if (!remote.data) return;
    setPrefs(remote.data.prefs);
    setAlerts(Object.fromEntries(remote.data.children.map((c) => [c.cardNo, alertTextOf(c)])));
  }, [remote.data]);

  if (!prefs || !remote.data)
    return <StateView loading={remote.loading} error={remote.error} onRetry={remote.reload} />;
  const { children } = remote.data;

  const isOn = (kind: MessageKind) => !prefs.optedOut.includes(kind);
  const toggle = (kind: MessageKind, on: boolean) =>
    setPrefs({
      ...prefs,
      optedOut: on ? prefs.optedOut.filter((k) => k !== kind) : [...prefs.optedOut, kind],
    });

  async function onSave() {
    if (!prefs || !remote.data) return;
    // Every amount is checked before anything is saved: a bad one is refused, never corrected.
    const changed: { cardNo: string; fen: number | null }[] = [];
    for (const child of remote.data.children) {
      const text = (alerts[child.cardNo] ?? '').trim();
      const fen = text === '' ? null : parseYuan(text);
      if (fen === undefined) {
        setError(words.alertInvalid(child.name));
        return;
      }
      if (fen !== (child.lowBalanceAlert ?? null)) changed.push({ cardNo: child.cardNo, fen });
    }
    setError(undefined);
    try {
      // The consent dialog must open from this tap, before anything else is awaited.
      const consent = askMessageConsent(
        api,
        parentKinds.filter((k) => isOn(k)),
        '/children/message-consents',
      );
      const saved = await saveParentMessagePreferences(api, prefs);
      for (const { cardNo, fen } of changed) await setLowBalanceAlert(api, cardNo, fen);
      setPrefs(saved);
      await consent;
      await Taro.showToast({ title: words.saved, icon: 'success' });
      remote.reload();
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  return (
    <View className="page page-parent-settings">
      <Text className="text-block">{words.intro}</Text>
      {error ? (
        <Text className="form-error" id="parent-settings-error">
          {error}
        </Text>
      ) : null}
      <KindToggles
        idPrefix="parent"
        kinds={parentKinds}
        names={words.kinds}
        hint={words.kindsHint}
        isOn={isOn}
        onChange={toggle}
      />
      <View className="section">
        <Text className="section-title">{words.alerts}</Text>
        {children.length === 0 ? <Text className="form-hint">{words.noChildren}</Text> : null}
        {children.map((child) => (
          <View key={child.cardNo} className="child-alert">
            <Text className="row-main">{words.alertFor(child.name)}</Text>
            <Input
              id={`child-alert-${child.cardNo}`}
              className="form-input"
              type="digit"
              placeholder={words.alertPlaceholder}
              value={alerts[child.cardNo] ?? ''}
              onInput={(e) => setAlerts({ ...alerts, [child.cardNo]: e.detail.value })}
            />
            {child.showBalance ? null : <Text className="form-hint">{words.alertHidden}</Text>}
          </View>
        ))}
      </View>
      <QuietHours idPrefix="parent" value={prefs} onChange={(quiet) => setPrefs({ ...prefs, ...quiet })} />
      {process.env.TARO_ENV === 'h5' ? null : <Text className="form-hint">{words.consentHint}</Text>}
      <Button className="btn btn-primary" id="parent-settings-save" onClick={() => void onSave()}>
        {words.save}
      </Button>
    </View>
  );
}
