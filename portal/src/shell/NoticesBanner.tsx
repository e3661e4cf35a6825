/**
 * Notices for everyone signed in (DL:12.6, DL:13.5): maintenance windows not over yet — announced ahead (the registry
 * refuses a planned window with less than 24 h notice), or emergency ones — and open incidents, from the registry
 * through the gateway. Read again every few minutes, so a window announced while the page is open shows up.
 * Nothing to say, or the registry cannot be reached: no banner (the page itself still works).
 */
import { Alert, Space } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useQuery } from './graphql.ts';
import { useLang, useT } from './i18n.tsx';
import { shellTexts } from './texts.ts';

const NOTICES = /* GraphQL */ `
  query PortalNotices($from: String) {
    maintenanceWindows(from: $from) {
      id
      summary
      reason
      status
      startsAt
      endsAt
      emergency
      affectedServices
    }
    incidents(open: true) {
      id
      summary
      startedAt
      expectedFixAt
    }
  }
`;

/** Dispatched on `window` by a page that changed the notices (the operator's maintenance page): read them again. */
export const NOTICES_CHANGED_EVENT = 'lgsp:notices-changed';

/** How often the notices are read again while a page stays open. */
const REFRESH_MS = 5 * 60_000;

interface Notices {
  maintenanceWindows: Array<{
    id: string;
    summary: string;
    reason: string;
    status: string;
    startsAt: string;
    endsAt: string;
    emergency: boolean;
    affectedServices: string[];
  }> | null;
  incidents: Array<{ id: string; summary: string; startedAt: string; expectedFixAt: string | null }> | null;
}

export function NoticesBanner() {
  const t = useT();
  const { lang } = useLang();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const again = () => setTick((n) => n + 1);
    const timer = window.setInterval(again, REFRESH_MS);
    window.addEventListener(NOTICES_CHANGED_EVENT, again);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener(NOTICES_CHANGED_EVENT, again);
    };
  }, []);
  const from = useMemo(() => new Date().toISOString(), [tick]);
  const { data } = useQuery<Notices>(NOTICES, { from });
  const when = (iso: string) =>
    new Date(iso).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', {
      timeZone: 'Asia/Ho_Chi_Minh',
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    });
  const windows = (data?.maintenanceWindows ?? []).filter((w) => w.status !== 'CANCELLED' && w.status !== 'COMPLETED');
  const incidents = data?.incidents ?? [];
  if (windows.length === 0 && incidents.length === 0) return null;
  return (
    <section aria-label={t(shellTexts.notices)} data-testid="notices" style={{ marginBottom: 16 }}>
      <Space orientation="vertical" style={{ width: '100%' }}>
        {windows.map((w) => (
          <Alert
            key={w.id}
            type="warning"
            showIcon
            data-testid="notice-maintenance"
            title={`${t(w.emergency ? shellTexts.emergencyMaintenance : shellTexts.maintenance)}: ${w.summary}`}
            description={[
              t(shellTexts.maintenanceWhen, { from: when(w.startsAt), to: when(w.endsAt) }),
              w.affectedServices.length === 0 ? t(shellTexts.maintenanceAll) : t(shellTexts.maintenanceServices, { services: w.affectedServices.join(', ') }),
            ].join('. ')}
          />
        ))}
        {incidents.map((i) => (
          <Alert
            key={i.id}
            type="error"
            showIcon
            data-testid="notice-incident"
            title={`${t(shellTexts.incident)}: ${i.summary}`}
            description={[
              t(shellTexts.incidentSince, { from: when(i.startedAt) }),
              ...(i.expectedFixAt !== null ? [t(shellTexts.incidentFixBy, { at: when(i.expectedFixAt) })] : []),
            ].join(', ')}
          />
        ))}
      </Space>
    </section>
  );
}
