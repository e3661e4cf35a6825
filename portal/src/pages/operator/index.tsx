/** The operator screens (see portal/CONTRACT.md). */
import type { PortalRoute } from '../../shell/routes.ts';

export const routes: PortalRoute[] = [];
