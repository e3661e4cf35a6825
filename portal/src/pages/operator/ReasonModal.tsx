/** A dialog asking for a reason (required for reject, ask for changes, cancel…), then running the action. */
import { Form, Input, Modal } from 'antd';
import { useState } from 'react';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { useT } from '../../shell/i18n.tsx';
import { texts } from './texts.ts';

export interface ReasonRequest {
  title: string;
  label?: string;
  run(reason: string): Promise<void>;
}

export function ReasonModal({ request, onClose }: { request: ReasonRequest | undefined; onClose(): void }) {
  const t = useT();
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const close = () => {
    form.resetFields();
    setError(undefined);
    onClose();
  };
  return (
    <Modal
      open={request !== undefined}
      title={request?.title}
      okText={t(texts.common.save)}
      cancelText={t(texts.common.cancel)}
      confirmLoading={busy}
      onCancel={close}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Form
        name="reason"
        form={form}
        layout="vertical"
        onFinish={async ({ reason }) => {
          if (request === undefined) return;
          setBusy(true);
          setError(undefined);
          try {
            await request.run(reason.trim());
            close();
          } catch (e) {
            setError(e);
          } finally {
            setBusy(false);
          }
        }}
      >
        <Form.Item
          name="reason"
          label={request?.label ?? t(texts.common.reason)}
          rules={[{ required: true, whitespace: true, message: t(texts.common.reasonRequired) }, { max: 2000 }]}
        >
          <Input.TextArea rows={3} />
        </Form.Item>
      </Form>
      <ErrorAlert error={error} />
    </Modal>
  );
}
