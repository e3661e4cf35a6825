/**
 * Packets sent and received (relay): the inbox (`inbox`, packets addressed to the agency) and the packets the agency
 * sent in the last 30 days — the relay has no "sent by my agency" list, so they are found in the audit trail's relay
 * records where the agency acted (`auditRecords`, kind RELAY) and read with `packet(id)` — each with its status and,
 * on demand, its status history (`packetStatusHistory`).
 */
import { Button, Card, Modal, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { useQuery } from '../../shell/graphql.ts';
import { useLang, useT } from '../../shell/i18n.tsx';
import { DAY_MS, dateTime } from './format.ts';
import { NoAgency, Page, ToneTag, useAgencyCode } from './Page.tsx';
import { packetStates, texts } from './texts.ts';

const PACKET_FIELDS = 'id title dataType status sourceAgencyCode createdAt deliveries { agencyCode status deliveredAt updatedAt }';

export const INBOX_QUERY = /* GraphQL */ `
  query AgencyInbox {
    inbox(first: 50) {
      edges {
        node { ${PACKET_FIELDS} }
      }
    }
  }
`;

const SENT_RECORDS_QUERY = /* GraphQL */ `
  query AgencySentPackets($filter: AuditRecordFilter!) {
    auditRecords(filter: $filter, first: 100) {
      nodes {
        entityId
        operation
      }
    }
  }
`;

const HISTORY_QUERY = /* GraphQL */ `
  query PacketHistory($id: ID!) {
    packetStatusHistory(id: $id) {
      status
      at
      recipient
      detail
    }
  }
`;

interface PacketRow {
  id: string;
  title: string;
  dataType: string;
  status: string;
  sourceAgencyCode: string;
  createdAt: string;
  deliveries: Array<{ agencyCode: string; status: string; deliveredAt: string | null; updatedAt: string }>;
}

const COLOR: Record<string, string> = { DELIVERED: 'success', REJECTED: 'error', EXPIRED: 'error', UNDELIVERABLE: 'error' };

function PacketTag({ status }: { status: string }) {
  const t = useT();
  return <ToneTag tone={COLOR[status] ?? 'processing'}>{packetStates[status] !== undefined ? t(packetStates[status]) : status}</ToneTag>;
}

function StatusHistory({ id, onClose }: { id: string; onClose(): void }) {
  const t = useT();
  const { lang } = useLang();
  const { data, error, loading } = useQuery<{
    packetStatusHistory: Array<{ status: string; at: string; recipient: string | null; detail: string | null }> | null;
  }>(HISTORY_QUERY, { id });
  return (
    <Modal open title={t(texts.statusHistoryOf, { id })} onCancel={onClose} footer={<Button onClick={onClose}>{t(texts.close)}</Button>} width={720}>
      <ErrorAlert error={error} />
      <Table
        aria-label={t(texts.statusHistory)}
        size="small"
        loading={loading}
        rowKey={(r) => `${r.at}-${r.status}-${r.recipient ?? ''}`}
        pagination={false}
        dataSource={data?.packetStatusHistory ?? []}
        columns={[
          { title: t(texts.at), dataIndex: 'at', render: (v: string) => dateTime(v, lang) },
          { title: t(texts.status), dataIndex: 'status', render: (s: string) => <PacketTag status={s} /> },
          { title: t(texts.recipient), dataIndex: 'recipient', render: (v: string | null) => v ?? '—' },
          { title: t(texts.detail), dataIndex: 'detail', render: (v: string | null) => v ?? '—' },
        ]}
      />
    </Modal>
  );
}

/** The packets of `ids`, read in one operation (aliases), those the agency sent. */
function useSentPackets(ids: string[], agency: string) {
  const query = useMemo(
    () =>
      ids.length === 0
        ? '{ __typename }'
        : `query AgencySentPacketDetails(${ids.map((_, i) => `$p${i}: ID!`).join(', ')}) { ${ids.map((_, i) => `p${i}: packet(id: $p${i}) { ${PACKET_FIELDS} }`).join(' ')} }`,
    [ids.join(',')],
  );
  const variables = Object.fromEntries(ids.map((id, i) => [`p${i}`, id]));
  const state = useQuery<Record<string, PacketRow | null>>(query, variables, { skip: ids.length === 0 });
  const packets = Object.values(state.data ?? {})
    .filter((p): p is PacketRow => p !== null && typeof p === 'object' && p.sourceAgencyCode === agency)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return { ...state, packets };
}

function PacketTable({
  rows,
  loading,
  label,
  sent,
  onHistory,
}: {
  rows: PacketRow[];
  loading: boolean;
  label: string;
  sent: boolean;
  onHistory(id: string): void;
}) {
  const t = useT();
  const { lang } = useLang();
  return (
    <Table
      aria-label={label}
      loading={loading}
      rowKey="id"
      size="small"
      pagination={{ pageSize: 10, hideOnSinglePage: true }}
      dataSource={rows}
      locale={{ emptyText: t(texts.none) }}
      columns={[
        { title: t(texts.createdAt), dataIndex: 'createdAt', render: (v: string) => dateTime(v, lang) },
        { title: t(texts.title), dataIndex: 'title' },
        { title: t(texts.dataType), dataIndex: 'dataType', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
        sent
          ? { title: t(texts.to), key: 'to', render: (_: unknown, p: PacketRow) => p.deliveries.map((d) => d.agencyCode).join(', ') }
          : { title: t(texts.from), dataIndex: 'sourceAgencyCode' },
        { title: t(texts.status), dataIndex: 'status', render: (s: string) => <PacketTag status={s} /> },
        {
          title: t(texts.deliveries),
          key: 'deliveries',
          render: (_: unknown, p: PacketRow) =>
            p.deliveries.map((d) => (
              <div key={d.agencyCode}>
                {d.agencyCode} <PacketTag status={d.status} />
              </div>
            )),
        },
        {
          title: t(texts.statusHistory),
          key: 'history',
          render: (_: unknown, p: PacketRow) => (
            <Button size="small" onClick={() => onHistory(p.id)} aria-label={`${t(texts.statusHistory)}: ${p.title}`}>
              {t(texts.statusHistory)}
            </Button>
          ),
        },
      ]}
    />
  );
}

export function Packets() {
  const t = useT();
  const agency = useAgencyCode();
  const [history, setHistory] = useState<string | undefined>();
  const range = useMemo(() => {
    const to = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 60_000);
    return { from: new Date(to.getTime() - 30 * DAY_MS).toISOString(), to: to.toISOString() };
  }, []);
  const inbox = useQuery<{ inbox: { edges: Array<{ node: PacketRow }> } | null }>(INBOX_QUERY, {}, { skip: agency === undefined });
  const records = useQuery<{ auditRecords: { nodes: Array<{ entityId: string | null; operation: string | null }> } | null }>(
    SENT_RECORDS_QUERY,
    { filter: { ...range, agency, kind: 'RELAY' } },
    { skip: agency === undefined },
  );
  const ids = [...new Set((records.data?.auditRecords?.nodes ?? []).map((n) => n.entityId).filter((id): id is string => id !== null))].slice(0, 50);
  const sent = useSentPackets(ids, agency ?? '');
  if (agency === undefined)
    return (
      <Page title={texts.packets}>
        <NoAgency />
      </Page>
    );
  const h2 = (text: string) => (
    <Typography.Title level={2} style={{ margin: 0, fontSize: 18 }}>
      {text}
    </Typography.Title>
  );
  return (
    <Page title={texts.packets}>
      <Card title={h2(t(texts.received))}>
        <ErrorAlert error={inbox.error} />
        <PacketTable
          rows={(inbox.data?.inbox?.edges ?? []).map((e) => e.node)}
          loading={inbox.loading}
          label={t(texts.received)}
          sent={false}
          onHistory={setHistory}
        />
      </Card>
      <Card title={h2(t(texts.sent))}>
        <ErrorAlert error={records.error ?? sent.error} />
        <PacketTable rows={sent.packets} loading={records.loading || sent.loading} label={t(texts.sent)} sent onHistory={setHistory} />
      </Card>
      {history !== undefined ? <StatusHistory id={history} onClose={() => setHistory(undefined)} /> : null}
    </Page>
  );
}
