import { Text, View } from '@tarojs/components';
import { useEffect } from 'react';
import { StateView } from '../../components/StateView.tsx';
import { useRemote } from '../../components/use-remote.ts';
import { labelOf, meterKindLabels, meterStatusLabels } from '../../labels.ts';
import { formatFen } from '../../lib/money.ts';
import { formatShortTime } from '../../lib/month.ts';
import { api, openLive } from '../../services/api.ts';
import { listMeterSessions } from '../../services/campus.ts';
import type { MeterSession } from '../../services/types.ts';
import { strings } from '../../strings.ts';

/** Operations that start, settle or release a meter's hold. */
const meterKinds: ReadonlySet<string> = new Set(['hold', 'post', 'void', 'expire']);
/** How often a running session's usage is read again: meters report every few seconds. */
const runningRefreshMs = 5_000;

function SessionCard({ session }: { readonly session: MeterSession }) {
  return (
    <View className="section">
      <Text className="section-title">
        {`${session.kind === 'shower' ? '🚿' : '🧺'} ${session.deviceName ?? labelOf(meterKindLabels, session.kind)} ${labelOf(meterStatusLabels, session.status)}`}
      </Text>
      <View className="kv">
        <Text className="kv-key">{strings.showers.held}</Text>
        <Text>{formatFen(session.heldAmount)}</Text>
      </View>
      <View className="kv">
        <Text className="kv-key">{strings.showers.used}</Text>
        <Text>{formatFen(session.postedAmount ?? session.usageAmount)}</Text>
      </View>
      {session.unitPrice !== undefined ? (
        <View className="kv">
          <Text className="kv-key">{strings.showers.price}</Text>
          <Text>{`${formatFen(session.unitPrice)}/${session.unit ?? ''}`}</Text>
        </View>
      ) : null}
      <Text className="row-sub">{formatShortTime(session.startedAtMs)}</Text>
    </View>
  );
}

export default function ShowersPage() {
  const remote = useRemote(() => listMeterSessions(api), []);
  const sessions = remote.data?.items ?? [];
  const running = sessions.filter((session) => session.status === 'running');
  const history = sessions.filter((session) => session.status !== 'running');

  // A session starting, settling or being released shows at once (the live socket) …
  // biome-ignore lint/correctness/useExhaustiveDependencies: remote.reload is called, not watched
  useEffect(() => {
    let close: (() => void) | undefined;
    let gone = false;
    openLive((message) => {
      if (message.type === 'operation' && meterKinds.has(message.kind)) remote.reload();
    }).then(
      (closer) => {
        if (gone) closer();
        else close = closer;
      },
      () => undefined,
    );
    return () => {
      gone = true;
      close?.();
    };
  }, []);
  // … and while one runs, the usage the meter has reported so far is read again every few seconds.
  // biome-ignore lint/correctness/useExhaustiveDependencies: remote.reload is called, not watched
  useEffect(() => {
    if (running.length === 0) return;
    const timer = setInterval(remote.reload, runningRefreshMs);
    return () => clearInterval(timer);
  }, [running.length]);
  return (
    <View className="page page-showers">
      <Text className="form-hint">{strings.showers.whyHold}</Text>
      <StateView
        loading={remote.loading && remote.data === undefined}
        error={remote.error}
        onRetry={remote.reload}
      >
        {running.length === 0 ? <Text className="form-hint">{strings.showers.none}</Text> : null}
        {running.map((session) => (
          <SessionCard key={session.id} session={session} />
        ))}
        <Text className="section-title">{strings.showers.history}</Text>
        <StateView loading={false} empty={history.length === 0}>
          {history.map((session) => (
            <SessionCard key={session.id} session={session} />
          ))}
        </StateView>
      </StateView>
    </View>
  );
}
