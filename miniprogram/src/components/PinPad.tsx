import { Button, Text, View } from '@tarojs/components';
import './PinPad.css';

const pinLength = 6;
const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '', '0', 'delete'] as const;

/**
 * A 6-digit PIN entry as the wallets show it: six boxes (a dot per digit typed, never the digit)
 * and its own numeric keypad, so no system keyboard opens and only digits can be typed.
 */
export function PinPad({
  id,
  label,
  value,
  onChange,
}: {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
}) {
  const press = (key: (typeof keys)[number]) => {
    if (key === 'delete') onChange(value.slice(0, -1));
    else if (key !== '' && value.length < pinLength) onChange(value + key);
  };
  return (
    <View className="pin-pad" id={id}>
      <Text className="pin-pad-label">{label}</Text>
      <View className="pin-boxes" id={`${id}-boxes`}>
        {Array.from({ length: pinLength }, (_, i) => (
          <View
            // biome-ignore lint/suspicious/noArrayIndexKey: the six boxes are positions, never reordered
            key={i}
            className={`pin-box${i === value.length ? ' pin-box-current' : ''}${i < value.length ? ' pin-box-filled' : ''}`}
          >
            {i < value.length ? '●' : ''}
          </View>
        ))}
      </View>
      <Text className="pin-pad-count">{`已输入 ${value.length}/${pinLength} 位`}</Text>
      <View className="pin-keys">
        {keys.map((key) =>
          key === '' ? (
            <View key="blank" className="pin-key pin-key-blank" />
          ) : (
            <Button
              key={key}
              id={`${id}-key-${key}`}
              className="pin-key"
              disabled={key !== 'delete' && value.length >= pinLength}
              onClick={() => press(key)}
            >
              {key === 'delete' ? '删除' : key}
            </Button>
          ),
        )}
      </View>
    </View>
  );
}
