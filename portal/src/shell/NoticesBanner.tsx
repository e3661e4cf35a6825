/**
 * Notices for everyone signed in: maintenance windows announced ahead (≥ 24 h, DL) and open incidents, from the
 * registry through the gateway.
 */
import { Alert, Space } from 'antd';
import { useMemo } from 'react';
import { useQuery } from './graphql.ts';
import { useLang } from './i18n.tsx';

const NOTICES = /* GraphQL */ `
  query PortalNotices($from: String) {
    maintenanceWindows(from: $from) {
      id
      summary
      status
      startsAt
      endsAt
      emergency
    }
    incidents(open: true) {
      id
      summary
      startedAt
      expectedFixAt
    }
  }
`;

interface Notices {
  maintenanceWindows: Array<{ id: string; summary: string; status: string; startsAt: string; endsAt: string; emergency: boolean }> | null;
  incidents: Array<{ id: string; summary: string; startedAt: string; expectedFixAt: string | null }> | null;
}

export function NoticesBanner() {
  const { lang } = useLang();
  const from = useMemo(() => new Date().toISOString(), []);
  const { data } = useQuery<Notices>(NOTICES, { from });
  const when = (iso: string) => new Date(iso).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: 'Asia/Ho_Chi_Minh' });
  const windows = data?.maintenanceWindows ?? [];
  const incidents = data?.incidents ?? [];
  if (windows.length === 0 && incidents.length === 0) return null;
  return (
    <Space orientation="vertical" style={{ width: '100%', marginBottom: 16 }} data-testid="notices">
      {windows.map((w) => (
        <Alert
          key={w.id}
          type="warning"
          showIcon
          title={`${lang === 'vi' ? 'Bảo trì' : 'Maintenance'}: ${w.summary} (${when(w.startsAt)} – ${when(w.endsAt)})`}
        />
      ))}
      {incidents.map((i) => (
        <Alert key={i.id} type="error" showIcon title={`${lang === 'vi' ? 'Sự cố' : 'Incident'}: ${i.summary} (${when(i.startedAt)})`} />
      ))}
    </Space>
  );
}
