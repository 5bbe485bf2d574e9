import { Picker, Text, View } from '@tarojs/components';
import { messageStrings as words } from '../message-strings.ts';
import { hhmmOf, minutesOf } from '../services/messages.ts';
import { Toggle } from './Toggle.tsx';

/** A quiet window in minutes of the Shanghai day; equal ends mean no quiet hours. */
export interface QuietWindow {
  readonly quietStartMin: number;
  readonly quietEndMin: number;
}

/**
 * 免打扰 on 消息设置 (the student's and the parent's): on (22:00–07:00 to start with) or off, and its two
 * ends. Ids: `<idPrefix>-quiet`, `<idPrefix>-quiet-from`, `<idPrefix>-quiet-to`.
 */
export function QuietHours(props: {
  idPrefix: string;
  value: QuietWindow;
  onChange: (value: QuietWindow) => void;
}) {
  const { idPrefix, value, onChange } = props;
  const quiet = value.quietStartMin !== value.quietEndMin;
  return (
    <View className="section">
      <View className="row">
        <Text className="row-main">{words.quietOn}</Text>
        <Toggle
          id={`${idPrefix}-quiet`}
          label={words.quietOn}
          on={quiet}
          onChange={(on) =>
            onChange(
              on ? { quietStartMin: 22 * 60, quietEndMin: 7 * 60 } : { quietStartMin: 0, quietEndMin: 0 },
            )
          }
        />
      </View>
      {quiet ? (
        <View className="row">
          <Picker
            mode="time"
            value={hhmmOf(value.quietStartMin)}
            onChange={(e) =>
              onChange({ quietStartMin: minutesOf(String(e.detail.value)), quietEndMin: value.quietEndMin })
            }
          >
            <Text id={`${idPrefix}-quiet-from`}>
              {words.quietFrom} {hhmmOf(value.quietStartMin)}
            </Text>
          </Picker>
          <Picker
            mode="time"
            value={hhmmOf(value.quietEndMin)}
            onChange={(e) =>
              onChange({ quietStartMin: value.quietStartMin, quietEndMin: minutesOf(String(e.detail.value)) })
            }
          >
            <Text id={`${idPrefix}-quiet-to`}>
              {words.quietTo} {hhmmOf(value.quietEndMin)}
            </Text>
          </Picker>
        </View>
      ) : null}
      <Text className="form-hint">{words.quietHint}</Text>
    </View>
  );
}
