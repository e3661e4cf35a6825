/**
 * The signed-in home page, fitted to the person: a greeting, who they are for the platform (agency, roles; a
 * citizen's personal ID and assurance level), and the sections their roles open, each with what it is for.
 */
import { Card, Col, Descriptions, Empty, Row, Tag, Typography } from 'antd';
import { useEffect } from 'react';
import { Link } from 'react-router-dom';
import { menuSections } from './Layout.tsx';
import { useLang, useT } from './i18n.tsx';
import type { PortalRoute } from './routes.ts';
import { useSession } from './session.tsx';
import { shellTexts } from './texts.ts';

/** A personal ID shown with its middle digits hidden (a screen may be seen by others). */
function masked(id: string): string {
  return id.length > 6 ? `${id.slice(0, 3)}${'•'.repeat(id.length - 6)}${id.slice(-3)}` : id;
}

export function Home({ routes }: { routes: PortalRoute[] }) {
  const t = useT();
  const { lang } = useLang();
  const session = useSession();
  const { user } = session;
  const sections = menuSections(routes, session.hasRole);
  useEffect(() => {
    document.title = `${t(shellTexts.home)} · ${t(shellTexts.portalName)}`;
  });
  const roles = user.roles.filter((role) => shellTexts.roleNames[role] !== undefined);
  const account = [
    ...(user.agencyCode !== undefined ? [{ key: 'agency', label: t(shellTexts.agency), children: user.agencyCode }] : []),
    ...(user.personalId !== undefined ? [{ key: 'personal-id', label: t(shellTexts.personalId), children: masked(user.personalId) }] : []),
    ...(user.enterpriseCode !== undefined ? [{ key: 'enterprise', label: t(shellTexts.enterpriseCode), children: user.enterpriseCode }] : []),
    // The e-ID assurance level means something for VDXP sign-ins (citizens, businesses), not for a password login.
    ...(user.assuranceLevel !== undefined && (user.personalId !== undefined || user.enterpriseCode !== undefined)
      ? [{ key: 'acr', label: t(shellTexts.assuranceLevel), children: user.assuranceLevel }]
      : []),
    {
      key: 'roles',
      label: t(shellTexts.roles),
      children: roles.length > 0 ? roles.map((role) => <Tag key={role}>{t(shellTexts.roleNames[role]!)}</Tag>) : '—',
    },
    {
      key: 'until',
      label: t(shellTexts.sessionUntil),
      children: new Date(session.expiresAt).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', {
        timeZone: 'Asia/Ho_Chi_Minh',
        hour: '2-digit',
        minute: '2-digit',
        day: '2-digit',
        month: '2-digit',
        year: 'numeric',
      }),
    },
  ];
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24, marginTop: 0 }}>
        {t(shellTexts.greeting, { name: user.name })}
      </Typography.Title>
      <Typography.Paragraph>{t(shellTexts.homeIntro)}</Typography.Paragraph>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          {sections.length === 0 ? (
            <Card>
              <Empty description={t(shellTexts.noFunctions)} />
            </Card>
          ) : (
            <Row gutter={[16, 16]}>
              {sections.map(({ group, routes: mine }) => (
                <Col key={group} xs={24} md={12}>
                  <Card
                    title={
                      <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
                        {t(shellTexts.groups[group])}
                      </Typography.Title>
                    }
                    size="small"
                    style={{ height: '100%' }}
                  >
                    <Typography.Paragraph type="secondary">{t(shellTexts.groupIntros[group])}</Typography.Paragraph>
                    <ul style={{ paddingInlineStart: 20, margin: 0 }}>
                      {mine.map((route) => (
                        <li key={route.path}>
                          <Link to={`/${route.path}`}>{t(route.title)}</Link>
                        </li>
                      ))}
                    </ul>
                  </Card>
                </Col>
              ))}
            </Row>
          )}
        </Col>
        <Col xs={24} xl={8}>
          <Card
            size="small"
            title={
              <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
                {t(shellTexts.account)}
              </Typography.Title>
            }
          >
            <Descriptions column={1} size="small" items={account} />
          </Card>
        </Col>
      </Row>
    </>
  );
}
