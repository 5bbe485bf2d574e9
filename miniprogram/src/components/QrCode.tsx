import { View } from '@tarojs/components';
import { useMemo } from 'react';
import { qrMatrix, qrRows } from '../lib/qr.ts';

interface Props {
  readonly text: string;
  /** Pixels per module; 57 modules plus a 4-module quiet zone each side. */
  readonly modulePx?: number;
  readonly onTap?: () => void;
}

/** The QR code as rows of Views (no canvas): renders the same on WeChat, Alipay and H5. */
export function QrCode({ text, modulePx = 5, onTap }: Props) {
  const rows = useMemo(() => qrRows(qrMatrix(text)), [text]);
  const quiet = 4 * modulePx;
  return (
    <View
      className="qr"
      onClick={onTap}
      style={{ padding: `${quiet}px`, background: '#fff', display: 'inline-block', lineHeight: 0 }}
    >
      {rows.map((runs, r) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in a fixed grid.
        <View key={r} style={{ display: 'flex', height: `${modulePx}px` }}>
          {runs.map((run, i) => (
            <View
              // biome-ignore lint/suspicious/noArrayIndexKey: runs are positions in a fixed row.
              key={i}
              style={{
                width: `${run.length * modulePx}px`,
                height: `${modulePx}px`,
                background: run.dark ? '#000' : '#fff',
              }}
            />
          ))}
        </View>
      ))}
    </View>
  );
}
