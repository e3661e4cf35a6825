/**
 * The portal: sign-in (authorization code + PKCE), then the screens of the person's roles. Locale: antd's vi_VN
 * (or en_US), dates in Asia/Ho_Chi_Minh.
 */
import { ConfigProvider, Result, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import viVN from 'antd/locale/vi_VN';
import type { User } from 'oidc-client-ts';
import { useEffect, useMemo, useState } from 'react';
import { BrowserRouter, Route, Routes, useNavigate } from 'react-router-dom';
import { allRoutes } from '../pages/index.ts';
import { completeSignIn, currentUser, signOut } from './auth.ts';
import { ErrorAlert } from './ErrorAlert.tsx';
import { SESSION_EXPIRED_EVENT, setAccessTokenProvider } from './graphql.ts';
import { Guard } from './Guard.tsx';
import { Home } from './Home.tsx';
import { LangProvider, useLang, useT } from './i18n.tsx';
import { Layout } from './Layout.tsx';
import { SessionContext, sessionUserFrom, type Session } from './session.tsx';
import { SignIn } from './SignIn.tsx';
import { shellTexts } from './texts.ts';

function Callback({ onUser }: { onUser(user: User): void }) {
  const navigate = useNavigate();
  const t = useT();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    completeSignIn().then(
      ({ user, returnTo }) => {
        onUser(user);
        const base = import.meta.env.BASE_URL.replace(/\/$/, '');
        navigate(returnTo.startsWith(base) ? returnTo.slice(base.length) || '/' : '/', { replace: true });
      },
      (e: unknown) => setError(e),
    );
  }, []);
  if (error !== undefined) return <Result status="error" title={t(shellTexts.signInFailed)} extra={<ErrorAlert error={error} />} />;
  return <Spin fullscreen description={t(shellTexts.loading)} />;
}

function Shell() {
  const t = useT();
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);
  useEffect(() => {
    void currentUser().then(setUser);
    const onExpired = () => setExpired(true);
    window.addEventListener(SESSION_EXPIRED_EVENT, onExpired);
    return () => window.removeEventListener(SESSION_EXPIRED_EVENT, onExpired);
  }, []);
  useEffect(() => {
    if (user === null || user === undefined || user.expires_at === undefined) return;
    const timer = window.setTimeout(() => setExpired(true), Math.max(0, user.expires_at * 1000 - Date.now()));
    return () => window.clearTimeout(timer);
  }, [user]);
  const session = useMemo<Session | undefined>(() => {
    if (user === null || user === undefined) return undefined;
    const sessionUser = sessionUserFrom(user.access_token);
    return {
      user: sessionUser,
      accessToken: user.access_token,
      expiresAt: (user.expires_at ?? 0) * 1000,
      hasRole: (role) => sessionUser.roles.includes(role),
      signOut,
    };
  }, [user]);
  setAccessTokenProvider(() => session?.accessToken);

  const signedIn = (element: React.ReactNode) =>
    session === undefined || expired ? (
      user === undefined ? (
        <Spin fullscreen description={t(shellTexts.loading)} />
      ) : (
        <SignIn {...(expired ? { notice: t(shellTexts.sessionExpired) } : {})} />
      )
    ) : (
      <SessionContext.Provider value={session}>
        <Layout routes={allRoutes}>{element}</Layout>
      </SessionContext.Provider>
    );

  return (
    <Routes>
      <Route
        path="/callback"
        element={
          <Callback
            onUser={(u) => {
              setExpired(false);
              setUser(u);
            }}
          />
        }
      />
      <Route path="/" element={signedIn(<Home routes={allRoutes} />)} />
      {allRoutes.map((route) => (
        <Route key={route.path} path={`/${route.path}`} element={signedIn(<Guard route={route}>{route.element}</Guard>)} />
      ))}
      <Route path="*" element={signedIn(<Result status="404" title={t(shellTexts.notFound)} />)} />
    </Routes>
  );
}

function Localized() {
  const { lang } = useLang();
  return (
    <ConfigProvider locale={lang === 'vi' ? viVN : enUS} theme={{ token: { colorPrimary: '#8b1a1a', colorLink: '#8b1a1a' } }}>
      <BrowserRouter basename={import.meta.env.BASE_URL.replace(/\/$/, '')}>
        <Shell />
      </BrowserRouter>
    </ConfigProvider>
  );
}

export function App() {
  return (
    <LangProvider>
      <Localized />
    </LangProvider>
  );
}
