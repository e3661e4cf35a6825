/** The agency developer's screens (see portal/CONTRACT.md): catalogue, access requests, credentials, try-out. */
import type { PortalRoute } from '../../shell/routes.ts';
import { Roles } from '../../shell/session.tsx';
import { CATALOGUE_QUERY, REQUESTS_QUERY, SYSTEMS_QUERY } from './queries.ts';
import { texts } from './texts.ts';
import { DeveloperTheme } from './Theme.tsx';
import { lazyPage } from '../../shell/lazy.ts';

const screens = () => import('./screens.ts');
const Catalogue = lazyPage(screens, 'Catalogue');
const Credentials = lazyPage(screens, 'Credentials');
const RequestForm = lazyPage(screens, 'RequestForm');
const MyRequests = lazyPage(screens, 'MyRequests');
const RequestDetail = lazyPage(screens, 'RequestDetail');
const ServiceDetail = lazyPage(screens, 'ServiceDetail');
const TryOut = lazyPage(screens, 'TryOut');

const roles = [Roles.agencyDeveloper, Roles.agencyAdmin];

export const routes: PortalRoute[] = [
  {
    path: 'developer/catalogue',
    group: 'developer',
    title: texts.catalogue,
    roles,
    element: (
      <DeveloperTheme>
        <Catalogue />
      </DeveloperTheme>
    ),
    probe: CATALOGUE_QUERY,
  },
  {
    path: 'developer/catalogue/:code',
    group: 'developer',
    title: texts.service,
    roles,
    element: (
      <DeveloperTheme>
        <ServiceDetail />
      </DeveloperTheme>
    ),
    menu: false,
  },
  {
    path: 'developer/requests',
    group: 'developer',
    title: texts.myRequests,
    roles,
    element: (
      <DeveloperTheme>
        <MyRequests />
      </DeveloperTheme>
    ),
    probe: REQUESTS_QUERY,
  },
  {
    path: 'developer/requests/new',
    group: 'developer',
    title: texts.requestAccess,
    roles,
    element: (
      <DeveloperTheme>
        <RequestForm />
      </DeveloperTheme>
    ),
    probe: REQUESTS_QUERY,
  },
  {
    path: 'developer/requests/:id',
    group: 'developer',
    title: texts.requestDetail,
    roles,
    element: (
      <DeveloperTheme>
        <RequestDetail />
      </DeveloperTheme>
    ),
    menu: false,
  },
  {
    path: 'developer/requests/:id/amend',
    group: 'developer',
    title: texts.amendRequest,
    roles,
    element: (
      <DeveloperTheme>
        <RequestForm />
      </DeveloperTheme>
    ),
    menu: false,
  },
  {
    path: 'developer/credentials',
    group: 'developer',
    title: texts.credentials,
    roles,
    element: (
      <DeveloperTheme>
        <Credentials />
      </DeveloperTheme>
    ),
    probe: SYSTEMS_QUERY,
  },
  {
    path: 'developer/try-out',
    group: 'developer',
    title: texts.tryOut,
    roles,
    element: (
      <DeveloperTheme>
        <TryOut />
      </DeveloperTheme>
    ),
    probe: SYSTEMS_QUERY,
  },
];
