/** The operator screens (see portal/CONTRACT.md): agencies, approvals, health, audit, reports, maintenance. */
import type { PortalRoute } from '../../shell/routes.ts';
import { Roles } from '../../shell/session.tsx';
import { AUDIT_PROBE } from './queries.ts';
import { texts } from './texts.ts';
import { OpsTheme } from '../../shell/ui/OpsTheme.tsx';
import { lazyPage } from '../../shell/lazy.ts';

const screens = () => import('./screens.ts');
const Agencies = lazyPage(screens, 'Agencies');
const Approvals = lazyPage(screens, 'Approvals');
const Audit = lazyPage(screens, 'Audit');
const Health = lazyPage(screens, 'Health');
const Maintenance = lazyPage(screens, 'Maintenance');
const Reports = lazyPage(screens, 'Reports');

const operator = [Roles.operator];

/**
 * For pages whose main query any signed-in person may send (it answers only what is theirs), the probe is the
 * operator's change log, which the registry refuses to anyone else (FORBIDDEN, audited).
 */
const OPERATOR_PROBE = /* GraphQL */ `
  query OperatorOnlyProbe {
    registryChanges(limit: 1) {
      id
    }
  }
`;

export const routes: PortalRoute[] = [
  {
    path: 'operator/agencies',
    group: 'operator',
    title: texts.agencies.title,
    roles: operator,
    element: (
      <OpsTheme>
        <Agencies />
      </OpsTheme>
    ),
    probe: OPERATOR_PROBE,
  },
  {
    path: 'operator/approvals',
    group: 'operator',
    title: texts.approvals.title,
    roles: operator,
    element: (
      <OpsTheme>
        <Approvals />
      </OpsTheme>
    ),
    probe: OPERATOR_PROBE,
  },
  {
    path: 'operator/health',
    group: 'operator',
    title: texts.health.title,
    roles: operator,
    element: (
      <OpsTheme>
        <Health />
      </OpsTheme>
    ),
    probe: OPERATOR_PROBE,
  },
  {
    path: 'operator/audit',
    group: 'operator',
    title: texts.audit.title,
    roles: operator,
    element: (
      <OpsTheme>
        <Audit />
      </OpsTheme>
    ),
    probe: AUDIT_PROBE,
  },
  {
    path: 'operator/reports',
    group: 'operator',
    title: texts.reports.title,
    roles: operator,
    element: (
      <OpsTheme>
        <Reports />
      </OpsTheme>
    ),
    probe: OPERATOR_PROBE,
  },
  {
    path: 'operator/maintenance',
    group: 'operator',
    title: texts.maintenance.title,
    roles: operator,
    element: (
      <OpsTheme>
        <Maintenance />
      </OpsTheme>
    ),
    probe: OPERATOR_PROBE,
  },
];
