/** The civil-servant screens (see portal/CONTRACT.md): the single sign-on launcher, and the applications' registration. */
import type { PortalRoute } from '../../shell/routes.ts';
import { Roles } from '../../shell/session.tsx';
import { MY_APPLICATIONS } from './queries.ts';
import { texts } from './texts.ts';
import { OpsTheme } from '../../shell/ui/OpsTheme.tsx';
import { lazyPage } from '../../shell/lazy.ts';

const screens = () => import('./screens.ts');
const Launcher = lazyPage(screens, 'Launcher');
const Manage = lazyPage(screens, 'Manage');

/** Refused to anyone but the operator and agency administrators (FORBIDDEN, audited). */
const MANAGE_PROBE = /* GraphQL */ `
  query AgencyApplicationsProbe {
    agencyApplications {
      id
    }
  }
`;

export const routes: PortalRoute[] = [
  {
    path: 'applications',
    group: 'civil-servant',
    title: texts.launcher.title,
    roles: [Roles.civilServant],
    element: (
      <OpsTheme>
        <Launcher />
      </OpsTheme>
    ),
    probe: MY_APPLICATIONS,
  },
  {
    path: 'applications/manage',
    group: 'civil-servant',
    title: texts.manage.title,
    roles: [Roles.agencyAdmin, Roles.operator],
    element: (
      <OpsTheme>
        <Manage />
      </OpsTheme>
    ),
    probe: MANAGE_PROBE,
  },
];
