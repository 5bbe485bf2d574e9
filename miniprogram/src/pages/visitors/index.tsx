// The host's page: invite a visitor (name, phone, ID-number tail, purpose, the day and hours, the places
// the security office offers) and share the link; the list of my invitations with their state, link and
// a cancel. The visitor opens the link with no account (pages/visitor-pass).
import { formatMinute, shanghaiDateTimeMs, shanghaiToday } from '@campus-card/core/time';
import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { StateView } from '../../components/StateView.tsx';
import { messageOf, useRemote } from '../../components/use-remote.ts';
import { api } from '../../services/api.ts';
import {
  cancelVisit,
  type Invitation,
  inviteVisitor,
  myVisits,
  visitorPassPath,
  visitorPlaces,
} from '../../services/visitors.ts';
import { visitorStrings as words } from '../../visitor-strings.ts';

/** The link a visitor opens: the H5 build's address of the pass page. */
function shareLink(token: string): string {
  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  return `${origin}/#${visitorPassPath(token)}`;
}

function newRequestId(): string {
  return `v${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}

/** The form's fields, checked here so a refusal never needs a round trip; the BFF checks them again. */
export function invitationOf(
  form: Record<string, string>,
  places: string[],
  requestId: string,
): Invitation | string {
  const name = (form.name ?? '').trim();
  if (!name || name.length > 32) return words.invalid.name;
  if (!/^1\d{10}$/.test(form.phone ?? '')) return words.invalid.phone;
  const tail = (form.idTail ?? '').toUpperCase();
  if (!/^[0-9]{3}[0-9X]$/.test(tail)) return words.invalid.idTail;
  const purpose = (form.purpose ?? '').trim();
  if (!purpose || purpose.length > 100) return words.invalid.purpose;
  const fromMs = shanghaiDateTimeMs(`${form.day} ${form.from}`);
  const untilMs = shanghaiDateTimeMs(`${form.day} ${form.until}`);
  if (fromMs === undefined || untilMs === undefined) return words.invalid.time;
  if (untilMs <= fromMs) return words.invalid.order;
  if (places.length === 0) return words.invalid.places;
  return {
    requestId,
    visitorName: name,
    visitorPhone: form.phone ?? '',
    idTail: tail,
    purpose,
    validFromMs: fromMs,
    validUntilMs: untilMs,
    places,
  };
}

export default function VisitorsPage() {
  const places = useRemote(() => visitorPlaces(api), []);
  const visits = useRemote(() => myVisits(api), []);
  const [form, setForm] = useState<Record<string, string>>({
    day: shanghaiToday(),
    from: '09:00',
    until: '18:00',
  });
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [link, setLink] = useState<string>();
  // One retry key per intent: a double tap or a retried request makes one invitation.
  const [requestId, setRequestId] = useState(newRequestId);

  const field = (
    key: string,
    label: string,
    extra: { maxlength?: number; type?: 'number' | 'text' } = {},
  ) => (
    <View className="form-field">
      <Text className="form-label">{label}</Text>
      <Input
        id={`visitor-${key}`}
        className="form-input"
        aria-label={label}
        value={form[key] ?? ''}
        {...extra}
        onInput={(event) => setForm((f) => ({ ...f, [key]: event.detail.value }))}
      />
    </View>
  );

  async function onInvite() {
    const invitation = invitationOf(form, chosen, requestId);
    if (typeof invitation === 'string') {
      setError(invitation);
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      const { linkToken } = await inviteVisitor(api, invitation);
      setLink(shareLink(linkToken));
      setRequestId(newRequestId());
      visits.reload();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  async function onCancel(id: string, name: string) {
    const { confirm } = await Taro.showModal({ title: words.cancel, content: words.cancelConfirm(name) });
    if (!confirm) return;
    try {
      await cancelVisit(api, id);
      await Taro.showToast({ title: words.cancelled, icon: 'none' });
      visits.reload();
    } catch (e) {
      setError(messageOf(e));
    }
  }

  const offered = places.data?.items ?? [];
  const items = visits.data?.items ?? [];
  return (
    <View className="page page-visitors">
      <Text className="form-hint">{words.idTailHint}</Text>
      {field('name', words.visitorName)}
      {field('phone', words.visitorPhone, { maxlength: 11, type: 'number' })}
      {field('idTail', words.idTail, { maxlength: 4 })}
      {field('purpose', words.purpose)}
      {field('day', words.day)}
      {field('from', words.from)}
      {field('until', words.until)}
      <View className="form-field">
        <Text className="form-label">{words.places}</Text>
        {offered.length === 0 && !places.loading ? <Text className="form-hint">{words.noPlaces}</Text> : null}
        {offered.map((place) => {
          const on = chosen.includes(place.id);
          return (
            <Button
              key={place.id}
              className={on ? 'btn btn-primary' : 'btn btn-plain'}
              id={`place-${place.id.replace(/[^A-Za-z0-9_-]/g, '-')}`}
              onClick={() => setChosen((c) => (on ? c.filter((p) => p !== place.id) : [...c, place.id]))}
            >
              {on ? `✓ ${place.name}` : place.name}
            </Button>
          );
        })}
      </View>
      {error ? <Text className="form-error">{error}</Text> : null}
      <Button className="btn btn-primary" id="invite" disabled={busy} onClick={onInvite}>
        {busy ? words.inviting : words.invite}
      </Button>
      {link ? (
        <View className="form-field">
          <Text className="form-hint">{words.share}</Text>
          <Text className="row-sub" id="visitor-link" userSelect>
            {link}
          </Text>
          <Button
            className="btn btn-plain"
            onClick={() => Taro.setClipboardData({ data: link }).then(() => undefined)}
          >
            {words.copy}
          </Button>
        </View>
      ) : null}
      <Text className="form-label">{words.mine}</Text>
      <StateView
        loading={visits.loading}
        error={visits.error}
        empty={items.length === 0}
        onRetry={visits.reload}
      >
        <View className="list">
          {items.map((v) => (
            <View key={v.id} className="row visit-row">
              <View className="row-main">
                <Text className="row-title">{v.visitorName}</Text>
                <Text className="row-sub">
                  {words.window(formatMinute(v.validFromMs), formatMinute(v.validUntilMs))}
                </Text>
                <Text className="row-sub">
                  {v.onCampus ? words.onCampus : (words.status[v.status] ?? '')}
                </Text>
              </View>
              {v.status === 'approved' || v.status === 'pending' ? (
                <Button className="btn btn-plain" onClick={() => onCancel(v.id, v.visitorName)}>
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
