import { Alert, Button, Form, Input, Modal } from 'antd';
import { type ReactNode, useCallback, useState } from 'react';
import { describeError } from '../strings.ts';

/** A list page's failure, above its table, until closed or the next success clears it. */
export function ErrorAlert({ error, onClose }: { error: string | null; onClose: () => void }) {
  if (!error) return null;
  return <Alert type="error" message={error} style={{ marginBottom: 12 }} closable onClose={onClose} />;
}

/** 加载更多 under a list the admin API answers a page at a time (usePages), while there may be more. */
export function LoadMore({ more, onLoad }: { more: boolean; onLoad: () => void }) {
  if (!more) return null;
  return (
    <Button style={{ marginTop: 12 }} onClick={onLoad}>
      加载更多
    </Button>
  );
}

/**
 * An action dialog's one request at a time: `busy` while it runs (the OK button's loading), its
 * failure as a sentence in `error` (shown in the dialog, which stays open), nothing thrown.
 */
export function useSubmit(describe: (error: unknown) => string = describeError) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = useCallback(
    async (run: () => Promise<void>) => {
      setBusy(true);
      try {
        await run();
      } catch (e) {
        setError(describe(e));
      } finally {
        setBusy(false);
      }
    },
    [describe],
  );
  return { busy, error, setError, submit };
}

/**
 * The dialog of an action on one row that takes a note (a payout, resolving an offline exception):
 * what it will do above (`intro`), the note, and the failure of the last try, the dialog staying open.
 */
export function NoteDialog(props: {
  title: string;
  okText: string;
  danger?: boolean;
  busy: boolean;
  intro: ReactNode;
  noteLabel: string;
  noteRequired?: boolean;
  rows: number;
  note: string;
  onNote: (note: string) => void;
  error: string | null;
  onOk: () => void;
  onCancel: () => void;
}) {
  return (
    <Modal
      open
      title={props.title}
      okText={props.okText}
      okButtonProps={{ danger: props.danger, loading: props.busy }}
      onOk={props.onOk}
      onCancel={props.onCancel}
    >
      {props.intro}
      <Form layout="vertical">
        <Form.Item label={props.noteLabel} required={props.noteRequired}>
          <Input.TextArea
            value={props.note}
            maxLength={200}
            rows={props.rows}
            onChange={(e) => props.onNote(e.target.value)}
          />
        </Form.Item>
      </Form>
      {props.error ? <Alert type="error" message={props.error} /> : null}
    </Modal>
  );
}
