import { Text, View } from '@tarojs/components';
import type { MessageKind } from '../services/messages.ts';
import { Toggle } from './Toggle.tsx';

/**
 * The message kinds on 消息设置 (the student's and the parent's), each with its on/off Toggle
 * (`<idPrefix>-kind-<kind>`), and a hint under them.
 */
export function KindToggles(props: {
  idPrefix: string;
  kinds: readonly MessageKind[];
  names: Readonly<Record<string, string>>;
  hint: string;
  isOn: (kind: MessageKind) => boolean;
  onChange: (kind: MessageKind, on: boolean) => void;
}) {
  return (
    <View className="section">
      {props.kinds.map((kind) => (
        <View className="row" key={kind}>
          <Text className="row-main">{props.names[kind]}</Text>
          <Toggle
            id={`${props.idPrefix}-kind-${kind}`}
            label={props.names[kind] ?? ''}
            on={props.isOn(kind)}
            onChange={(on) => props.onChange(kind, on)}
          />
        </View>
      ))}
      <Text className="form-hint">{props.hint}</Text>
    </View>
  );
}
