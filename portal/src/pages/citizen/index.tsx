/** The citizen and business screens (see portal/CONTRACT.md): my record, who read my data. */
import type { PortalRoute } from '../../shell/routes.ts';
import { Roles } from '../../shell/session.tsx';
import { MY_RECORD } from './queries.ts';
import { texts } from './texts.ts';
import { OpsTheme } from '../../shell/ui/OpsTheme.tsx';
import { lazyPage } from '../../shell/lazy.ts';

const screens = () => import('./screens.ts');
const MyDataAccesses = lazyPage(screens, 'MyDataAccesses');
const MyRecord = lazyPage(screens, 'MyRecord');

const citizen = [Roles.citizen];

/** myDataAccesses over a fixed day (a probe needs no variables): the gateway refuses anyone but a citizen. */
const ACCESSES_PROBE = /* GraphQL */ `
  query MyDataAccessesProbe {
    myDataAccesses(from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z", first: 1) {
      pageInfo {
        hasNextPage
      }
    }
  }
`;

export const routes: PortalRoute[] = [
  {
    path: 'me/record',
    group: 'citizen',
    title: texts.record.title,
    roles: citizen,
    element: (
      <OpsTheme>
        <MyRecord />
      </OpsTheme>
    ),
    probe: MY_RECORD,
  },
  {
    path: 'me/data-accesses',
    group: 'citizen',
    title: texts.accesses.title,
    roles: citizen,
    element: (
      <OpsTheme>
        <MyDataAccesses />
      </OpsTheme>
    ),
    probe: ACCESSES_PROBE,
  },
];
