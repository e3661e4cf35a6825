/** A dialog asking for a reason (required for reject, ask for changes, cancel…), then running the action. */
import { Form, Input } from 'antd';
import { FormModal, useSubmission } from '../../shell/ui/form.tsx';
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
  const submission = useSubmission();
  return (
    <FormModal
      open={request !== undefined}
      title={request?.title}
      okText={t(texts.common.save)}
      cancelText={t(texts.common.cancel)}
      submission={submission}
      onSubmit={() => form.submit()}
      onClose={() => {
        form.resetFields();
        onClose();
      }}
    >
      <Form
        name="reason"
        form={form}
        layout="vertical"
        onFinish={async ({ reason }) => {
          if (request === undefined) return;
          if (await submission.run(() => request.run(reason.trim()))) {
            form.resetFields();
            submission.clear();
            onClose();
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
    </FormModal>
  );
}
