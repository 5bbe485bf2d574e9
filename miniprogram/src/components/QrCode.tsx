import { View } from '@tarojs/components';
import { createElement, useMemo } from 'react';
import { qrMatrix, qrPath, qrRows } from '../lib/qr.ts';

interface Props {
  readonly text: string;
  /** Pixels per module; 57 modules plus a 4-module quiet zone each side. */
  readonly modulePx?: number;
  readonly onTap?: () => void;
}

/**
 * The QR code. On H5 one inline SVG path (one element: drawn as runs of Views it was about 1,730 of
 * Taro's web components, 57 rows and 1,676 runs for a 290-character code, #19); the mini-programs
 * have no SVG element, so there each row is drawn as runs of Views.
 */
export function QrCode({ text, modulePx = 5, onTap }: Props) {
  const matrix = useMemo(() => qrMatrix(text), [text]);
  const quiet = 4 * modulePx;
  const box = { padding: `${quiet}px`, background: '#fff', display: 'inline-block', lineHeight: 0 };
  if (process.env.TARO_ENV === 'h5') {
    const side = matrix.size * modulePx;
    return (
      <View className="qr" onClick={onTap} style={box}>
        {createElement(
          'svg',
          {
            width: side,
            height: side,
            viewBox: `0 0 ${matrix.size} ${matrix.size}`,
            shapeRendering: 'crispEdges',
            'aria-hidden': true,
            style: { display: 'block' },
          },
          createElement('path', { d: qrPath(matrix), fill: '#000' }),
        )}
      </View>
    );
  }
  return <QrRows rows={qrRows(matrix)} modulePx={modulePx} box={box} {...(onTap ? { onTap } : {})} />;
}

function QrRows({
  rows,
  modulePx,
  box,
  onTap,
}: {
  readonly rows: { dark: boolean; length: number }[][];
  readonly modulePx: number;
  readonly box: Record<string, string | number>;
  readonly onTap?: () => void;
}) {
  return (
    <View className="qr" onClick={onTap} style={box}>
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
