/** The agency administrator's screens (see portal/CONTRACT.md): systems and health, services and grants, statistics,
 * packets, and who read the agency's data. */
import type { PortalRoute } from '../../shell/routes.ts';
import { Roles } from '../../shell/session.tsx';
import { texts } from './texts.ts';
import { lazyPage } from '../../shell/lazy.ts';

const screens = () => import('./screens.ts');
const DataAccess = lazyPage(screens, 'DataAccess');
const Packets = lazyPage(screens, 'Packets');
const Services = lazyPage(screens, 'Services');
const Statistics = lazyPage(screens, 'Statistics');
const Systems = lazyPage(screens, 'Systems');

/**
 * What the shell sends for someone without the role: monitoring refuses the agency's statistics to anyone but its
 * administrator and the operator (FORBIDDEN, audited). The registry and relay reads of these pages are open to an
 * agency's developers too, so they would not show the refusal.
 */
const ADMIN_PROBE = 'query AgencyAdminProbe { statistics(period: "2026") { totals { requests } } }';
const AUDIT_PROBE = 'query AgencyAuditProbe { auditRecords(filter: { from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z" }, first: 1) { nodes { seq } } }';

export const routes: PortalRoute[] = [
  { path: 'agency/systems', group: 'agency', title: texts.systems, roles: [Roles.agencyAdmin], element: <Systems />, probe: ADMIN_PROBE },
  { path: 'agency/services', group: 'agency', title: texts.services, roles: [Roles.agencyAdmin], element: <Services />, probe: ADMIN_PROBE },
  { path: 'agency/statistics', group: 'agency', title: texts.statistics, roles: [Roles.agencyAdmin], element: <Statistics />, probe: ADMIN_PROBE },
  { path: 'agency/packets', group: 'agency', title: texts.packets, roles: [Roles.agencyAdmin], element: <Packets />, probe: ADMIN_PROBE },
  { path: 'agency/data-access', group: 'agency', title: texts.dataAccess, roles: [Roles.agencyAdmin], element: <DataAccess />, probe: AUDIT_PROBE },
];
