// 请假 (#17): report an absence (kind, from–to on the Shanghai clock, reason, off campus or not) to the
// counsellor of one's department, follow its state and cancel it while it waits.
import type { AbsenceKind } from '@campus-card/core/contract';
import { absenceReasonCharsMax } from '@campus-card/core/contract/limits';
import { addDays, formatMinute, shanghaiToday } from '@campus-card/core/time';
import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { absenceStrings as words } from '../../absence-strings.ts';
import { StateView } from '../../components/StateView.tsx';
import { messageOf, useRemote } from '../../components/use-remote.ts';
import { absenceReportOf } from '../../lib/absences.ts';
import { cancelAbsence, myAbsences, reportAbsence } from '../../services/absences.ts';
import { api } from '../../services/api.ts';

/** The kinds in the order the strings give them (every kind has its word: absence-strings.ts). */
const absenceKinds = Object.keys(words.kinds) as AbsenceKind[];

function newRequestId(): string {
  return `a${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}

export default function AbsencesPage() {
  const absences = useRemote(() => myAbsences(api), []);
  const [form, setForm] = useState<Record<string, string>>(() => ({
    fromDay: shanghaiToday(),
    fromTime: '08:00',
    toDay: addDays(shanghaiToday(), 1),
    toTime: '18:00',
  }));
  const [kind, setKind] = useState<AbsenceKind>('personal');
  const [offCampus, setOffCampus] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  // One retry key per intent: a double tap or a retried request makes one report.
  const [requestId, setRequestId] = useState(newRequestId);

  const field = (key: string, label: string, maxlength?: number) => (
    <View className="form-field">
      <Text className="form-label">{label}</Text>
      <Input
        id={`absence-${key}`}
        className="form-input"
        aria-label={label}
        value={form[key] ?? ''}
        {...(maxlength ? { maxlength } : {})}
        onInput={(event) => setForm((f) => ({ ...f, [key]: event.detail.value }))}
      />
    </View>
  );

  async function onSubmit() {
    const report = absenceReportOf(form, kind, offCampus, requestId);
    if (typeof report === 'string') {
      setError(report);
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      await reportAbsence(api, report);
      setRequestId(newRequestId());
      setForm((f) => ({ ...f, reason: '' }));
      await Taro.showToast({ title: words.submitted, icon: 'none' });
      absences.reload();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  async function onCancel(id: string) {
    const { confirm } = await Taro.showModal({ title: words.cancel, content: words.cancelConfirm });
    if (!confirm) return;
    try {
      await cancelAbsence(api, id);
      await Taro.showToast({ title: words.cancelled, icon: 'none' });
      absences.reload();
    } catch (e) {
      setError(messageOf(e));
    }
  }

  const items = absences.data?.items ?? [];
  return (
    <View className="page page-absences">
      <Text className="form-hint">{words.intro}</Text>
      <View className="form-field">
        <Text className="form-label">{words.kind}</Text>
        {absenceKinds.map((k) => (
          <Button
            key={k}
            id={`absence-kind-${k}`}
            className={k === kind ? 'btn btn-primary' : 'btn btn-plain'}
            onClick={() => setKind(k)}
          >
            {k === kind ? `✓ ${words.kinds[k]}` : words.kinds[k]}
          </Button>
        ))}
      </View>
      {field('fromDay', words.fromDay, 10)}
      {field('fromTime', words.fromTime, 5)}
      {field('toDay', words.toDay, 10)}
      {field('toTime', words.toTime, 5)}
      {field('reason', words.reason, absenceReasonCharsMax)}
      <View className="form-field">
        <Button
          id="absence-off-campus"
          className={offCampus ? 'btn btn-primary' : 'btn btn-plain'}
          onClick={() => setOffCampus((v) => !v)}
        >
          {offCampus ? words.offCampusOn : words.offCampus}
        </Button>
        <Text className="form-hint">{words.offCampusHint}</Text>
      </View>
      {error ? <Text className="form-error">{error}</Text> : null}
      <Button className="btn btn-primary" id="absence-submit" disabled={busy} onClick={onSubmit}>
        {busy ? words.submitting : words.submit}
      </Button>
      <Text className="form-label">{words.mine}</Text>
      <StateView
        loading={absences.loading}
        error={absences.error}
        empty={items.length === 0}
        onRetry={absences.reload}
      >
        <View className="list">
          {items.map((a) => (
            <View key={a.id} className="row absence-row">
              <View className="row-main">
                <Text className="row-title">
                  {words.kinds[a.kind]} · {words.statuses[a.status]}
                </Text>
                <Text className="row-sub">{words.span(formatMinute(a.fromMs), formatMinute(a.toMs))}</Text>
                <Text className="row-sub">{a.reason}</Text>
                {a.decisionNote ? <Text className="row-sub">{words.decision(a.decisionNote)}</Text> : null}
              </View>
              {a.status === 'pending' ? (
                <Button className="btn btn-plain" onClick={() => onCancel(a.id)}>
                  {words.cancel}
                </Button>
              ) : null}
            </View>
          ))}
        </View>
      </StateView>
    </View>
  );
}
