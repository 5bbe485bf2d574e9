import { Text, View } from '@tarojs/components';
import { strings } from '../strings.ts';

/**
 * An on/off switch that says what it switches (role switch, its label and state for screen readers;
 * Taro's H5 Switch leaves its checkbox unlabelled, which axe-core rates critical). Inline sizes are
 * half app.css's design px.
 */
export function Toggle(props: {
  id?: string;
  className?: string;
  label: string;
  on: boolean;
  onChange: (on: boolean) => void;
}) {
  return (
    <View
      {...(props.id === undefined ? {} : { id: props.id })}
      {...(props.className === undefined ? {} : { className: props.className })}
      role="switch"
      aria-checked={props.on}
      aria-label={props.label}
      onClick={() => props.onChange(!props.on)}
      style={{
        minWidth: '56px',
        padding: '8px 14px',
        borderRadius: '18px',
        textAlign: 'center',
        fontSize: '14px',
        border: '1px solid #0b6e4f',
        background: props.on ? '#0b6e4f' : '#fff',
        color: props.on ? '#fff' : '#0b6e4f',
      }}
    >
      <Text>{props.on ? strings.parents.on : strings.parents.off}</Text>
    </View>
  );
}
