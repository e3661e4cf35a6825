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

export async function signOut(): Promise<void> {
  await (await userManager()).signoutRedirect();
}

export async function currentUser(): Promise<User | null> {
  const user = await (await userManager()).getUser();
  return user !== null && !user.expired ? user : null;
}
