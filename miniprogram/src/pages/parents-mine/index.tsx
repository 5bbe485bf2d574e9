// The student's 我的家长: the parents linked to this card, what each may see, removing one, and the
// one-time invitation code (copy, and how long it stays good). The parent's own page is pages/parents.
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { StateView } from '../../components/StateView.tsx';
import { Toggle } from '../../components/Toggle.tsx';
import { messageOf, useRemote } from '../../components/use-remote.ts';
import { formatFullTime } from '../../lib/month.ts';
import { api } from '../../services/api.ts';
import {
  createParentInvitation,
  invitationTimeLeft,
  listMyParents,
  removeParent,
  setParentVisibility,
} from '../../services/parents.ts';
import { strings } from '../../strings.ts';

const words = strings.parents;

export default function MyParentsPage() {
  const remote = useRemote(() => listMyParents(api), []);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [invitation, setInvitation] = useState<{ code: string; expiresAtMs: number }>();
  const [nowMs, setNowMs] = useState(Date.now());

  useEffect(() => {
    if (!invitation) return;
    const timer = setInterval(() => setNowMs(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [invitation]);

  async function run(work: () => Promise<unknown>, done: string) {
    setMessage(undefined);
    try {
      await work();
      setMessage({ ok: true, text: done });
      remote.reload();
    } catch (caught) {
      setMessage({ ok: false, text: messageOf(caught) });
    }
  }

  const parents = remote.data?.parents ?? [];
  const expired = invitation !== undefined && nowMs >= invitation.expiresAtMs;

  return (
    <View className="page page-parents-mine">
      {message ? <Text className={message.ok ? 'form-ok' : 'form-error'}>{message.text}</Text> : null}
      <Text className="section-title">{words.mine}</Text>
      <StateView loading={remote.loading} error={remote.error} onRetry={remote.reload}>
        {parents.length === 0 ? (
          <Text className="form-hint" id="no-parents">
            {words.mineNone}
          </Text>
        ) : (
          <View className="list" id="my-parents">
            {parents.map((parent, index) => {
              const label = words.parentN(index + 1);
              return (
                <View key={parent.id} className="section linked-parent" style={{ marginBottom: '8px' }}>
                  <View style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
                    <View className="row-main">
                      <Text className="row-title">{label}</Text>
                      <Text className="form-hint" style={{ marginBottom: 0 }}>
                        {words.linkedAt(formatFullTime(parent.linkedAtMs))}
                      </Text>
                    </View>
                    <Button
                      className="btn btn-danger btn-small remove-parent"
                      onClick={async () => {
                        const answer = await Taro.showModal({
                          title: words.remove,
                          content: words.confirmRemove(label),
                        });
                        if (answer.confirm) await run(() => removeParent(api, parent.id), words.removed);
                      }}
                    >
                      {words.remove}
                    </Button>
                  </View>
                  <View
                    style={{
                      display: 'flex',
                      justifyContent: 'space-between',
                      alignItems: 'center',
                      marginTop: '6px',
                    }}
                  >
                    <Text>{words.showBalance}</Text>
                    <Toggle
                      className="show-balance"
                      label={words.showBalance}
                      on={parent.showBalance}
                      onChange={(on) =>
                        void run(
                          () => setParentVisibility(api, parent.id, { showBalance: on }),
                          strings.common.save,
                        )
                      }
                    />
                  </View>
                  <View
                    style={{
                      display: 'flex',
                      justifyContent: 'space-between',
                      alignItems: 'center',
                      marginTop: '6px',
                    }}
                  >
                    <Text>{words.showSpending}</Text>
                    <Toggle
                      className="show-spending"
                      label={words.showSpending}
                      on={parent.showSpending}
                      onChange={(on) =>
                        void run(
                          () => setParentVisibility(api, parent.id, { showSpending: on }),
                          strings.common.save,
                        )
                      }
                    />
                  </View>
                </View>
              );
            })}
          </View>
        )}
      </StateView>

      <View className="section">
        <Text className="section-title">{words.inviteParent}</Text>
        <Text className="form-hint">{words.inviteHint}</Text>
        {invitation ? (
          <View id="invitation">
            <Text
              className="big-number"
              id="invitation-code"
              style={
                expired ? { color: '#5b6b64', textDecoration: 'line-through' } : { letterSpacing: '2px' }
              }
            >
              {invitation.code}
            </Text>
            <Text className={expired ? 'form-error' : 'form-hint'} id="invitation-countdown">
              {expired ? words.expired : words.expiresIn(invitationTimeLeft(invitation.expiresAtMs, nowMs))}
            </Text>
            {expired ? null : (
              <Button
                className="btn btn-plain"
                id="copy-invitation"
                onClick={() =>
                  void Taro.setClipboardData({ data: invitation.code }).then(
                    () => setMessage({ ok: true, text: words.copied }),
                    () => undefined,
                  )
                }
              >
                {words.copy}
              </Button>
            )}
          </View>
        ) : null}
        <Button
          className="btn btn-primary"
          id="make-invitation"
          onClick={() =>
            void createParentInvitation(api).then(
              (answer) => {
                const madeAtMs = Date.now();
                setNowMs(madeAtMs);
                setInvitation({ code: answer.invitationCode, expiresAtMs: madeAtMs + answer.expiresInMs });
              },
              (caught: unknown) => setMessage({ ok: false, text: messageOf(caught) }),
            )
          }
        >
          {words.makeInvitation}
        </Button>
      </View>
    </View>
  );
}
