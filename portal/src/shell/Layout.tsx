/**
 * The signed-in frame: a link to skip to the content, the header (portal name, the person, language, sign out), the
 * menu of the screens the person's roles open (a side bar on wide screens, a drawer behind a "menu" button on narrow
 * ones), then the main content (antd's Content is a <main>) with the notices banner on top.
 */
import { MenuOutlined } from '@ant-design/icons';
import { Button, Drawer, Grid, Layout as AntLayout, Menu, Space } from 'antd';
import { useEffect, useState, type ReactNode } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { NoticesBanner } from './NoticesBanner.tsx';
import { useLang, useT } from './i18n.tsx';
import type { PortalRoute, RouteGroup } from './routes.ts';
import { useSession } from './session.tsx';
import { shellTexts } from './texts.ts';

const GROUPS: RouteGroup[] = ['developer', 'agency', 'provider', 'operator', 'civil-servant', 'citizen'];
const HEADER_TEXT = '#fff';

/** The routes of the person's roles that are listed in the menu, by section. */
export function menuSections(routes: PortalRoute[], hasRole: (role: PortalRoute['roles'][number]) => boolean) {
  const mine = routes.filter((route) => route.menu !== false && route.roles.some((role) => hasRole(role)));
  return GROUPS.map((group) => ({ group, routes: mine.filter((route) => route.group === group) })).filter((section) => section.routes.length > 0);
}

export function Layout({ routes, children }: { routes: PortalRoute[]; children: ReactNode }) {
  const t = useT();
  const { lang, setLang } = useLang();
  const session = useSession();
  const location = useLocation();
  const screens = Grid.useBreakpoint();
  const narrow = screens.lg !== true;
  const [drawer, setDrawer] = useState(false);
  useEffect(() => setDrawer(false), [location.pathname]);
  /** The other language's code, on the switch when the screen is narrow (its accessible name starts with it). */
  const short = lang === 'vi' ? 'EN' : 'VI';

  const items = menuSections(routes, session.hasRole).map(({ group, routes: r }) => ({
    type: 'group' as const,
    key: group,
    label: t(shellTexts.groups[group]),
    children: r.map((route) => ({ key: `/${route.path}`, label: <Link to={`/${route.path}`}>{t(route.title)}</Link> })),
  }));
  const menu = (
    <nav aria-label={t(shellTexts.mainMenu)}>
      <Menu
        mode="inline"
        selectedKeys={[location.pathname]}
        items={[{ key: '/', label: <Link to="/">{t(shellTexts.home)}</Link> }, ...items]}
        style={{ borderInlineEnd: 'none' }}
      />
    </nav>
  );

  return (
    <AntLayout style={{ minHeight: '100vh' }}>
      <a className="lgsp-skip-link" href="#main-content">
        {t(shellTexts.skipToContent)}
      </a>
      <AntLayout.Header
        style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 12, background: '#8b1a1a', paddingInline: narrow ? 12 : 24 }}
      >
        <Space size="small" align="center" style={{ minWidth: 0, lineHeight: 1.5 }}>
          {narrow ? (
            <Button
              type="text"
              icon={<MenuOutlined style={{ color: HEADER_TEXT }} />}
              aria-label={t(shellTexts.menu)}
              aria-expanded={drawer}
              aria-controls="lgsp-menu-drawer"
              onClick={() => setDrawer(true)}
            />
          ) : null}
          <Link to="/" style={{ color: HEADER_TEXT, fontWeight: 600, fontSize: narrow ? 16 : 18, whiteSpace: 'nowrap' }}>
            {t(narrow ? shellTexts.portalShortName : shellTexts.portalName)}
          </Link>
        </Space>
        <Space size="small" wrap={false} align="center" style={{ lineHeight: 1.5 }}>
          <span
            style={{
              color: HEADER_TEXT,
              display: 'inline-block',
              maxWidth: narrow ? 80 : 360,
              overflow: 'hidden',
              textOverflow: 'ellipsis',
              whiteSpace: 'nowrap',
              verticalAlign: 'middle',
              lineHeight: 1.5,
            }}
            title={[session.user.name, session.user.agencyCode].filter(Boolean).join(' · ')}
            data-testid="signed-in-user"
            data-username={session.user.username}
          >
            {session.user.name}
            {session.user.agencyCode !== undefined && screens.md === true ? ` · ${session.user.agencyCode}` : ''}
          </span>
          <Button
            size="small"
            onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')}
            lang={lang === 'vi' ? 'en' : 'vi'}
            {...(narrow ? { 'aria-label': `${short} (${t(shellTexts.language)})` } : {})}
          >
            {narrow ? short : t(shellTexts.language)}
          </Button>
          <Button size="small" onClick={() => void session.signOut()}>
            {t(shellTexts.signOut)}
          </Button>
        </Space>
      </AntLayout.Header>
      <AntLayout>
        {narrow ? (
          <Drawer id="lgsp-menu-drawer" placement="left" open={drawer} onClose={() => setDrawer(false)} title={t(shellTexts.menu)} size={300}>
            {menu}
          </Drawer>
        ) : (
          <AntLayout.Sider width={260} theme="light">
            {menu}
          </AntLayout.Sider>
        )}
        {/* antd's Content is the page's <main>. */}
        <AntLayout.Content id="main-content" tabIndex={-1} style={{ padding: narrow ? 12 : 24, minWidth: 0, outline: 'none' }}>
          <NoticesBanner />
          {children}
        </AntLayout.Content>
      </AntLayout>
    </AntLayout>
  );
}
