import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { messageOf } from '../../components/use-remote.ts';
import { messageStrings } from '../../message-strings.ts';
import { myDataStrings } from '../../my-data-strings.ts';
import { api, taroStorage, tokens } from '../../services/api.ts';
import { unbind } from '../../services/binding.ts';
import { logOut } from '../../services/session.ts';
import { forgetEverything } from '../../stores/session.ts';
import { strings } from '../../strings.ts';

export default function SettingsPage() {
  const [error, setError] = useState<string>();

  async function onUnbind() {
    const answer = await Taro.showModal({ content: strings.settings.confirmUnbind });
    if (!answer.confirm) return;
    try {
      await unbind(api);
      // The phone key and certificate belong to the binding: a new binding makes new ones.
      forgetEverything(taroStorage);
      await Taro.reLaunch({ url: '/pages/login/index' });
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  async function onLogout() {
    await logOut(api, tokens).catch(() => {});
    await Taro.reLaunch({ url: '/pages/login/index' });
  }

  return (
    <View className="page page-settings">
      {error ? <Text className="form-error">{error}</Text> : null}
      <View className="section">
        <Text className="section-title">{strings.settings.about}</Text>
        <Text className="text-block">{strings.settings.aboutText}</Text>
        <Text className="row-sub">{strings.settings.version('0.1.0')}</Text>
      </View>
      <View className="section">
        <Text className="section-title">{strings.settings.privacy}</Text>
        <Text className="text-block">{strings.settings.privacyText}</Text>
      </View>
      <Button
        className="btn btn-plain"
        id="open-my-data"
        onClick={() => void Taro.navigateTo({ url: '/pages/my-data/index' })}
      >
        {myDataStrings.entry}
      </Button>
      <Button
        className="btn btn-plain"
        id="open-message-settings"
        onClick={() => void Taro.navigateTo({ url: '/pages/message-settings/index' })}
      >
        {messageStrings.entry}
      </Button>
      <Button className="btn btn-plain" onClick={() => void onLogout()}>
        {strings.settings.logout}
      </Button>
      <Button className="btn btn-danger" onClick={() => void onUnbind()}>
        {strings.settings.unbind}
      </Button>
    </View>
  );
}
