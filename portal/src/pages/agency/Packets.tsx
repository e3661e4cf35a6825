/**
 * Packets sent and received (relay): the inbox (`inbox`, packets addressed to the agency) and the packets the agency
 * sent in the last 30 days (`outbox`, newest first, 50 a page with "load more"), each with its status and every
 * recipient's delivery, and on demand its status history (`packetStatusHistory`).
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

export const OUTBOX_QUERY = /* GraphQL */ `
  query AgencyOutbox($from: String, $to: String, $after: String) {
    outbox(first: 50, from: $from, to: $to, after: $after) {
      edges {
        node { ${PACKET_FIELDS} }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

interface OutboxAnswer {
  outbox: { edges: Array<{ node: PacketRow }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } | null;
}

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
  // Pages of the outbox already shown, and the cursor of the page being read.
  const [earlier, setEarlier] = useState<PacketRow[]>([]);
  const [after, setAfter] = useState<string | null>(null);
  const outbox = useQuery<OutboxAnswer>(OUTBOX_QUERY, { ...range, after }, { skip: agency === undefined });
  const page = outbox.loading ? [] : (outbox.data?.outbox?.edges ?? []).map((e) => e.node);
  const sentRows = [...earlier, ...page];
  const pageInfo = outbox.loading ? undefined : outbox.data?.outbox?.pageInfo;
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
        <ErrorAlert error={outbox.error} />
        <PacketTable rows={sentRows} loading={outbox.loading} label={t(texts.sent)} sent onHistory={setHistory} />
        {pageInfo?.hasNextPage === true && pageInfo.endCursor !== null ? (
          <Button
            style={{ marginTop: 12 }}
            onClick={() => {
              setEarlier(sentRows);
              setAfter(pageInfo.endCursor);
            }}
          >
            {t(texts.loadMore)}
          </Button>
        ) : null}
      </Card>
      {history !== undefined ? <StatusHistory id={history} onClose={() => setHistory(undefined)} /> : null}
    </Page>
  );
}
