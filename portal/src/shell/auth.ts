/**
 * Sign-in through Keycloak (or the development issuer) with oidc-client-ts: authorization code + PKCE (S256), the
 * tokens kept in sessionStorage (gone when the tab closes). Citizens and businesses sign in through VDXP, the
 * national e-ID, brokered by the realm (`kc_idp_hint`).
 */
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import { portalConfig } from './config.ts';

let manager: Promise<UserManager> | undefined;

export function userManager(): Promise<UserManager> {
  manager ??= portalConfig().then((config) => {
    const base = `${window.location.origin}${import.meta.env.BASE_URL}`;
    return new UserManager({
      authority: config.issuer,
      client_id: config.clientId,
      redirect_uri: `${base}callback`,
      post_logout_redirect_uri: base,
      response_type: 'code',
      scope: 'openid profile email',
      userStore: new WebStorageStateStore({ store: window.sessionStorage }),
      automaticSilentRenew: false,
      loadUserInfo: false,
    });
  });
  return manager;
}

/** Where to come back to after signing in (a path under the portal). */
export interface SignInState {
  returnTo: string;
}

export async function signIn(options: { returnTo?: string; citizen?: boolean } = {}): Promise<void> {
  const [users, config] = await Promise.all([userManager(), portalConfig()]);
  const state: SignInState = { returnTo: options.returnTo ?? window.location.pathname + window.location.search };
  await users.signinRedirect({ state, extraQueryParams: options.citizen === true ? { kc_idp_hint: config.citizenIdentityProvider } : {} });
}

let completing: { url: string; result: Promise<{ user: User; returnTo: string }> } | undefined;

/**
 * Exchanges the code of the callback URL for tokens, once per callback URL: an authorization code is good for one
 * exchange, and React may run the callback's effect twice (StrictMode in development).
 */
export function completeSignIn(): Promise<{ user: User; returnTo: string }> {
  const url = window.location.href;
  if (completing?.url !== url) {
    completing = {
      url,
      result: userManager()
        .then((users) => users.signinRedirectCallback(url))
        .then((user) => {
          const state = user.state as SignInState | undefined;
          return { user, returnTo: state?.returnTo ?? import.meta.env.BASE_URL };
        }),
    };
  }
  return completing.result;
}

/** Signs out at the identity provider (end_session with the ID token as hint), which sends the person back to the portal. */
export async function signOut(): Promise<void> {
  const users = await userManager();
  forgetExpiry();
  try {
    await users.signoutRedirect();
  } catch {
    // The identity provider cannot be reached: at least forget the session here.
    await users.removeUser();
    window.location.assign(import.meta.env.BASE_URL);
  }
}

/** What the tab keeps: a session to use, one that ended (expired, or refused by the gateway), or none. */
export type StoredSession = { state: 'active'; user: User } | { state: 'ended' } | { state: 'none' };

const EXPIRED_KEY = 'lgsp-portal:session-ended';

/**
 * The session kept in this tab. An access token past its expiry is dropped and said as such; so is a stored session
 * that cannot be read (someone edited sessionStorage). The gateway still decides: the shell asks it before showing
 * anything (App.tsx).
 */
export async function storedSession(): Promise<StoredSession> {
  const users = await userManager();
  let user: User | null;
  try {
    user = await users.getUser();
  } catch {
    user = null;
    await users.removeUser().catch(() => undefined);
    return endSession();
  }
  if (user === null) return window.sessionStorage.getItem(EXPIRED_KEY) !== null ? { state: 'ended' } : { state: 'none' };
  if (user.expired !== false || typeof user.access_token !== 'string' || user.access_token.split('.').length !== 3) return endSession();
  return { state: 'active', user };
}

/** Forgets the session of this tab and remembers that it ended (the sign-in page says so, even after a reload). */
export async function endSession(): Promise<{ state: 'ended' }> {
  window.sessionStorage.setItem(EXPIRED_KEY, new Date().toISOString());
  await (await userManager()).removeUser().catch(() => undefined);
  return { state: 'ended' };
}

/** A new session began: the sign-in page no longer speaks of the old one. */
export function forgetExpiry(): void {
  window.sessionStorage.removeItem(EXPIRED_KEY);
}
