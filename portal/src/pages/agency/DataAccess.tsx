/**
 * Who read the agency's data and why: the audit trail's records of queries whose counterpart (the provider of the
 * service read) is the agency (`auditRecords`, kind GRAPHQL): when, which agency and system, the declared purpose, the
 * fields and the outcome; filtered by period, reading agency, purpose and outcome, 50 at a time.
 */
import { Button, Form, Input, Select, Space, Table, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { graphql } from '../../shell/graphql.ts';
import { useLang, useT } from '../../shell/i18n.tsx';
import { DAY_MS, dateTime, vietnamToday } from './format.ts';
import { NoAgency, Page, ToneTag, useAgencyCode } from './Page.tsx';
import { texts } from './texts.ts';

export const DATA_ACCESS_QUERY = /* GraphQL */ `
  query AgencyDataAccesses($filter: AuditRecordFilter!, $after: String) {
    auditRecords(filter: $filter, first: 50, after: $after) {
      nodes {
        seq
        at
        agencyCode
        agency {
          name
        }
        system
        user
        purpose
        operation
        fields
        personalFields
        outcome
        errorCodes
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

interface AccessRecord {
  seq: number;
  at: string;
  agencyCode: string | null;
  agency: { name: string } | null;
  system: string | null;
  user: string | null;
  purpose: string | null;
  operation: string | null;
  fields: string[];
  personalFields: string[];
  outcome: string;
  errorCodes: string[];
}

interface Filters {
  from: string;
  to: string;
  agency: string;
  purpose: string;
  outcome: string;
}

const OUTCOMES = ['SUCCESS', 'PARTIAL', 'ERROR', 'REJECTED', 'DENIED'];
const OUTCOME_COLOR: Record<string, string> = { SUCCESS: 'success', PARTIAL: 'warning', ERROR: 'error', REJECTED: 'error', DENIED: 'error' };

/** A Vietnam day `YYYY-MM-DD` as the instant it starts. */
const dayStart = (day: string) => new Date(`${day}T00:00:00+07:00`).toISOString();

export function DataAccess() {
  const t = useT();
  const { lang } = useLang();
  const agency = useAgencyCode();
  const [form] = Form.useForm<Filters>();
  const today = vietnamToday();
  const initial: Filters = { from: vietnamToday(new Date(Date.now() - 30 * DAY_MS)), to: today, agency: '', purpose: '', outcome: '' };
  const [filters, setFilters] = useState<Filters>(initial);
  const [records, setRecords] = useState<AccessRecord[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [more, setMore] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>();

  const load = async (f: Filters, after: string | null) => {
    if (agency === undefined) return;
    setLoading(true);
    setError(undefined);
    try {
      const filter: Record<string, unknown> = {
        from: dayStart(f.from),
        to: new Date(Date.parse(dayStart(f.to)) + DAY_MS).toISOString(),
        counterpartAgency: agency,
        kind: 'GRAPHQL',
      };
      if (f.agency.trim() !== '') filter.agency = f.agency.trim();
      if (f.purpose.trim() !== '') filter.purpose = f.purpose.trim();
      if (f.outcome !== '') filter.outcome = f.outcome;
      const data = await graphql<{ auditRecords: { nodes: AccessRecord[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } | null }>(
        DATA_ACCESS_QUERY,
        { filter, after },
      );
      const page = data.auditRecords;
      setRecords((previous) => (after === null ? (page?.nodes ?? []) : [...previous, ...(page?.nodes ?? [])]));
      setCursor(page?.pageInfo.endCursor ?? null);
      setMore(page?.pageInfo.hasNextPage ?? false);
    } catch (e) {
      setError(e);
      if (after === null) setRecords([]);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load(filters, null);
  }, [filters, agency]);

  if (agency === undefined)
    return (
      <Page title={texts.dataAccess}>
        <NoAgency />
      </Page>
    );
  return (
    <Page title={texts.dataAccess} intro={texts.dataAccessIntro}>
      <Form<Filters>
        form={form}
        layout="inline"
        initialValues={initial}
        onFinish={(values) => setFilters({ ...values, agency: values.agency ?? '', purpose: values.purpose ?? '', outcome: values.outcome ?? '' })}
        style={{ rowGap: 12 }}
      >
        <Form.Item name="from" label={t(texts.dateFrom)} rules={[{ required: true }]}>
          <Input type="date" max={today} />
        </Form.Item>
        <Form.Item
          name="to"
          label={t(texts.dateTo)}
          dependencies={['from']}
          rules={[
            { required: true },
            ({ getFieldValue }) => ({
              validator: (_, value: string) => (value >= (getFieldValue('from') as string) ? Promise.resolve() : Promise.reject(new Error(t(texts.badRange)))),
            }),
          ]}
        >
          <Input type="date" />
        </Form.Item>
        <Form.Item name="agency" label={t(texts.actingAgency)} tooltip={t(texts.actingAgencyHint)}>
          <Input placeholder="000.00.04.H41" style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="purpose" label={t(texts.purpose)} tooltip={t(texts.purposeHint)}>
          <Input placeholder="public-service" style={{ width: 180 }} />
        </Form.Item>
        <Form.Item name="outcome" label={t(texts.outcome)} htmlFor="access-outcome">
          <Select
            id="access-outcome"
            style={{ width: 160 }}
            options={[{ value: '', label: t(texts.any) }, ...OUTCOMES.map((o) => ({ value: o, label: t(texts.outcomes[o]!) }))]}
          />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit">
            {t(texts.search)}
          </Button>
        </Form.Item>
      </Form>
      <ErrorAlert error={error} />
      <Table
        aria-label={t(texts.dataAccessTable)}
        loading={loading}
        rowKey="seq"
        size="small"
        pagination={false}
        dataSource={records}
        locale={{ emptyText: t(texts.none) }}
        columns={[
          { title: t(texts.at), dataIndex: 'at', render: (v: string) => dateTime(v, lang), width: 150 },
          {
            title: t(texts.agency),
            key: 'agency',
            render: (_: unknown, r: AccessRecord) => (
              <>
                <div>{r.agency?.name ?? r.agencyCode ?? '—'}</div>
                {r.agencyCode !== null ? <Typography.Text type="secondary">{r.agencyCode}</Typography.Text> : null}
              </>
            ),
          },
          { title: t(texts.system), key: 'system', render: (_: unknown, r: AccessRecord) => r.system ?? r.user ?? '—' },
          { title: t(texts.purpose), dataIndex: 'purpose', render: (v: string | null) => v ?? '—' },
          {
            title: t(texts.fields),
            key: 'fields',
            render: (_: unknown, r: AccessRecord) => (
              <>
                <div style={{ maxWidth: 380, wordBreak: 'break-word' }}>{r.fields.join(', ') || '—'}</div>
                {r.personalFields.length > 0 ? (
                  <Typography.Text type="secondary">
                    {r.personalFields.length} {t(texts.personalFields)}
                  </Typography.Text>
                ) : null}
              </>
            ),
          },
          {
            title: t(texts.outcome),
            dataIndex: 'outcome',
            render: (o: string, r: AccessRecord) => (
              <ToneTag tone={OUTCOME_COLOR[o] ?? 'default'} title={r.errorCodes.join(', ')}>
                {texts.outcomes[o] !== undefined ? t(texts.outcomes[o]) : o}
              </ToneTag>
            ),
          },
        ]}
      />
      {more ? (
        <Space>
          <Button onClick={() => void load(filters, cursor)} loading={loading}>
            {t(texts.loadMore)}
          </Button>
        </Space>
      ) : null}
    </Page>
  );
}
