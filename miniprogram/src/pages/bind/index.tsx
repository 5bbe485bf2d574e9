import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { messageOf } from '../../components/use-remote.ts';
import { api, credentials } from '../../services/api.ts';
import { bind, proofOf } from '../../services/binding.ts';
import { ApiError } from '../../services/request.ts';
import { strings } from '../../strings.ts';
import { uxStrings } from '../../ux-strings.ts';

/** The attempts left that the BFF sends with a wrong answer (IDENTITY_MISMATCH details.attemptsLeft). */
function attemptsLeftOf(caught: unknown): number | undefined {
  if (!(caught instanceof ApiError)) return undefined;
  const left = (caught.details as { attemptsLeft?: unknown } | undefined)?.attemptsLeft;
  return typeof left === 'number' ? left : undefined;
}

export default function BindPage() {
  const [personNo, setPersonNo] = useState('');
  const [name, setName] = useState('');
  const [activationCode, setActivationCode] = useState('');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [attemptsLeft, setAttemptsLeft] = useState<number>();
  const [consent, setConsent] = useState(false);
  const [privacyOpen, setPrivacyOpen] = useState(false);

  async function onSubmit() {
    if (personNo.trim() === '' || name.trim() === '' || (activationCode.trim() === '' && secret === '')) {
      setError(strings.bind.missing);
      return;
    }
    if (!consent) {
      setError(uxStrings.bind.consentNeeded);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await bind(api, { personNo, name, ...proofOf(activationCode, secret) });
      // The first certificate for this phone's key: a new binding always gets a fresh one.
      credentials.clear();
      await credentials.sync(true);
      await Taro.reLaunch({ url: '/pages/home/index' });
    } catch (caught) {
      setError(messageOf(caught));
      setAttemptsLeft(attemptsLeftOf(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <View className="page page-bind">
      <Text className="form-hint">{strings.bind.hint}</Text>
      <View className="form-field">
        <Text className="form-label">{strings.bind.personNo}</Text>
        <Input
          id="personNo"
          className="form-input"
          placeholder={strings.bind.personNoPlaceholder}
          value={personNo}
          onInput={(event) => setPersonNo(event.detail.value)}
        />
      </View>
      <View className="form-field">
        <Text className="form-label">{strings.bind.name}</Text>
        <Input
          id="name"
          className="form-input"
          placeholder={strings.bind.namePlaceholder}
          value={name}
          onInput={(event) => setName(event.detail.value)}
        />
      </View>
      <View className="form-field">
        <Text className="form-label">{strings.bind.activationCode}</Text>
        <Input
          id="activationCode"
          className="form-input"
          maxlength={12}
          placeholder={strings.bind.activationCodePlaceholder}
          value={activationCode}
          onInput={(event) => setActivationCode(event.detail.value)}
        />
      </View>
      <View className="form-field">
        <Text className="form-label">{strings.bind.secret}</Text>
        <Input
          id="secret"
          className="form-input"
          password
          type="idcard"
          maxlength={6}
          placeholder={strings.bind.secretPlaceholder}
          value={secret}
          onInput={(event) => setSecret(event.detail.value)}
        />
      </View>
      <View
        className="consent"
        id="consent"
        role="checkbox"
        aria-checked={consent}
        onClick={() => setConsent((on) => !on)}
      >
        <View className={`consent-box${consent ? ' consent-box-on' : ''}`}>
          <Text>{consent ? '✓' : ''}</Text>
        </View>
        <Text>{uxStrings.bind.consent}</Text>
      </View>
      <View
        className="link-button"
        id="privacy-toggle"
        role="button"
        onClick={() => setPrivacyOpen((open) => !open)}
      >
        <Text>{uxStrings.bind.showPrivacy}</Text>
      </View>
      {privacyOpen ? (
        <View className="section" id="privacy">
          <Text className="section-title">{uxStrings.bind.privacyTitle}</Text>
          <Text className="text-block">{uxStrings.bind.privacy}</Text>
        </View>
      ) : null}
      {error ? (
        <Text className="form-error" id="bind-error">
          {error}
        </Text>
      ) : null}
      {attemptsLeft !== undefined ? (
        <Text className="form-remaining" id="bind-remaining">
          {uxStrings.bind.attemptsLeft(attemptsLeft)}
        </Text>
      ) : null}
      <Button className="btn btn-primary" id="bind" disabled={busy} onClick={onSubmit}>
        {busy ? strings.bind.submitting : strings.bind.submit}
      </Button>
      {/* Parents have no campus identity to bind: they link a child with the child's invitation code. */}
      <Button
        className="btn btn-plain"
        id="as-parent"
        onClick={() => Taro.navigateTo({ url: '/pages/parents/index' })}
      >
        {strings.bind.asParent}
      </Button>
    </View>
  );
}
