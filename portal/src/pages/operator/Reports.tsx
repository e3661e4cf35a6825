/**
 * The operator's reports: report(period, agency, format) answers a short-lived download link (`/reports/<token>` on
 * the gateway's origin); the page shows it as a download link with its expiry.
 */
import { Alert, Button, Card, DatePicker, Form, Radio, Select, Space, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { vietnamNow } from '../../shell/ui/vietnam-time.ts';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { graphql, useQuery } from '../../shell/graphql.ts';
import { useLang, useT } from '../../shell/i18n.tsx';
import { formatDateTime } from '../../shell/ui/format.ts';
import { texts } from './texts.ts';
import { Muted } from '../../shell/ui/Muted.tsx';

const AGENCIES = /* GraphQL */ `
  query OperatorReportAgencies {
    registryAgencies(status: ACTIVE) {
      code
      name
    }
  }
`;

const REPORT = /* GraphQL */ `
  query OperatorReport($period: String!, $agency: String, $format: ReportFormat, $environment: Environment) {
    report(period: $period, agency: $agency, format: $format, environment: $environment) {
      url
      expiresAt
      fileName
    }
  }
`;

type PeriodKind = 'day' | 'month' | 'quarter' | 'year';

/** The API's period string: `2026-11-05`, `2026-11`, `2026-Q4`, `2026`. */
export function periodOf(kind: PeriodKind, date: Dayjs): string {
  switch (kind) {
    case 'day':
      return date.format('YYYY-MM-DD');
    case 'month':
      return date.format('YYYY-MM');
    case 'quarter':
      return `${date.year()}-Q${Math.floor(date.month() / 3) + 1}`;
    case 'year':
      return String(date.year());
  }
}

interface ReportLink {
  url: string;
  expiresAt: string;
  fileName: string;
}

export function Reports() {
  const t = useT();
  const { lang } = useLang();
  const agencies = useQuery<{ registryAgencies: Array<{ code: string; name: string }> | null }>(AGENCIES);
  const [form] = Form.useForm<{ kind: PeriodKind; date: Dayjs; agency?: string; format: string; environment: string }>();
  const kind = Form.useWatch('kind', form) ?? 'month';
  const [link, setLink] = useState<ReportLink>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t(texts.reports.title)}</Typography.Title>
        <Typography.Paragraph>{t(texts.reports.intro)}</Typography.Paragraph>
      </div>
      <ErrorAlert error={agencies.error} />
      <Card>
        <Form
          name="report"
          form={form}
          layout="vertical"
          style={{ maxWidth: 640 }}
          initialValues={{ kind: 'month', date: vietnamNow(), format: 'PDF', environment: 'PRODUCTION' }}
          onFinish={async (v) => {
            setBusy(true);
            setError(undefined);
            setLink(undefined);
            try {
              const { report } = await graphql<{ report: ReportLink | null }>(REPORT, {
                period: periodOf(v.kind, v.date),
                agency: v.agency ?? null,
                format: v.format,
                environment: v.environment,
              });
              if (report !== null) setLink(report);
            } catch (e) {
              setError(e);
            } finally {
              setBusy(false);
            }
          }}
        >
          <Form.Item name="kind" label={t(texts.reports.periodKind)}>
            <Radio.Group optionType="button" options={(['day', 'month', 'quarter', 'year'] as const).map((k) => ({ value: k, label: t(texts.reports[k]) }))} />
          </Form.Item>
          <Form.Item name="date" label={t(texts.reports.period)} rules={[{ required: true, message: t(texts.common.required) }]}>
            <DatePicker picker={kind === 'day' ? 'date' : kind} disabledDate={(d) => d.isAfter(vietnamNow(), 'day')} />
          </Form.Item>
          <Form.Item name="agency" label={t(texts.common.agency)}>
            <Select
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              placeholder={t(texts.reports.wholeProvince)}
              options={(agencies.data?.registryAgencies ?? []).map((a) => ({ value: a.code, label: `${a.code} — ${a.name}` }))}
            />
          </Form.Item>
          <Form.Item name="format" label={t(texts.reports.format)}>
            <Radio.Group options={['PDF', 'XLSX', 'CSV'].map((f) => ({ value: f, label: f }))} />
          </Form.Item>
          <Form.Item name="environment" label={t(texts.reports.environment)}>
            <Radio.Group
              options={[
                { value: 'PRODUCTION', label: t(texts.agencies.production) },
                { value: 'TEST', label: t(texts.agencies.test) },
              ]}
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy}>
            {t(texts.reports.create)}
          </Button>
        </Form>
        <div style={{ marginTop: 16 }}>
          <ErrorAlert error={error} />
          {link !== undefined && (
            <Alert
              type="success"
              showIcon
              role="status"
              title={t(texts.reports.ready)}
              description={
                <Space orientation="vertical">
                  <a href={link.url} download={link.fileName}>
                    {t(texts.reports.download, { file: link.fileName })}
                  </a>
                  <Muted>{t(texts.reports.expires, { at: formatDateTime(link.expiresAt, lang) })}</Muted>
                </Space>
              }
            />
          )}
        </div>
      </Card>
    </Space>
  );
}
