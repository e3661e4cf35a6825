/**
 * The portal: sign-in (authorization code + PKCE), then the screens of the person's roles. Locale: antd's vi_VN
 * (or en_US), dates in Asia/Ho_Chi_Minh.
 */
import { Button, ConfigProvider, Result, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import viVN from 'antd/locale/vi_VN';
import type { User } from 'oidc-client-ts';
import { Suspense, useCallback, useEffect, useState } from 'react';
import { BrowserRouter, Route, Routes, useNavigate } from 'react-router-dom';
import { allRoutes } from '../pages/index.ts';
import { completeSignIn, endSession, forgetExpiry, renewSession, signIn, signOut, storedSession } from './auth.ts';
import { ErrorAlert } from './ErrorAlert.tsx';
import { graphql, SESSION_EXPIRED_EVENT, setAccessTokenProvider } from './graphql.ts';
import { PortalError } from './errors.ts';
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
        forgetExpiry();
        onUser(user);
        const base = import.meta.env.BASE_URL.replace(/\/$/, '');
        navigate(returnTo.startsWith(`${base}/`) ? returnTo.slice(base.length) : '/', { replace: true });
      },
      (e: unknown) => setError(e),
    );
  }, []);
  if (error !== undefined)
    return (
      <main>
        <Result
          status="error"
          title={<h1 style={{ fontSize: 24 }}>{t(shellTexts.signInFailed)}</h1>}
          subTitle={<ErrorAlert error={error} />}
          extra={
            <Button type="primary" onClick={() => void signIn({ returnTo: import.meta.env.BASE_URL })}>
              {t(shellTexts.signInAgain)}
            </Button>
          }
        />
      </main>
    );
  return <Spin fullscreen description={t(shellTexts.loading)} />;
}

/**
 * Where the person is: `loading` (reading the tab's session, and asking the gateway whether its token is still
 * good), `signed-out`, `ended` (expired or refused: the sign-in page says so), or `signed-in`. Nothing of a page is
 * shown before `signed-in`, so an expired or edited token in sessionStorage never shows any data.
 */
type ShellState = { state: 'loading' } | { state: 'signed-out' } | { state: 'ended' } | { state: 'signed-in'; user: User; session: Session };

function sessionOf(user: User): Session | undefined {
  try {
    const sessionUser = sessionUserFrom(user.access_token);
    return {
      user: sessionUser,
      accessToken: user.access_token,
      expiresAt: (user.expires_at ?? 0) * 1000,
      hasRole: (role) => sessionUser.roles.includes(role),
      signOut,
    };
  } catch {
    return undefined; // not a token the portal can read: edited, or not a JWT
  }
}

/** How long before the access token expires the shell renews it. */
const RENEW_BEFORE_MS = 60_000;

/** Asks the gateway whether the token is good (it answers 401 for an expired, revoked or edited one). */
async function gatewayAccepts(): Promise<boolean> {
  try {
    await graphql<{ __typename: string }>('query PortalSession { __typename }');
    return true;
  } catch (error) {
    return !(error instanceof PortalError && error.code === 'UNAUTHENTICATED');
  }
}

function Shell() {
  const t = useT();
  const [shell, setShell] = useState<ShellState>({ state: 'loading' });
  const token = shell.state === 'signed-in' ? shell.session.accessToken : undefined;
  setAccessTokenProvider(() => token);

  const end = useCallback(() => {
    void endSession();
    setAccessTokenProvider(() => undefined);
    setShell({ state: 'ended' });
  }, []);
  const begin = useCallback((user: User) => {
    const session = sessionOf(user);
    if (session === undefined) return end();
    setAccessTokenProvider(() => session.accessToken);
    setShell({ state: 'signed-in', user, session });
  }, []);

  useEffect(() => {
    if (window.location.pathname.endsWith('/callback')) return; // the callback brings the session
    void storedSession().then(async (stored) => {
      if (stored.state !== 'active') return setShell(stored.state === 'ended' ? stored : { state: 'signed-out' });
      if (sessionOf(stored.user) === undefined) return end();
      setAccessTokenProvider(() => stored.user.access_token);
      if (await gatewayAccepts()) begin(stored.user);
      else end();
    });
  }, []);
  useEffect(() => {
    window.addEventListener(SESSION_EXPIRED_EVENT, end);
    return () => window.removeEventListener(SESSION_EXPIRED_EVENT, end);
  }, []);
  useEffect(() => {
    if (shell.state !== 'signed-in') return;
    // A minute before the access token expires, renew it with the refresh token (the realm's session goes on while
    // the person works); when that fails (the realm's session ended or was revoked), the session ends at expiry.
    // Browsers fire long timers early (over 2^31 ms): check again rather than trust one timer.
    const { expiresAt } = shell.session;
    let renewal: number | undefined;
    if (shell.user.refresh_token !== undefined && expiresAt - Date.now() > RENEW_BEFORE_MS / 2) {
      renewal = window.setTimeout(
        () => {
          void renewSession().then((renewed) => {
            if (renewed !== null) begin(renewed);
          });
        },
        Math.min(Math.max(0, expiresAt - RENEW_BEFORE_MS - Date.now()), 2 ** 31 - 1),
      );
    }
    const expiry = window.setTimeout(
      () => (Date.now() >= expiresAt ? end() : setShell({ ...shell })),
      Math.min(Math.max(0, expiresAt - Date.now()), 2 ** 31 - 1),
    );
    return () => {
      window.clearTimeout(renewal);
      window.clearTimeout(expiry);
    };
  }, [shell]);

  const signedIn = (element: React.ReactNode) =>
    shell.state === 'signed-in' ? (
      <SessionContext.Provider value={shell.session}>
        <Layout routes={allRoutes}>{element}</Layout>
      </SessionContext.Provider>
    ) : shell.state === 'loading' ? (
      <Spin fullscreen description={t(shellTexts.loading)} />
    ) : (
      <SignIn {...(shell.state === 'ended' ? { notice: t(shellTexts.sessionExpired) } : {})} />
    );

  return (
    <Routes>
      <Route path="/callback" element={<Callback onUser={begin} />} />
      <Route path="/" element={signedIn(<Home routes={allRoutes} />)} />
      {allRoutes.map((route) => (
        <Route
          key={route.path}
          path={`/${route.path}`}
          element={signedIn(
            <Guard route={route}>
              {/* The role folder's pages arrive as one chunk the first time (pages/<group>/screens.ts). */}
              <Suspense fallback={<Spin description={t(shellTexts.loading)} />}>{route.element}</Suspense>
            </Guard>,
          )}
        />
      ))}
      <Route path="*" element={signedIn(<NotFound />)} />
    </Routes>
  );
}

function NotFound() {
  const t = useT();
  const navigate = useNavigate();
  useEffect(() => {
    document.title = `${t(shellTexts.notFound)} · ${t(shellTexts.portalName)}`;
  });
  return (
    <Result
      status="404"
      title={<h1 style={{ fontSize: 24 }}>{t(shellTexts.notFound)}</h1>}
      subTitle={t(shellTexts.notFoundDetail)}
      extra={
        <Button type="primary" onClick={() => void navigate('/')}>
          {t(shellTexts.backHome)}
        </Button>
      }
    />
  );
}

/**
 * The portal's colours: the province's dark red, and secondary texts darker than antd's defaults (#8c8c8c on white is
 * 3.4:1; WCAG AA asks 4.5:1 for text), which every page's descriptions, labels and menu headings use; a darker error
 * red. Coloured tags and empty tables: shell.css.
 */
const THEME = {
  token: {
    colorPrimary: '#8b1a1a',
    colorLink: '#8b1a1a',
    colorTextDescription: 'rgba(0, 0, 0, 0.62)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.62)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.56)',
    // White on antd's #ff4d4f (danger buttons) is 3.3:1; this red is 5.6:1, and 5.6:1 as text on white.
    colorError: '#cf1322',
  },
  components: { Menu: { groupTitleColor: 'rgba(0, 0, 0, 0.62)' } },
};

function Localized() {
  const { lang } = useLang();
  return (
    <ConfigProvider locale={lang === 'vi' ? viVN : enUS} theme={THEME}>
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
