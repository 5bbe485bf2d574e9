import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { KindToggles } from '../../components/KindToggles.tsx';
import { QuietHours } from '../../components/QuietHours.tsx';
import { StateView } from '../../components/StateView.tsx';
import { messageOf, useRemote } from '../../components/use-remote.ts';
import { formatFen, parseYuan } from '../../lib/money.ts';
import { messageStrings as words } from '../../message-strings.ts';
import { api } from '../../services/api.ts';
import {
  askMessageConsent,
  type MessageKind,
  type MessagePreferences,
  messageKindList,
  messagePreferences,
  preloadMessageTemplates,
  saveMessagePreferences,
} from '../../services/messages.ts';

/**
 * 消息设置: each kind on or off (receipts are opt-in), the student's own low-balance alert, quiet hours.
 * Saving asks the one-time consent for the kinds left on (WeChat and Alipay; none in a browser).
 */
export default function MessageSettingsPage() {
  const remote = useRemote(() => messagePreferences(api), []);
  useEffect(() => preloadMessageTemplates(api), []);
  const [prefs, setPrefs] = useState<MessagePreferences>();
  const [alertText, setAlertText] = useState('');
  const [error, setError] = useState<string>();

  useEffect(() => {
    if (!remote.data) return;
    setPrefs(remote.data);
    setAlertText(remote.data.lowBalanceFen === null ? '' : formatFen(remote.data.lowBalanceFen).slice(1));
  }, [remote.data]);

  if (!prefs) return <StateView loading={remote.loading} error={remote.error} onRetry={remote.reload} />;

  const isOn = (kind: MessageKind) => (kind === 'receipt' ? prefs.receipts : !prefs.optedOut.includes(kind));
  const toggle = (kind: MessageKind, on: boolean) =>
    setPrefs(
      kind === 'receipt'
        ? { ...prefs, receipts: on }
        : {
            ...prefs,
            optedOut: on ? prefs.optedOut.filter((k) => k !== kind) : [...prefs.optedOut, kind],
          },
    );

  async function onSave() {
    if (!prefs) return;
    let lowBalanceFen: number | null = null;
    if (alertText.trim() !== '') {
      const fen = parseYuan(alertText);
      // Refused, never corrected.
      if (fen === undefined) {
        setError(words.lowBalanceInvalid);
        return;
      }
      lowBalanceFen = fen;
    }
    setError(undefined);
    try {
      // The consent dialog must open from this tap, before anything else is awaited.
      // The alert of unusual spending on the card cannot be turned off, so it is asked first.
      const consent = askMessageConsent(api, ['theft_alert', ...messageKindList.filter((k) => isOn(k))]);
      const saved = await saveMessagePreferences(api, { ...prefs, lowBalanceFen });
      setPrefs(saved);
      await consent;
      await Taro.showToast({ title: words.saved, icon: 'success' });
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  return (
    <View className="page page-message-settings">
      <Text className="text-block">{words.intro}</Text>
      {error ? (
        <Text className="form-error" id="message-settings-error">
          {error}
        </Text>
      ) : null}
      <KindToggles
        idPrefix="message"
        kinds={messageKindList}
        names={words.kinds}
        hint={words.receiptsHint}
        isOn={isOn}
        onChange={toggle}
      />
      <View className="section">
        <Text className="section-title">{words.lowBalance}</Text>
        <Input
          id="message-low-balance"
          type="digit"
          placeholder={words.lowBalancePlaceholder}
          value={alertText}
          onInput={(e) => setAlertText(e.detail.value)}
        />
      </View>
      <QuietHours idPrefix="message" value={prefs} onChange={(quiet) => setPrefs({ ...prefs, ...quiet })} />
      {process.env.TARO_ENV === 'h5' ? null : <Text className="form-hint">{words.consentHint}</Text>}
      <Button className="btn btn-primary" id="message-save" onClick={() => void onSave()}>
        {words.save}
      </Button>
    </View>
  );
}
