/** A screen for some roles only: others see the access-denied page, and the screen's main query is still sent so the
 * gateway refuses it and the audit records the attempt. */
import { Button, Result } from 'antd';
import { useNavigate } from 'react-router-dom';
import { useEffect, type ReactNode } from 'react';
import { graphql } from './graphql.ts';
import { useT } from './i18n.tsx';
import type { PortalRoute } from './routes.ts';
import { useSession } from './session.tsx';
import { shellTexts } from './texts.ts';

export function Guard({ route, children }: { route: PortalRoute; children: ReactNode }) {
  const t = useT();
  const session = useSession();
  const navigate = useNavigate();
  const allowed = route.roles.some((role) => session.hasRole(role));
  useEffect(() => {
    document.title = `${t(route.title)} · ${t(shellTexts.portalName)}`;
  });
  useEffect(() => {
    if (!allowed && route.probe !== undefined) graphql(route.probe).catch(() => undefined);
  }, [allowed, route.probe]);
  if (!allowed)
    return (
      <Result
        status="403"
        title={<h1 style={{ fontSize: 24 }}>{t(shellTexts.accessDenied)}</h1>}
        subTitle={t(shellTexts.accessDeniedDetail)}
        extra={
          <Button type="primary" onClick={() => void navigate('/')}>
            {t(shellTexts.backHome)}
          </Button>
        }
      />
    );
  return <>{children}</>;
}
