/**
 * The operator's maintenance windows (announce ≥ 24 h ahead, change, cancel) and incidents (record, update, resolve).
 * Both show in everyone's notices banner (the shell's NoticesBanner).
 */
import { Alert, Button, Checkbox, Col, DatePicker, Form, Input, Row, Space, Switch, Table, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { graphql, useQuery } from '../../shell/graphql.ts';
import { useLang, useT } from '../../shell/i18n.tsx';
import { formatDateTime, splitList } from '../../shell/ui/format.ts';
import { ReasonModal, type ReasonRequest } from './ReasonModal.tsx';
import { texts } from './texts.ts';
import { Muted } from '../../shell/ui/Muted.tsx';
import { ToneTag } from '../../shell/ui/ToneTag.tsx';
import { RangeField } from '../../shell/ui/RangeField.tsx';
import { FormModal, SectionCard, useSubmission } from '../../shell/ui/form.tsx';
import { vietnamInstant, vietnamNow, vietnamPickerValue } from '../../shell/ui/vietnam-time.ts';
import { NOTICES_CHANGED_EVENT } from '../../shell/NoticesBanner.tsx';

const MAINTENANCE_QUERY = /* GraphQL */ `
  query OperatorMaintenance($includePast: Boolean, $incidentsFrom: String) {
    maintenanceWindows(includePast: $includePast) {
      id
      startsAt
      endsAt
      summary
      reason
      affectedServices
      emergency
      status
      announcedAt
      announcedBy
      cancelReason
    }
    incidents(from: $incidentsFrom) {
      id
      summary
      affectedAgencies
      affectedServices
      startedAt
      expectedFixAt
      recordedBy
      resolvedAt
      resolution
    }
  }
`;

const ANNOUNCE = /* GraphQL */ `
  mutation OperatorAnnounceMaintenance($input: AnnounceMaintenanceInput!) {
    announceMaintenance(input: $input) {
      id
    }
  }
`;
const CHANGE = /* GraphQL */ `
  mutation OperatorChangeMaintenance($id: ID!, $input: ChangeMaintenanceInput!) {
    changeMaintenance(id: $id, input: $input) {
      id
    }
  }
`;
const CANCEL = /* GraphQL */ `
  mutation OperatorCancelMaintenance($id: ID!, $reason: String!) {
    cancelMaintenance(id: $id, reason: $reason) {
      id
    }
  }
`;
const RECORD = /* GraphQL */ `
  mutation OperatorRecordIncident($input: RecordIncidentInput!) {
    recordIncident(input: $input) {
      id
    }
  }
`;
const UPDATE = /* GraphQL */ `
  mutation OperatorUpdateIncident($id: ID!, $input: UpdateIncidentInput!) {
    updateIncident(id: $id, input: $input) {
      id
    }
  }
`;
const RESOLVE = /* GraphQL */ `
  mutation OperatorResolveIncident($id: ID!, $resolution: String!) {
    resolveIncident(id: $id, resolution: $resolution) {
      id
    }
  }
`;

interface Window {
  id: string;
  startsAt: string;
  endsAt: string;
  summary: string;
  reason: string;
  affectedServices: string[];
  emergency: boolean;
  status: 'SCHEDULED' | 'IN_PROGRESS' | 'COMPLETED' | 'CANCELLED';
  announcedAt: string;
  announcedBy: string;
  cancelReason: string | null;
}
interface Incident {
  id: string;
  summary: string;
  affectedAgencies: string[];
  affectedServices: string[];
  startedAt: string;
  expectedFixAt: string | null;
  recordedBy: string;
  resolvedAt: string | null;
  resolution: string | null;
}

interface WindowForm {
  range: [Dayjs, Dayjs];
  summary: string;
  reason: string;
  affectedServices?: string;
  emergency?: boolean;
}

/** The window's fields, with the 24-hour notice checked as the API will (the API's error is still shown). */
function WindowFields({ requireNotice }: { requireNotice: boolean }) {
  const t = useT();
  return (
    <>
      <Form.Item
        name="range"
        label={t(texts.maintenance.when)}
        dependencies={['emergency']}
        rules={[
          { required: true, message: t(texts.common.required) },
          ({ getFieldValue }) => ({
            validator: async (_, value: [Dayjs, Dayjs] | undefined) => {
              if (value === undefined || value === null) return;
              if (!value[1].isAfter(value[0])) throw new Error(t(texts.maintenance.endAfterStart));
              if (requireNotice && getFieldValue('emergency') !== true && value[0].isBefore(vietnamNow().add(24, 'hour')))
                throw new Error(t(texts.maintenance.atLeast24h));
            },
          }),
        ]}
      >
        <RangeField endLabel={t(texts.maintenance.when)} showTime={{ format: 'HH:mm' }} format="DD/MM/YYYY HH:mm" style={{ width: '100%' }} />
      </Form.Item>
      <Form.Item
        name="summary"
        label={t(texts.maintenance.summary)}
        rules={[{ required: true, whitespace: true, message: t(texts.common.required) }, { max: 300 }]}
      >
        <Input />
      </Form.Item>
      <Form.Item name="reason" label={t(texts.common.reason)} rules={[{ required: true, whitespace: true, message: t(texts.common.required) }, { max: 2000 }]}>
        <Input.TextArea rows={2} />
      </Form.Item>
      <Form.Item name="affectedServices" label={t(texts.maintenance.affectedServices)}>
        <Input placeholder="dan-cu, ho-tich" />
      </Form.Item>
      <Form.Item name="emergency" valuePropName="checked">
        <Checkbox>{t(texts.maintenance.emergency)}</Checkbox>
      </Form.Item>
    </>
  );
}

function AnnounceForm({ onDone }: { onDone(): void }) {
  const t = useT();
  const [form] = Form.useForm<WindowForm>();
  const submission = useSubmission();
  return (
    <SectionCard level={3} title={t(texts.maintenance.announce)}>
      <Form
        name="announce"
        form={form}
        layout="vertical"
        onFinish={(v) =>
          submission.run(async () => {
            const services = splitList(v.affectedServices);
            await graphql(ANNOUNCE, {
              input: {
                startsAt: vietnamInstant(v.range[0]),
                endsAt: vietnamInstant(v.range[1]),
                summary: v.summary.trim(),
                reason: v.reason.trim(),
                affectedServices: services.length > 0 ? services : null,
                emergency: v.emergency === true,
              },
            });
            form.resetFields();
            onDone();
          })
        }
      >
        <WindowFields requireNotice />
        <ErrorAlert error={submission.error} />
        {submission.result && <Alert type="success" showIcon role="status" title={t(texts.maintenance.announced)} />}
        <Button type="primary" htmlType="submit" loading={submission.busy} style={{ marginTop: 8 }}>
          {t(texts.maintenance.announceButton)}
        </Button>
      </Form>
    </SectionCard>
  );
}

function ChangeWindowModal({ window, onClose, onDone }: { window: Window | undefined; onClose(): void; onDone(): void }) {
  const t = useT();
  const [form] = Form.useForm<WindowForm>();
  const submission = useSubmission();
  return (
    <FormModal
      open={window !== undefined}
      title={t(texts.maintenance.changeTitle)}
      okText={t(texts.common.save)}
      cancelText={t(texts.common.cancel)}
      submission={submission}
      onSubmit={() => form.submit()}
      onClose={onClose}
    >
      {window !== undefined && (
        <Form
          name="change-window"
          form={form}
          layout="vertical"
          initialValues={{
            range: [vietnamPickerValue(window.startsAt), vietnamPickerValue(window.endsAt)],
            summary: window.summary,
            reason: window.reason,
            affectedServices: window.affectedServices.join(', '),
            emergency: window.emergency,
          }}
          onFinish={async (v) => {
            const saved = await submission.run(async () => {
              const input: Record<string, unknown> = {
                endsAt: vietnamInstant(v.range[1]),
                summary: v.summary.trim(),
                reason: v.reason.trim(),
                affectedServices: splitList(v.affectedServices),
                emergency: v.emergency === true,
              };
              const startsAt = vietnamInstant(v.range[0]);
              if (Date.parse(startsAt) !== Date.parse(window.startsAt)) input.startsAt = startsAt;
              await graphql(CHANGE, { id: window.id, input });
              onDone();
            });
            if (saved) onClose();
          }}
        >
          <WindowFields requireNotice={false} />
        </Form>
      )}
    </FormModal>
  );
}

interface IncidentForm {
  summary: string;
  affectedAgencies: string;
  affectedServices?: string;
  startedAt: Dayjs;
  expectedFixAt?: Dayjs | null;
}

function IncidentFields({ withStart }: { withStart: boolean }) {
  const t = useT();
  return (
    <>
      <Form.Item
        name="summary"
        label={t(texts.maintenance.summary)}
        rules={[{ required: true, whitespace: true, message: t(texts.common.required) }, { max: 300 }]}
      >
        <Input />
      </Form.Item>
      <Form.Item
        name="affectedAgencies"
        label={`${t(texts.maintenance.affectedAgencies)} (000.00.02.H41, …)`}
        rules={[{ required: true, whitespace: true, message: t(texts.common.required) }]}
      >
        <Input />
      </Form.Item>
      <Form.Item name="affectedServices" label={t(texts.maintenance.affectedServices)}>
        <Input />
      </Form.Item>
      <Row gutter={12}>
        {withStart && (
          <Col xs={24} md={12}>
            <Form.Item name="startedAt" label={t(texts.maintenance.startedAt)} rules={[{ required: true, message: t(texts.common.required) }]}>
              <DatePicker showTime={{ format: 'HH:mm' }} format="DD/MM/YYYY HH:mm" style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        )}
        <Col xs={24} md={12}>
          <Form.Item name="expectedFixAt" label={t(texts.maintenance.expectedFixAt)}>
            <DatePicker showTime={{ format: 'HH:mm' }} format="DD/MM/YYYY HH:mm" style={{ width: '100%' }} />
          </Form.Item>
        </Col>
      </Row>
    </>
  );
}

function RecordIncidentForm({ onDone }: { onDone(): void }) {
  const t = useT();
  const [form] = Form.useForm<IncidentForm>();
  const submission = useSubmission();
  return (
    <SectionCard level={3} title={t(texts.maintenance.record)}>
      <Form
        name="incident"
        form={form}
        layout="vertical"
        initialValues={{ startedAt: vietnamNow() }}
        onFinish={(v) =>
          submission.run(async () => {
            const services = splitList(v.affectedServices);
            await graphql(RECORD, {
              input: {
                summary: v.summary.trim(),
                affectedAgencies: splitList(v.affectedAgencies),
                affectedServices: services.length > 0 ? services : null,
                startedAt: vietnamInstant(v.startedAt),
                expectedFixAt: v.expectedFixAt ? vietnamInstant(v.expectedFixAt) : null,
              },
            });
            form.resetFields();
            onDone();
          })
        }
      >
        <IncidentFields withStart />
        <ErrorAlert error={submission.error} />
        {submission.result && <Alert type="success" showIcon role="status" title={t(texts.maintenance.recorded)} />}
        <Button type="primary" danger htmlType="submit" loading={submission.busy} style={{ marginTop: 8 }}>
          {t(texts.maintenance.recordButton)}
        </Button>
      </Form>
    </SectionCard>
  );
}

function UpdateIncidentModal({ incident, onClose, onDone }: { incident: Incident | undefined; onClose(): void; onDone(): void }) {
  const t = useT();
  const [form] = Form.useForm<IncidentForm>();
  const submission = useSubmission();
  return (
    <FormModal
      open={incident !== undefined}
      title={t(texts.maintenance.updateTitle)}
      okText={t(texts.common.save)}
      cancelText={t(texts.common.cancel)}
      submission={submission}
      onSubmit={() => form.submit()}
      onClose={onClose}
    >
      {incident !== undefined && (
        <Form
          name="update-incident"
          form={form}
          layout="vertical"
          initialValues={{
            summary: incident.summary,
            affectedAgencies: incident.affectedAgencies.join(', '),
            affectedServices: incident.affectedServices.join(', '),
            expectedFixAt: incident.expectedFixAt === null ? null : vietnamPickerValue(incident.expectedFixAt),
          }}
          onFinish={async (v) => {
            const saved = await submission.run(async () => {
              const input: Record<string, unknown> = {
                summary: v.summary.trim(),
                affectedAgencies: splitList(v.affectedAgencies),
                affectedServices: splitList(v.affectedServices),
              };
              if (v.expectedFixAt) input.expectedFixAt = vietnamInstant(v.expectedFixAt);
              await graphql(UPDATE, { id: incident.id, input });
              onDone();
            });
            if (saved) onClose();
          }}
        >
          <IncidentFields withStart={false} />
        </Form>
      )}
    </FormModal>
  );
}

export function Maintenance() {
  const t = useT();
  const { lang } = useLang();
  const [includePast, setIncludePast] = useState(false);
  const [incidentsFrom] = useState(() => dayjs().subtract(30, 'day').toISOString());
  const { data, error, loading, reload } = useQuery<{ maintenanceWindows: Window[] | null; incidents: Incident[] | null }>(MAINTENANCE_QUERY, {
    includePast,
    incidentsFrom,
  });
  const [changing, setChanging] = useState<Window>();
  const [updating, setUpdating] = useState<Incident>();
  const [asking, setAsking] = useState<ReasonRequest>();
  const refresh = () => {
    reload();
    // The banner reads the same notices: tell it to read them again.
    window.dispatchEvent(new Event(NOTICES_CHANGED_EVENT));
  };
  const windows = [...(data?.maintenanceWindows ?? [])].sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  const incidents = [...(data?.incidents ?? [])].sort(
    (a, b) => Number(a.resolvedAt !== null) - Number(b.resolvedAt !== null) || b.startedAt.localeCompare(a.startedAt),
  );
  const statusColour: Record<Window['status'], string> = { SCHEDULED: 'blue', IN_PROGRESS: 'orange', COMPLETED: 'green', CANCELLED: 'neutral' };
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t(texts.maintenance.title)}</Typography.Title>
        <Typography.Paragraph>{t(texts.maintenance.intro)}</Typography.Paragraph>
      </div>
      <ErrorAlert error={error} />
      <section aria-labelledby="maintenance-windows">
        <Typography.Title level={2} style={{ fontSize: 20 }} id="maintenance-windows">
          {t(texts.maintenance.windows)}
        </Typography.Title>
        <Space style={{ marginBottom: 12 }}>
          <Switch checked={includePast} onChange={setIncludePast} aria-label={t(texts.maintenance.showPast)} />
          <span>{t(texts.maintenance.showPast)}</span>
        </Space>
        <Table<Window>
          aria-label={t(texts.maintenance.windows)}
          rowKey="id"
          loading={loading}
          dataSource={windows}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          columns={[
            { title: t(texts.maintenance.startsAt), dataIndex: 'startsAt', render: (v: string) => formatDateTime(v, lang) },
            { title: t(texts.maintenance.endsAt), dataIndex: 'endsAt', render: (v: string) => formatDateTime(v, lang) },
            {
              title: t(texts.maintenance.summary),
              key: 'summary',
              render: (_, w) => (
                <>
                  {w.summary}
                  <br />
                  <Muted>{w.cancelReason ?? w.reason}</Muted>
                </>
              ),
            },
            { title: t(texts.maintenance.affectedServices), dataIndex: 'affectedServices', render: (v: string[]) => (v.length > 0 ? v.join(', ') : '—') },
            {
              title: t(texts.common.status),
              key: 'status',
              render: (_, w) => (
                <>
                  <ToneTag tone={statusColour[w.status]}>{t(texts.maintenance[w.status])}</ToneTag>
                  {w.emergency && <ToneTag tone="red">!</ToneTag>}
                </>
              ),
            },
            {
              title: t(texts.common.actions),
              key: 'actions',
              render: (_, w) =>
                w.status === 'SCHEDULED' || w.status === 'IN_PROGRESS' ? (
                  <Space wrap>
                    <Button size="small" onClick={() => setChanging(w)}>
                      {t(texts.maintenance.change)}
                    </Button>
                    <Button
                      size="small"
                      danger
                      onClick={() =>
                        setAsking({
                          title: `${t(texts.maintenance.cancelTitle)}: ${w.summary}`,
                          run: async (reason) => {
                            await graphql(CANCEL, { id: w.id, reason });
                            refresh();
                          },
                        })
                      }
                    >
                      {t(texts.maintenance.cancelWindow)}
                    </Button>
                  </Space>
                ) : null,
            },
          ]}
        />
      </section>
      <section aria-labelledby="incidents">
        <Typography.Title level={2} style={{ fontSize: 20 }} id="incidents">
          {t(texts.maintenance.incidents)}
        </Typography.Title>
        <Table<Incident>
          aria-label={t(texts.maintenance.incidents)}
          rowKey="id"
          loading={loading}
          dataSource={incidents}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          columns={[
            { title: t(texts.maintenance.startedAt), dataIndex: 'startedAt', render: (v: string) => formatDateTime(v, lang) },
            {
              title: t(texts.maintenance.summary),
              key: 'summary',
              render: (_, i) => (
                <>
                  {i.summary}
                  {i.resolution !== null && (
                    <>
                      <br />
                      <Muted>{i.resolution}</Muted>
                    </>
                  )}
                </>
              ),
            },
            { title: t(texts.maintenance.affectedAgencies), dataIndex: 'affectedAgencies', render: (v: string[]) => v.join(', ') },
            { title: t(texts.maintenance.expectedFixAt), dataIndex: 'expectedFixAt', render: (v: string | null) => formatDateTime(v, lang) },
            {
              title: t(texts.common.status),
              key: 'status',
              render: (_, i) =>
                i.resolvedAt === null ? (
                  <ToneTag tone="red">{t(texts.maintenance.open)}</ToneTag>
                ) : (
                  <ToneTag tone="green">
                    {t(texts.maintenance.resolved)} {formatDateTime(i.resolvedAt, lang)}
                  </ToneTag>
                ),
            },
            {
              title: t(texts.common.actions),
              key: 'actions',
              render: (_, i) =>
                i.resolvedAt === null ? (
                  <Space wrap>
                    <Button size="small" onClick={() => setUpdating(i)}>
                      {t(texts.maintenance.update)}
                    </Button>
                    <Button
                      size="small"
                      type="primary"
                      onClick={() =>
                        setAsking({
                          title: `${t(texts.maintenance.resolveTitle)}: ${i.summary}`,
                          label: t(texts.maintenance.resolution),
                          run: async (resolution) => {
                            await graphql(RESOLVE, { id: i.id, resolution });
                            refresh();
                          },
                        })
                      }
                    >
                      {t(texts.maintenance.resolve)}
                    </Button>
                  </Space>
                ) : null,
            },
          ]}
        />
      </section>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <AnnounceForm onDone={refresh} />
        </Col>
        <Col xs={24} xl={12}>
          <RecordIncidentForm onDone={refresh} />
        </Col>
      </Row>
      <ChangeWindowModal window={changing} onClose={() => setChanging(undefined)} onDone={refresh} />
      <UpdateIncidentModal incident={updating} onClose={() => setUpdating(undefined)} onDone={refresh} />
      <ReasonModal request={asking} onClose={() => setAsking(undefined)} />
    </Space>
  );
}
