/**
 * What the pages' forms share: a card with its heading (`SectionCard`), and the state of a submission
 * (`useSubmission`: busy while it runs, its error for `<ErrorAlert>`, its result once done).
 *
 *   const submission = useSubmission<string>();
 *   <Form onFinish={(v) => submission.run(async () => { await graphql(…); form.resetFields(); onDone(); return v.name; })}>
 *     <ErrorAlert error={submission.error} />
 *     {submission.result !== undefined && <Alert type="success" … />}
 *     <Button htmlType="submit" loading={submission.busy}>…</Button>
 */
import { Card, Modal, Typography } from 'antd';
import { useCallback, useState, type ReactNode } from 'react';
import { ErrorAlert } from '../ErrorAlert.tsx';

/** A card whose title is a heading (`h2` by default) in the card's title size. */
export function SectionCard({ title, level = 2, extra, children }: { title: ReactNode; level?: 2 | 3; extra?: ReactNode; children: ReactNode }) {
  return (
    <Card
      title={
        <Typography.Title level={level} style={{ margin: 0, fontSize: level === 2 ? 18 : 16 }}>
          {title}
        </Typography.Title>
      }
      extra={extra}
    >
      {children}
    </Card>
  );
}

export interface Submission<R> {
  busy: boolean;
  error: unknown;
  /** What the last successful `run` returned (`true` for an action that returns nothing). */
  result: R | undefined;
  /** Runs the action: busy meanwhile, error and result cleared first; true when it succeeded. */
  run(action: () => Promise<R | void>): Promise<boolean>;
  /** Forgets the error and the result (a dialog being closed). */
  clear(): void;
}

export function useSubmission<R = true>(): Submission<R> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<R>();
  const run = useCallback(async (action: () => Promise<R | void>) => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      const value = await action();
      setResult((value === undefined ? true : value) as R);
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => {
    setError(undefined);
    setResult(undefined);
  }, []);
  return { busy, error, result, run, clear };
}

/**
 * A dialog holding a form: OK submits the form (`form.submit()`), the submission's error shows under it, and
 * closing it forgets that error. The form itself is built only while the dialog is open.
 */
export function FormModal({
  open,
  title,
  okText,
  cancelText,
  submission,
  danger = false,
  onSubmit,
  onClose,
  children,
}: {
  open: boolean;
  title: ReactNode;
  okText: ReactNode;
  cancelText: ReactNode;
  submission: Submission<unknown>;
  /** OK is a danger button (removing, rejecting). */
  danger?: boolean;
  onSubmit(): void;
  onClose(): void;
  children: ReactNode;
}) {
  const close = () => {
    submission.clear();
    onClose();
  };
  return (
    <Modal
      open={open}
      title={title}
      okText={okText}
      {...(danger ? { okButtonProps: { danger: true } } : {})}
      cancelText={cancelText}
      confirmLoading={submission.busy}
      onCancel={close}
      onOk={onSubmit}
      destroyOnHidden
    >
      {open && children}
      <ErrorAlert error={submission.error} />
    </Modal>
  );
}
