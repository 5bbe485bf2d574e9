import { Form, Input, Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import { yuan } from '../api.ts';
import { deviceConfigText as t } from '../strings.ts';
import { fenOf } from './device-config-draft.ts';

// The device configuration drawer's two small fields (DeviceConfigDrawer.tsx).

/** A yuan field with the amount it stands for beside it (or a warning when it is not one). */
export function Yuan({
  value,
  onChange,
  testId,
}: {
  value: string;
  onChange: (v: string) => void;
  testId: string;
}) {
  const fen = fenOf(value);
  return (
    <Space>
      <Input
        value={value}
        onChange={(e) => onChange(e.target.value)}
        addonAfter="元"
        style={{ width: 160 }}
        data-testid={testId}
        status={fen === undefined ? 'error' : ''}
      />
      <Typography.Text type={fen === undefined ? 'danger' : 'secondary'} data-testid={`${testId}-shown`}>
        {fen === undefined ? t.notAmount : yuan(fen)}
      </Typography.Text>
    </Space>
  );
}

export function Row({ label, children }: { label: string; children: ReactNode }) {
  return <Form.Item label={label}>{children}</Form.Item>;
}
