/**
 * The operator's audit search: auditRecords by period and filters, personalDataAccesses for one subject (who read a
 * person's or business's data), and the audit chain's verification status (auditChainStatus). Every search is itself
 * recorded by the monitoring service.
 */
import { Button, Card, Col, Descriptions, Form, Input, Row, Select, Space, Table, Typography, Alert } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { vietnamInstant, vietnamNow } from '../../shell/ui/vietnam-time.ts';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { graphql, useQuery } from '../../shell/graphql.ts';
import { useLang, useT } from '../../shell/i18n.tsx';
import { formatDateTime } from '../../shell/ui/format.ts';
import { texts } from './texts.ts';
import { Muted } from '../../shell/ui/Muted.tsx';
import { ToneTag } from '../../shell/ui/ToneTag.tsx';
import { RangeField } from '../../shell/ui/RangeField.tsx';
import { AUDIT_PROBE } from './queries.ts';
import { SectionCard } from '../../shell/ui/form.tsx';

const RECORD_FIELDS = /* GraphQL */ `
  fragment OperatorAuditRecord on AuditRecord {
    seq
    at
    kind
    requestId
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
    counterpartAgencyCode
    outcome
    errorCodes
  }
`;

const AUDIT_RECORDS = /* GraphQL */ `
  query OperatorAuditRecords($filter: AuditRecordFilter!, $after: String) {
    auditRecords(filter: $filter, first: 50, after: $after) {
      nodes {
        ...OperatorAuditRecord
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
  ${RECORD_FIELDS}
`;

const PERSONAL_ACCESSES = /* GraphQL */ `
  query OperatorPersonalDataAccesses($subject: String!, $subjectKind: SubjectKind, $from: DateTime!, $to: DateTime!, $after: String) {
    personalDataAccesses(subject: $subject, subjectKind: $subjectKind, from: $from, to: $to, first: 50, after: $after) {
      nodes {
        ...OperatorAuditRecord
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
  ${RECORD_FIELDS}
`;

interface ChainStatus {
  verified: boolean;
  verifiedThroughSeq: number | null;
  verifiedAt: string | null;
  lastFullVerificationAt: string | null;
  lastCheckpoint: { seq: number; at: string; keyId: string } | null;
  headSeq: number | null;
  firstProblem: { kind: string; seq: number; detail: string } | null;
}
export interface AuditRecordRow {
  seq: number;
  at: string;
  kind: string;
  requestId: string | null;
  agencyCode: string | null;
  agency: { name: string } | null;
  system: string | null;
  user: string | null;
  purpose: string | null;
  operation: string | null;
  fields: string[];
  personalFields: string[];
  counterpartAgencyCode: string | null;
  outcome: string;
  errorCodes: string[];
}
interface Page {
  nodes: AuditRecordRow[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const OUTCOMES = ['SUCCESS', 'PARTIAL', 'ERROR', 'REJECTED', 'DENIED'];
const KINDS = ['GRAPHQL', 'SERVED', 'RELAY', 'CHANGE', 'LOGIN', 'OPERATION'];

function ChainCard() {
  const t = useT();
  const { lang } = useLang();
  const { data, error, loading, reload } = useQuery<{ auditChainStatus: ChainStatus | null }>(AUDIT_PROBE);
  const s = data?.auditChainStatus;
  return (
    <Card
      loading={loading}
      title={
        <Typography.Title level={2} style={{ margin: 0, fontSize: 18 }}>
          {t(texts.audit.chain)}
        </Typography.Title>
      }
      extra={<Button onClick={reload}>{t(texts.common.reload)}</Button>}
      data-testid="chain-status"
    >
      <ErrorAlert error={error} />
      {s !== undefined && s !== null && (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Alert type={s.verified ? 'success' : 'error'} showIcon title={t(s.verified ? texts.audit.chainOk : texts.audit.chainBroken)} />
          <Descriptions size="small" column={{ xs: 1, md: 2 }} bordered>
            <Descriptions.Item label={t(texts.audit.verifiedThrough)}>
              {s.verifiedThroughSeq ?? '—'}
              {s.headSeq !== null ? ` / ${s.headSeq}` : ''}
            </Descriptions.Item>
            <Descriptions.Item label={t(texts.audit.verifiedAt)}>{formatDateTime(s.verifiedAt, lang)}</Descriptions.Item>
            <Descriptions.Item label={t(texts.audit.lastFull)}>{formatDateTime(s.lastFullVerificationAt, lang)}</Descriptions.Item>
            <Descriptions.Item label={t(texts.audit.checkpoint)}>
              {s.lastCheckpoint === null ? '—' : `#${s.lastCheckpoint.seq} · ${formatDateTime(s.lastCheckpoint.at, lang)} · ${s.lastCheckpoint.keyId}`}
            </Descriptions.Item>
            {s.firstProblem !== null && (
              <Descriptions.Item label={t(texts.audit.firstProblem)} span={2}>
                #{s.firstProblem.seq} ({s.firstProblem.kind}): {s.firstProblem.detail}
              </Descriptions.Item>
            )}
          </Descriptions>
        </Space>
      )}
    </Card>
  );
}

/** A table of audit records, newest first as the API answers. */
export function RecordsTable({ rows, label, loading }: { rows: AuditRecordRow[]; label: string; loading?: boolean }) {
  const t = useT();
  const { lang } = useLang();
  return (
    <Table<AuditRecordRow>
      aria-label={label}
      rowKey="seq"
      size="small"
      loading={loading ?? false}
      dataSource={rows}
      locale={{ emptyText: <Muted>{t(texts.audit.noRecords)}</Muted> }}
      pagination={{ pageSize: 25, hideOnSinglePage: true }}
      columns={[
        { title: '#', dataIndex: 'seq' },
        { title: t(texts.audit.at), dataIndex: 'at', render: (v: string) => formatDateTime(v, lang) },
        { title: t(texts.audit.kind), dataIndex: 'kind' },
        {
          title: t(texts.audit.who),
          key: 'who',
          render: (_, r) => (
            <>
              {r.agency?.name ?? r.agencyCode ?? '—'}
              {r.agencyCode !== null && r.agency !== null ? ` (${r.agencyCode})` : ''}
              {r.system !== null && (
                <>
                  <br />
                  <Muted>{r.system}</Muted>
                </>
              )}
              {r.user !== null && (
                <>
                  <br />
                  <Muted>{r.user}</Muted>
                </>
              )}
            </>
          ),
        },
        { title: t(texts.audit.operation), dataIndex: 'operation', render: (v: string | null) => v ?? '—' },
        { title: t(texts.audit.purpose), dataIndex: 'purpose', render: (v: string | null) => v ?? '—' },
        {
          title: t(texts.audit.personalFields),
          key: 'fields',
          render: (_, r) => {
            const list = r.personalFields.length > 0 ? r.personalFields : r.fields;
            return list.length > 3 ? `${list.slice(0, 3).join(', ')} … (+${list.length - 3})` : list.join(', ');
          },
        },
        { title: t(texts.audit.counterpart), dataIndex: 'counterpartAgencyCode', render: (v: string | null) => v ?? '—' },
        {
          title: t(texts.audit.outcome),
          key: 'outcome',
          render: (_, r) => (
            <ToneTag tone={r.outcome === 'SUCCESS' ? 'green' : r.outcome === 'PARTIAL' ? 'orange' : 'red'}>
              {r.outcome}
              {r.errorCodes.length > 0 ? `: ${r.errorCodes.join(', ')}` : ''}
            </ToneTag>
          ),
        },
      ]}
    />
  );
}

function usePaged() {
  const [rows, setRows] = useState<AuditRecordRow[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(false);
  const [searched, setSearched] = useState(false);
  const load = async (fetchPage: (after: string | null) => Promise<Page>, append: boolean) => {
    setLoading(true);
    setError(undefined);
    try {
      const page = await fetchPage(append ? cursor : null);
      setRows((previous) => (append ? [...previous, ...page.nodes] : page.nodes));
      setCursor(page.pageInfo.endCursor);
      setMore(page.pageInfo.hasNextPage);
      setSearched(true);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  return { rows, more, error, loading, searched, load };
}

type Range = [Dayjs, Dayjs];

/** The period a search covers: dates and times, Vietnam time. */
function PeriodItem() {
  const t = useT();
  return (
    <Col xs={24} lg={12}>
      <Form.Item name="range" label={t(texts.common.period)} rules={[{ required: true, message: t(texts.common.required) }]}>
        <RangeField endLabel={t(texts.common.period)} showTime style={{ width: '100%' }} />
      </Form.Item>
    </Col>
  );
}

function SearchButton({ loading }: { loading: boolean }) {
  const t = useT();
  return (
    <Button type="primary" htmlType="submit" loading={loading}>
      {t(texts.common.search)}
    </Button>
  );
}

/** A search's error, then its records once searched, with "load more" while there are more. */
function SearchResults({ paged, label, onMore }: { paged: ReturnType<typeof usePaged>; label: string; onMore: (() => void) | undefined }) {
  const t = useT();
  return (
    <>
      <ErrorAlert error={paged.error} />
      {paged.searched && (
        <div style={{ marginTop: 16 }}>
          <RecordsTable rows={paged.rows} label={label} loading={paged.loading} />
          {paged.more && onMore !== undefined && <Button onClick={onMore}>{t(texts.common.loadMore)}</Button>}
        </div>
      )}
    </>
  );
}
const defaultRange = (): Range => [vietnamNow().subtract(1, 'day'), vietnamNow().add(1, 'minute')];
const optional = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

function RecordsSearch() {
  const t = useT();
  const [form] = Form.useForm<{
    range: Range;
    agency?: string;
    counterpartAgency?: string;
    purpose?: string;
    outcome?: string;
    kind?: string;
    requestId?: string;
  }>();
  const paged = usePaged();
  const [filter, setFilter] = useState<Record<string, unknown>>();
  const fetchPage = (f: Record<string, unknown>) => (after: string | null) =>
    graphql<{ auditRecords: Page }>(AUDIT_RECORDS, { filter: f, after }).then((d) => d.auditRecords);
  return (
    <SectionCard title={t(texts.audit.records)}>
      <Form
        name="audit-records"
        form={form}
        layout="vertical"
        initialValues={{ range: defaultRange() }}
        onFinish={(v) => {
          const f: Record<string, unknown> = { from: vietnamInstant(v.range[0]), to: vietnamInstant(v.range[1]) };
          for (const key of ['agency', 'counterpartAgency', 'purpose', 'outcome', 'kind', 'requestId'] as const) {
            const value = optional(v[key]);
            if (value !== undefined) f[key] = value;
          }
          setFilter(f);
          void paged.load(fetchPage(f), false);
        }}
      >
        <Row gutter={12}>
          <PeriodItem />
          <Col xs={24} md={12} lg={6}>
            <Form.Item name="agency" label={t(texts.common.agency)}>
              <Input placeholder="000.00.02.H41" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12} lg={6}>
            <Form.Item name="counterpartAgency" label={t(texts.audit.counterpart)}>
              <Input placeholder="000.00.03.H41" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8} lg={6}>
            <Form.Item name="purpose" label={t(texts.audit.purpose)}>
              <Input placeholder="ho-so-mot-cua" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8} lg={6}>
            <Form.Item name="outcome" label={t(texts.audit.outcome)}>
              <Select allowClear placeholder={t(texts.audit.any)} options={OUTCOMES.map((o) => ({ value: o, label: o }))} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8} lg={6}>
            <Form.Item name="kind" label={t(texts.audit.kind)}>
              <Select allowClear placeholder={t(texts.audit.any)} options={KINDS.map((k) => ({ value: k, label: k }))} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8} lg={6}>
            <Form.Item name="requestId" label={t(texts.audit.requestId)}>
              <Input />
            </Form.Item>
          </Col>
        </Row>
        <SearchButton loading={paged.loading} />
      </Form>
      <SearchResults paged={paged} label={t(texts.audit.records)} onMore={filter !== undefined ? () => void paged.load(fetchPage(filter), true) : undefined} />
    </SectionCard>
  );
}

function SubjectSearch() {
  const t = useT();
  const [form] = Form.useForm<{ subject: string; subjectKind: string; range: Range }>();
  const paged = usePaged();
  const [args, setArgs] = useState<Record<string, unknown>>();
  const fetchPage = (a: Record<string, unknown>) => (after: string | null) =>
    graphql<{ personalDataAccesses: Page }>(PERSONAL_ACCESSES, { ...a, after }).then((d) => d.personalDataAccesses);
  return (
    <SectionCard title={t(texts.audit.subjectSearch)}>
      <Form
        name="audit-subject"
        form={form}
        layout="vertical"
        initialValues={{ subjectKind: 'PERSONAL_ID', range: [vietnamNow().subtract(30, 'day'), vietnamNow().add(1, 'minute')] }}
        onFinish={(v) => {
          const a = { subject: v.subject.trim(), subjectKind: v.subjectKind, from: vietnamInstant(v.range[0]), to: vietnamInstant(v.range[1]) };
          setArgs(a);
          void paged.load(fetchPage(a), false);
        }}
      >
        <Row gutter={12}>
          <Col xs={24} md={8}>
            <Form.Item name="subjectKind" label={t(texts.audit.subjectKind)}>
              <Select
                options={[
                  { value: 'PERSONAL_ID', label: t(texts.audit.PERSONAL_ID) },
                  { value: 'ENTERPRISE_CODE', label: t(texts.audit.ENTERPRISE_CODE) },
                ]}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={16}>
            <Form.Item name="subject" label={t(texts.audit.subject)} rules={[{ required: true, whitespace: true, message: t(texts.common.required) }]}>
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
          <PeriodItem />
        </Row>
        <SearchButton loading={paged.loading} />
      </Form>
      <SearchResults
        paged={paged}
        label={t(texts.audit.subjectSearch)}
        onMore={args !== undefined ? () => void paged.load(fetchPage(args), true) : undefined}
      />
    </SectionCard>
  );
}

export function Audit() {
  const t = useT();
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t(texts.audit.title)}</Typography.Title>
        <Typography.Paragraph>{t(texts.audit.intro)}</Typography.Paragraph>
      </div>
      <ChainCard />
      <RecordsSearch />
      <SubjectSearch />
    </Space>
  );
}
