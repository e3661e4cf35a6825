/** Every screen of the portal, by role folder. */
import type { PortalRoute } from '../shell/routes.ts';
import { routes as agency } from './agency/index.tsx';
import { routes as citizen } from './citizen/index.tsx';
import { routes as civilServant } from './civil-servant/index.tsx';
import { routes as developer } from './developer/index.tsx';
import { routes as operator } from './operator/index.tsx';
import { routes as provider } from './provider/index.tsx';

export const allRoutes: PortalRoute[] = [...developer, ...agency, ...provider, ...operator, ...civilServant, ...citizen];
