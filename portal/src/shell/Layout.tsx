/**
 * The signed-in frame: header (portal name, the person, language, sign out), the menu of the screens the person's
 * roles open, the notices banner, then the page.
 */
import { Button, Layout as AntLayout, Menu, Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { NoticesBanner } from './NoticesBanner.tsx';
import { useLang, useT } from './i18n.tsx';
import type { PortalRoute, RouteGroup } from './routes.ts';
import { useSession } from './session.tsx';
import { shellTexts } from './texts.ts';

const GROUPS: RouteGroup[] = ['developer', 'agency', 'provider', 'operator', 'civil-servant', 'citizen'];

export function Layout({ routes, children }: { routes: PortalRoute[]; children: ReactNode }) {
  const t = useT();
  const { lang, setLang } = useLang();
  const session = useSession();
  const location = useLocation();
  const mine = routes.filter((route) => route.menu !== false && route.roles.some((role) => session.hasRole(role)));
  const items = GROUPS.map((group) => ({ group, routes: mine.filter((route) => route.group === group) }))
    .filter(({ routes: r }) => r.length > 0)
    .map(({ group, routes: r }) => ({
      type: 'group' as const,
      key: group,
      label: t(shellTexts.groups[group]),
      children: r.map((route) => ({ key: `/${route.path}`, label: <Link to={`/${route.path}`}>{t(route.title)}</Link> })),
    }));
  return (
    <AntLayout style={{ minHeight: '100vh' }}>
      <AntLayout.Header style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', background: '#8b1a1a' }}>
        <Link to="/" style={{ color: '#fff', fontWeight: 600, fontSize: 18 }}>
          {t(shellTexts.portalName)}
        </Link>
        <Space>
          <Typography.Text style={{ color: '#fff' }} data-testid="signed-in-user" data-username={session.user.username}>
            {session.user.name}
            {session.user.agencyCode !== undefined ? ` · ${session.user.agencyCode}` : ''}
          </Typography.Text>
          <Button size="small" onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')} lang={lang === 'vi' ? 'en' : 'vi'}>
            {t(shellTexts.language)}
          </Button>
          <Button size="small" onClick={() => void session.signOut()}>
            {t(shellTexts.signOut)}
          </Button>
        </Space>
      </AntLayout.Header>
      <AntLayout>
        <AntLayout.Sider width={260} theme="light" breakpoint="lg" collapsedWidth={0}>
          <nav aria-label={t(shellTexts.home)}>
            <Menu mode="inline" selectedKeys={[location.pathname]} items={items} />
          </nav>
        </AntLayout.Sider>
        <AntLayout.Content style={{ padding: 24 }}>
          <NoticesBanner />
          <main>{children}</main>
        </AntLayout.Content>
      </AntLayout>
    </AntLayout>
  );
}
