import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { StateView } from '../../components/StateView.tsx';
import { messageOf, useRemote } from '../../components/use-remote.ts';
import { formatFen, parseYuan } from '../../lib/money.ts';
import { api, openLive, taroStorage } from '../../services/api.ts';
import {
  createParentInvitation,
  linkChild,
  listChildren,
  reportChildLost,
  setLowBalanceAlert,
} from '../../services/campus.ts';
import { childrenLiveTicket, type LowBalance } from '../../services/live.ts';
import { storageKeys } from '../../stores/storage.ts';
import { strings } from '../../strings.ts';

export default function ParentsPage() {
  const remote = useRemote(() => listChildren(api), []);
  const [code, setCode] = useState('');
  const [alert, setAlert] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [active, setActive] = useState(() => taroStorage.get(storageKeys.activeChild));
  const [invitation, setInvitation] = useState<string>();
  const [liveAlert, setLiveAlert] = useState<LowBalance>();
  const linked = remote.data?.children.length ?? 0;

  // The children's movements live: a balance that drops under the alert shows within a second. The
  // socket is reopened only when the number of linked children changes, not on every reload.
  // biome-ignore lint/correctness/useExhaustiveDependencies: remote.reload is called, not watched
  useEffect(() => {
    if (linked === 0) return;
    let close: (() => void) | undefined;
    let gone = false;
    openLive((message) => {
      if (message.type === 'low_balance') setLiveAlert(message);
      else remote.reload();
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

  async function run(work: () => Promise<unknown>) {
    setMessage(undefined);
    try {
      await work();
      setMessage({ ok: true, text: strings.cardActions.done });
      remote.reload();
    } catch (caught) {
      setMessage({ ok: false, text: messageOf(caught) });
    }
  }

  function choose(cardNo: string) {
    taroStorage.set(storageKeys.activeChild, cardNo);
    setActive(cardNo);
  }

  return (
    <View className="page page-parents">
      {message ? <Text className={message.ok ? 'form-ok' : 'form-error'}>{message.text}</Text> : null}
      <StateView loading={remote.loading} error={remote.error} onRetry={remote.reload}>
        <Text className="section-title">{strings.parents.children}</Text>
        {children.length === 0 ? <Text className="form-hint">{strings.parents.none}</Text> : null}
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
          <View className="section">
            <Text className="row-sub">{strings.parents.childBalance}</Text>
            <Text className="big-number" id="child-balance">
              {child.balance ? formatFen(child.balance.main + child.balance.subsidy) : '—'}
            </Text>
            {liveAlert && liveAlert.cardNo === child.cardNo ? (
              <Text className="form-error" id="low-balance-live">
                {strings.parents.lowBalance(formatFen(liveAlert.threshold))}
              </Text>
            ) : child.lowBalance && child.lowBalanceAlert !== undefined ? (
              <Text className="form-error" id="low-balance">
                {strings.parents.lowBalance(formatFen(child.lowBalanceAlert))}
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
              {strings.parents.topUpChild}
            </Button>
            <Text className="form-label">{strings.parents.alert}</Text>
            <Input
              id="alert-input"
              className="form-input"
              type="digit"
              placeholder={
                child.lowBalanceAlert !== undefined
                  ? formatFen(child.lowBalanceAlert)
                  : strings.parents.alertPlaceholder
              }
              value={alert}
              onInput={(event) => setAlert(event.detail.value)}
            />
            <Button
              className="btn btn-plain"
              id="save-alert"
              onClick={() => {
                const fen = parseYuan(alert);
                if (fen === undefined) setMessage({ ok: false, text: strings.errors.validation });
                else void run(() => setLowBalanceAlert(api, child.cardNo, fen));
              }}
            >
              {strings.common.save}
            </Button>
            <Button
              className="btn btn-danger"
              onClick={async () => {
                const answer = await Taro.showModal({ content: strings.cardActions.confirmReportLoss });
                if (answer.confirm) await run(() => reportChildLost(api, child.cardNo));
              }}
            >
              {strings.parents.reportLost}
            </Button>
          </View>
        ) : null}
      </StateView>
      <View className="section">
        <Text className="section-title">{strings.parents.inviteParent}</Text>
        <Text className="form-hint">{strings.parents.inviteHint}</Text>
        {invitation ? (
          <Text className="big-number" id="invitation-code">
            {invitation}
          </Text>
        ) : null}
        <Button
          className="btn btn-plain"
          id="make-invitation"
          onClick={() =>
            void createParentInvitation(api).then(
              (answer) => setInvitation(answer.invitationCode),
              (caught: unknown) => setMessage({ ok: false, text: messageOf(caught) }),
            )
          }
        >
          {strings.parents.makeInvitation}
        </Button>
      </View>
      <View className="section">
        <Text className="section-title">{strings.parents.linkChild}</Text>
        <Input
          id="invitation-input"
          className="form-input"
          placeholder={strings.parents.invitationPlaceholder}
          value={code}
          onInput={(event) => setCode(event.detail.value)}
        />
        <Button
          className="btn btn-plain"
          id="link-child"
          disabled={code.trim() === ''}
          onClick={() => void run(() => linkChild(api, code))}
        >
          {strings.parents.link}
        </Button>
      </View>
    </View>
  );
}
