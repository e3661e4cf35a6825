/** The agency developer's screens (see portal/CONTRACT.md): catalogue, access requests, credentials, try-out. */
import type { PortalRoute } from '../../shell/routes.ts';
import { Roles } from '../../shell/session.tsx';
import { Catalogue } from './Catalogue.tsx';
import { Credentials } from './Credentials.tsx';
import { CATALOGUE_QUERY, REQUESTS_QUERY, SYSTEMS_QUERY } from './queries.ts';
import { RequestForm } from './RequestForm.tsx';
import { MyRequests, RequestDetail } from './Requests.tsx';
import { ServiceDetail } from './ServiceDetail.tsx';
import { texts } from './texts.ts';
import { DeveloperTheme } from './Theme.tsx';
import { TryOut } from './TryOut.tsx';

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
