/** The signed-in home page: the sections the person's roles open. */
import { Card, Col, Row, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { useT } from './i18n.tsx';
import type { PortalRoute } from './routes.ts';
import { useSession } from './session.tsx';
import { shellTexts } from './texts.ts';

export function Home({ routes }: { routes: PortalRoute[] }) {
  const t = useT();
  const session = useSession();
  const mine = routes.filter((route) => route.menu !== false && route.roles.some((role) => session.hasRole(role)));
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t(shellTexts.portalName)}
      </Typography.Title>
      <Row gutter={[16, 16]}>
        {mine.map((route) => (
          <Col key={route.path} xs={24} md={12} xl={8}>
            <Link to={`/${route.path}`}>
              <Card hoverable title={t(route.title)} size="small">
                {t(shellTexts.groups[route.group])}
              </Card>
            </Link>
          </Col>
        ))}
      </Row>
    </>
  );
}
