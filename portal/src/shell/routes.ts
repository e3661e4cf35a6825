/**
 * How a screen joins the portal: each role's folder under `src/pages/` exports its `routes`, and `src/pages/index.ts`
 * lists them. The shell builds the router and the menu from them, and guards each screen by role.
 */
import type { ReactNode } from 'react';
import type { Text } from './i18n.tsx';
import type { PortalRole } from './session.tsx';

export type RouteGroup = 'developer' | 'agency' | 'provider' | 'operator' | 'civil-servant' | 'citizen';

export interface PortalRoute {
  /** Path under the portal's base, without a leading slash: `developer/catalogue`, `operator/approvals/:id`. */
  path: string;
  /** The page. */
  element: ReactNode;
  /** Its title (menu entry, heading, document title). */
  title: Text;
  /** Who may open it: any of these roles. */
  roles: PortalRole[];
  /** The menu section it is listed in. */
  group: RouteGroup;
  /** Listed in the menu (default true; a detail page with a parameter is not). */
  menu?: boolean;
  /**
   * The page's main query. A person without the role who opens the page anyway sees the access-denied page, and the
   * shell still sends this query: the gateway refuses it and the audit records the attempt.
   */
  probe?: string;
}
