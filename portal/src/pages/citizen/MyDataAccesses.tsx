/**
 * A citizen's right to know (Law 91/2025): myDataAccesses over a period they pick — which agency and system read
 * their data (or their enterprise's), when, which fields, for what purpose — said in plain Vietnamese.
 */
import { Button, Card, Empty, Form, Space, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { vietnamDayEnd, vietnamDayStart, vietnamNow } from '../../shell/ui/vietnam-time.ts';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { graphql } from '../../shell/graphql.ts';
import { useLang, useT, type Text } from '../../shell/i18n.tsx';
import { useSession } from '../../shell/session.tsx';
import { formatDateTime } from '../../shell/ui/format.ts';
import { texts } from './texts.ts';
import { Muted } from '../../shell/ui/Muted.tsx';
import { ToneTag } from '../../shell/ui/ToneTag.tsx';
import { RangeField } from '../../shell/ui/RangeField.tsx';

export const MY_DATA_ACCESSES = /* GraphQL */ `
  query MyDataAccesses($from: DateTime!, $to: DateTime!, $after: String) {
    myDataAccesses(from: $from, to: $to, first: 50, after: $after) {
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
        fields
        personalFields
        outcome
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export interface AccessRecord {
  seq: number;
  at: string;
  agencyCode: string | null;
  agency: { name: string } | null;
  system: string | null;
  user: string | null;
  purpose: string | null;
  fields: string[];
  personalFields: string[];
  outcome: string;
}
interface Page {
  nodes: AccessRecord[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** `residence-management:HS-2026-000123` → "Quản lý cư trú (hồ sơ HS-2026-000123)". */
export function purposeText(purpose: string | null, t: (text: Text, values?: Record<string, string | number>) => string): string {
  if (purpose === null || purpose.trim() === '') return t(texts.accesses.noPurpose);
  const [category = '', ...rest] = purpose.split(':');
  const reference = rest.join(':');
  const known = texts.purposes[category];
  const label = known !== undefined ? t(known) : category;
  return reference !== '' ? t(texts.accesses.purposeRef, { purpose: label, ref: reference }) : label;
}

/**
 * `Citizen.dateOfBirth`, `Citizen.permanentAddress` → "ngày sinh, nơi thường trú" (each once, in order). The root
 * field that led there (`Query.citizen`) is no datum of the person's: left out, so the sentence does not say "citizen".
 */
export function fieldsText(record: Pick<AccessRecord, 'fields' | 'personalFields'>, t: (text: Text) => string): string {
  const all = record.personalFields.length > 0 ? record.personalFields : record.fields;
  const coordinates = all.filter((c) => !/^(Query|Mutation|Subscription)\./.test(c));
  const names = coordinates.map((c) => {
    const field = c.includes('.') ? c.slice(c.lastIndexOf('.') + 1) : c;
    const known = texts.fields[field];
    return known !== undefined ? t(known) : field;
  });
  const unique = [...new Set(names)];
  return unique.length > 0 ? unique.join(', ') : t(texts.accesses.yourData);
}

type Range = [Dayjs, Dayjs];

export function MyDataAccesses() {
  const t = useT();
  const { lang } = useLang();
  const session = useSession();
  const [form] = Form.useForm<{ range: Range }>();
  const [range, setRange] = useState<Range>(() => [vietnamNow().subtract(30, 'day').startOf('day'), vietnamNow().endOf('day')]);
  const [rows, setRows] = useState<AccessRecord[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);

  const load = async (r: Range, after: string | null) => {
    setLoading(true);
    setError(undefined);
    try {
      const { myDataAccesses } = await graphql<{ myDataAccesses: Page | null }>(MY_DATA_ACCESSES, {
        from: vietnamDayStart(r[0]),
        to: vietnamDayEnd(r[1]),
        after,
      });
      const page = myDataAccesses ?? { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } };
      setRows((previous) => (after === null ? page.nodes : [...previous, ...page.nodes]));
      setCursor(page.pageInfo.endCursor);
      setMore(page.pageInfo.hasNextPage);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load(range, null);
  }, [range]);

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t(texts.accesses.title)}</Typography.Title>
        <Typography.Paragraph>{t(texts.accesses.intro)}</Typography.Paragraph>
      </div>
      <Card>
        <Form form={form} name="accesses" layout="inline" initialValues={{ range }} onFinish={(v) => setRange(v.range)}>
          <Form.Item name="range" label={t(texts.accesses.period)} rules={[{ required: true }]}>
            <RangeField
              endLabel={t(texts.accesses.period)}
              format="DD/MM/YYYY"
              allowClear={false}
              disabledDate={(d) => d.isAfter(vietnamNow(), 'day')}
              presets={[
                { label: lang === 'vi' ? '7 ngày qua' : 'Last 7 days', value: [vietnamNow().subtract(7, 'day'), vietnamNow()] },
                { label: lang === 'vi' ? '30 ngày qua' : 'Last 30 days', value: [vietnamNow().subtract(30, 'day'), vietnamNow()] },
                { label: lang === 'vi' ? '3 tháng qua' : 'Last 3 months', value: [vietnamNow().subtract(3, 'month'), vietnamNow()] },
                { label: lang === 'vi' ? '1 năm qua' : 'Last year', value: [vietnamNow().subtract(1, 'year'), vietnamNow()] },
              ]}
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={loading}>
            {t(texts.accesses.show)}
          </Button>
        </Form>
      </Card>
      <ErrorAlert error={error} />
      <section aria-labelledby="accesses-heading">
        <Typography.Title level={2} style={{ fontSize: 20 }} id="accesses-heading">
          {t(texts.accesses.list)} {!loading && error === undefined && <Tag>{t(texts.accesses.count, { n: rows.length })}</Tag>}
        </Typography.Title>
        {!loading && error === undefined && rows.length === 0 && <Empty description={t(texts.accesses.empty)} />}
        <ol style={{ listStyle: 'none', padding: 0, margin: 0 }} data-testid="my-data-accesses">
          {rows.map((r) => {
            const refused = r.outcome !== 'SUCCESS' && r.outcome !== 'PARTIAL';
            const agency = r.agency?.name ?? r.agencyCode ?? '—';
            const self = r.user !== null && (r.user === session.user.username || r.user === session.user.subject);
            return (
              <li key={r.seq} style={{ marginBottom: 12 }}>
                <Card size="small">
                  <Typography.Paragraph style={{ marginBottom: 4 }}>
                    <Typography.Text strong>{formatDateTime(r.at, lang)}</Typography.Text> —{' '}
                    {self ? (
                      t(texts.accesses.selfSentence, { fields: fieldsText(r, t) })
                    ) : (
                      <>
                        {t(texts.accesses.sentence, { agency, fields: fieldsText(r, t) })}
                        {r.system !== null && <> {t(texts.accesses.via, { system: r.system })}</>}
                        {r.user !== null && <>, {t(texts.accesses.by, { user: r.user })}</>}
                      </>
                    )}
                    .
                  </Typography.Paragraph>
                  <Typography.Text>
                    {t(texts.accesses.purpose)}: <Typography.Text strong>{purposeText(r.purpose, t)}</Typography.Text>
                  </Typography.Text>
                  {r.agencyCode !== null && r.agency !== null && <Muted> · {r.agencyCode}</Muted>}
                  {refused && (
                    <div>
                      <ToneTag tone="default">{t(texts.accesses.refused)}</ToneTag>
                    </div>
                  )}
                </Card>
              </li>
            );
          })}
        </ol>
        {more && (
          <Button onClick={() => void load(range, cursor)} loading={loading}>
            {t(texts.accesses.loadMore)}
          </Button>
        )}
      </section>
    </Space>
  );
}
