import { Alert } from 'antd';

/**
 * What the last action on a page came to: its error, or its note of success, each closed by hand.
 * One place for the pair every page shows above its work.
 */
export function Outcome({
  error,
  note,
  onClose,
}: {
  error: string | null;
  note: string | null;
  /** Clears both (a page keeps one of them at a time). */
  onClose: () => void;
}) {
  return (
    <>
      {error ? <Alert type="error" message={error} showIcon closable onClose={onClose} /> : null}
      {note ? <Alert type="success" message={note} showIcon closable onClose={onClose} /> : null}
    </>
  );
}
