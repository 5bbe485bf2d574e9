import type { SubsidyPreview as Preview } from '@campus-card/core/contract';
import { Alert, Button, Form, Input, Modal, Radio, Space, Statistic } from 'antd';
import { useState } from 'react';
import { api, yuan } from '../api.ts';
import { amountInWords, parseYuan } from '../components/money.ts';
import { readListFile } from '../download.ts';
import { describeError } from '../strings.ts';
import { type Batch, RowsTable, type Source } from './funds-shared.tsx';

// The funds page's import dialog.

/** Choose a list (file, department or class), see every row's error, then submit it as a draft. */
export function ImportDialog({ onClose }: { onClose: (createdId?: string) => void }) {
  const [title, setTitle] = useState('');
  const [kind, setKind] = useState<'file' | 'department' | 'classCode'>('file');
  const [file, setFile] = useState<File | null>(null);
  const [group, setGroup] = useState('');
  const [amount, setAmount] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const source = async (): Promise<Source> => {
    if (kind === 'file') {
      if (!file) throw new Error('请选择 CSV 或 Excel 文件');
      return readListFile(file);
    }
    // The amount each person gets is checked as typed, like every money field (#19.1).
    const each = parseYuan(amount, { maxFen: 99_999_999 });
    if ('error' in each) throw new Error(`每人金额：${each.error}`);
    return kind === 'department' ? { department: group, amount } : { classCode: group, amount };
  };
  const run = async (step: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await step();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  const doPreview = () =>
    run(async () =>
      setPreview(await api<Preview>('POST', '/subsidy-batches/preview', { source: await source() })),
    );
  const submit = () =>
    run(async () => {
      const batch = await api<Batch>('POST', '/subsidy-batches', { title, source: await source() });
      onClose(batch.id);
    });

  return (
    <Modal
      open
      width={860}
      title="导入补贴名单"
      onCancel={() => onClose()}
      footer={[
        <Button key="preview" onClick={doPreview} loading={busy}>
          预览
        </Button>,
        <Button
          key="submit"
          type="primary"
          disabled={!preview || !title.trim()}
          onClick={submit}
          loading={busy}
        >
          提交审批
        </Button>,
      ]}
    >
      <Form layout="vertical">
        <Form.Item label="批次名称">
          <Input
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            placeholder="如：2026 秋季困难补贴"
          />
        </Form.Item>
        <Form.Item label="名单来源">
          <Radio.Group
            value={kind}
            onChange={(e) => {
              setKind(e.target.value);
              setPreview(null);
            }}
            options={[
              { value: 'file', label: '文件（CSV / Excel）' },
              { value: 'department', label: '按院系' },
              { value: 'classCode', label: '按班级' },
            ]}
          />
        </Form.Item>
        {kind === 'file' ? (
          <Form.Item label="名单文件" extra="列：学工号、金额（元）、备注；首行可为表头">
            <input
              type="file"
              data-testid="list-file"
              accept=".csv,.xlsx,text/csv"
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                setPreview(null);
              }}
            />
          </Form.Item>
        ) : (
          <Space>
            <Form.Item label={kind === 'department' ? '院系' : '班级编号'} htmlFor="import-group">
              <Input id="import-group" value={group} onChange={(e) => setGroup(e.target.value)} />
            </Form.Item>
            <Form.Item
              label="每人金额（元）"
              htmlFor="import-amount"
              extra={(() => {
                const each = amount ? parseYuan(amount, { maxFen: 99_999_999 }) : undefined;
                return each && 'fen' in each ? `大写：${amountInWords(each.fen)}` : null;
              })()}
            >
              <Input
                id="import-amount"
                prefix="¥"
                inputMode="decimal"
                value={amount}
                onChange={(e) => setAmount(e.target.value)}
              />
            </Form.Item>
          </Space>
        )}
      </Form>
      {error ? <Alert type="error" message={error} style={{ marginBottom: 12 }} /> : null}
      {preview ? (
        <>
          <Space size="large" data-testid="preview-summary">
            <Statistic title="总行数" value={preview.rowCount} />
            <Statistic title="有效" value={preview.validCount} />
            <Statistic
              title="错误"
              value={preview.errorCount}
              valueStyle={{ color: preview.errorCount ? '#cf1322' : undefined }}
            />
            <Statistic title="合计金额" value={yuan(preview.totalAmount)} />
          </Space>
          <RowsTable rows={preview.rows} testId="preview-rows" />
        </>
      ) : null}
    </Modal>
  );
}
