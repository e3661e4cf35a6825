/** The provider's screens (see portal/CONTRACT.md): requests for its services, and its services' versions. A person
 * acts as provider through `agency-admin` (the registry does not count a person's `data-provider`, which the realm
 * gives every member of a provider agency). */
import type { PortalRoute } from '../../shell/routes.ts';
import { Roles } from '../../shell/session.tsx';
import { texts } from './texts.ts';
import { lazyPage } from '../../shell/lazy.ts';

const screens = () => import('./screens.ts');
const Request = lazyPage(screens, 'Request');
const Requests = lazyPage(screens, 'Requests');
const ServiceVersions = lazyPage(screens, 'ServiceVersions');

/** Refused by the monitoring to anyone but an agency's administrator and the operator (FORBIDDEN, audited). */
const PROBE = 'query ProviderProbe { statistics(period: "2026") { totals { served } } }';

export const routes: PortalRoute[] = [
  { path: 'provider/requests', group: 'provider', title: texts.requests, roles: [Roles.agencyAdmin], element: <Requests />, probe: PROBE },
  { path: 'provider/requests/:id', group: 'provider', title: texts.request, roles: [Roles.agencyAdmin], element: <Request />, menu: false, probe: PROBE },
  { path: 'provider/services', group: 'provider', title: texts.services, roles: [Roles.agencyAdmin], element: <ServiceVersions />, probe: PROBE },
];
