/**
 * The development issuer's pages: the login form (Vietnamese first, English second), the logout confirmation and
 * errors. Self-contained HTML — no scripts, no external assets — readable with a screen reader and without CSS.
 */

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const style = `
  body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f5f8;color:#1b1f24;margin:0}
  main{max-width:26rem;margin:4rem auto;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:2rem}
  h1{font-size:1.35rem;margin:0 0 .25rem}
  p.realm{margin:0 0 1.5rem;color:#57606a}
  label{display:block;font-weight:600;margin:1rem 0 .35rem}
  label span{font-weight:400;color:#57606a}
  input[type=text],input[type=password]{box-sizing:border-box;width:100%;padding:.6rem;font-size:1rem;border:1px solid #8c959f;border-radius:6px}
  input:focus,button:focus{outline:3px solid #0969da;outline-offset:2px}
  .actions{display:flex;gap:.75rem;margin-top:1.5rem}
  button{font-size:1rem;padding:.6rem 1.2rem;border-radius:6px;border:1px solid #1a7f37;background:#1f883d;color:#fff;cursor:pointer}
  button.secondary{background:#fff;color:#1b1f24;border-color:#8c959f}
  .error{background:#ffebe9;border:1px solid #ff8182;padding:.75rem;border-radius:6px;margin-bottom:1rem}
  .dev{margin-top:1.5rem;font-size:.85rem;color:#9a6700}
  .idp{margin-top:1.5rem;border-top:1px solid #d0d7de;padding-top:1rem}
  .idp p{margin:0 0 .5rem;color:#57606a}
  a.idp-link{display:block;text-align:center;font-size:1rem;padding:.6rem 1rem;border-radius:6px;border:1px solid #a50e0e;color:#a50e0e;text-decoration:none;font-weight:600}
  a.idp-link:focus{outline:3px solid #0969da;outline-offset:2px}
`;

function page(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">${head}
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

export interface LoginPageInput {
  realmName: string;
  action: string;
  csrfToken: string;
  clientName: string;
  username?: string | undefined;
  error?: string | undefined;
  /** Identity providers to sign in with (Keycloak's "Or sign in with"), each a link to /broker/<alias>/login. */
  identityProviders?: Array<{ displayName: string; href: string; alias: string }>;
}

export function loginPage(input: LoginPageInput): string {
  const error = input.error ? `<div class="error" role="alert" id="login-error">${escapeHtml(input.error)}</div>` : '';
  const describedBy = input.error ? ' aria-describedby="login-error" aria-invalid="true"' : '';
  return page(
    'Đăng nhập / Sign in',
    `<h1>Đăng nhập <span lang="en">/ Sign in</span></h1>
<p class="realm">${escapeHtml(input.realmName)} — ${escapeHtml(input.clientName)}</p>
${error}
<form method="post" action="${escapeHtml(input.action)}" autocomplete="on">
  <input type="hidden" name="csrf_token" value="${escapeHtml(input.csrfToken)}">
  <label for="username">Tên đăng nhập hoặc email <span lang="en">/ Username or email</span></label>
  <input type="text" id="username" name="username" value="${escapeHtml(input.username ?? '')}" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus${describedBy}>
  <label for="password">Mật khẩu <span lang="en">/ Password</span></label>
  <input type="password" id="password" name="password" autocomplete="current-password" required${describedBy}>
  <div class="actions">
    <button type="submit" name="action" value="login">Đăng nhập <span lang="en">/ Sign in</span></button>
    <button type="submit" name="action" value="cancel" class="secondary" formnovalidate>Hủy <span lang="en">/ Cancel</span></button>
  </div>
</form>
${identityProviderLinks(input.identityProviders ?? [])}
<p class="dev">Máy chủ xác thực dùng cho phát triển, không dùng cho vận hành. <span lang="en">Development issuer — not for production.</span></p>`,
  );
}

function identityProviderLinks(providers: Array<{ displayName: string; href: string; alias: string }>): string {
  if (providers.length === 0) return '';
  const links = providers
    .map((p) => `<li><a class="idp-link" id="social-${escapeHtml(p.alias)}" href="${escapeHtml(p.href)}">${escapeHtml(p.displayName)}</a></li>`)
    .join('\n');
  return `<nav class="idp" aria-labelledby="idp-heading">
<p id="idp-heading">Công dân, doanh nghiệp <span lang="en">/ Citizens and businesses</span></p>
<ul style="list-style:none;margin:0;padding:0">
${links}
</ul>
</nav>`;
}

export function logoutPage(form: string, clientName: string | undefined): string {
  return page(
    'Đăng xuất / Sign out',
    `<h1>Đăng xuất <span lang="en">/ Sign out</span></h1>
<p>Bạn có muốn đăng xuất${clientName ? ` khỏi ${escapeHtml(clientName)}` : ''}? <span lang="en">Do you want to sign out?</span></p>
${form}
<div class="actions">
  <button type="submit" form="op.logoutForm" name="logout" value="yes">Đăng xuất <span lang="en">/ Sign out</span></button>
  <button type="submit" form="op.logoutForm" class="secondary">Không <span lang="en">/ No</span></button>
</div>`,
  );
}

/** End-session with id_token_hint: the confirmation form, submitted by the page itself (a button when scripts are off). */
export function autoLogoutPage(form: string): string {
  const withLogout = form.replace('</form>', '<input type="hidden" name="logout" value="yes"></form>');
  return page(
    'Đang đăng xuất / Signing out',
    `<h1>Đang đăng xuất… <span lang="en">/ Signing out…</span></h1>
${withLogout}
<div class="actions"><button type="submit" form="op.logoutForm">Tiếp tục <span lang="en">/ Continue</span></button></div>
<script>document.getElementById('op.logoutForm').submit()</script>`,
  );
}

/**
 * Keycloak's front-channel logout page: one hidden iframe per logout URL of the clients the session signed in to,
 * then on to `next` (the post-logout redirect URI or the "signed out" page). No script: the refresh comes due once
 * the document has completely loaded, i.e. after every iframe's load event (HTML's shared declarative refresh steps).
 */
export function frontchannelLogoutPage(logoutUrls: string[], next: string): string {
  const frames = logoutUrls
    .map((url) => `<iframe src="${escapeHtml(url)}" title="logout" width="0" height="0" style="display:none" referrerpolicy="no-referrer"></iframe>`)
    .join('\n');
  return page(
    'Đang đăng xuất / Signing out',
    `<h1>Đang đăng xuất khỏi các ứng dụng… <span lang="en">/ Signing out of the applications…</span></h1>
${frames}
<div class="actions"><a href="${escapeHtml(next)}">Tiếp tục <span lang="en">/ Continue</span></a></div>`,
    `\n<meta http-equiv="refresh" content="0;url=${escapeHtml(next)}">`,
  );
}

export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`);
}

/**
 * What each OAuth error a person can land on means, in Vietnamese then English. The OAuth code and description
 * (English, from the protocol) follow as the technical detail to pass on to an administrator.
 */
const ERROR_EXPLANATIONS: Record<string, { vi: string; en: string }> = {
  invalid_request: { vi: 'Yêu cầu đăng nhập của ứng dụng không hợp lệ.', en: 'The application sent an invalid sign-in request.' },
  invalid_client: { vi: 'Ứng dụng này chưa được đăng ký với máy chủ xác thực.', en: 'This application is not registered with the identity provider.' },
  invalid_redirect_uri: {
    vi: 'Địa chỉ quay lại của ứng dụng không nằm trong các địa chỉ đã đăng ký cho ứng dụng này.',
    en: "The application's return address is not one registered for it.",
  },
  unauthorized_client: { vi: 'Ứng dụng không được phép đăng nhập theo cách này.', en: 'The application may not sign in this way.' },
  unsupported_response_type: { vi: 'Ứng dụng yêu cầu một kiểu đăng nhập không được hỗ trợ.', en: 'The application asked for an unsupported kind of sign-in.' },
  invalid_scope: { vi: 'Ứng dụng yêu cầu quyền truy cập không hợp lệ.', en: 'The application asked for access it may not have.' },
  access_denied: { vi: 'Việc đăng nhập đã bị hủy hoặc bị từ chối.', en: 'The sign-in was cancelled or refused.' },
  login_required: { vi: 'Bạn cần đăng nhập lại.', en: 'You need to sign in again.' },
  interaction_required: { vi: 'Bạn cần đăng nhập lại.', en: 'You need to sign in again.' },
  server_error: { vi: 'Máy chủ xác thực gặp lỗi.', en: 'The identity provider failed.' },
  temporarily_unavailable: { vi: 'Máy chủ xác thực tạm thời không phục vụ được.', en: 'The identity provider is temporarily unavailable.' },
};

/** The page shown instead of a redirect when a sign-in cannot go on (oidc-provider's renderError). */
export function errorPage(error: string, description: string | undefined): string {
  const explanation = ERROR_EXPLANATIONS[error] ?? { vi: 'Không thể hoàn tất việc đăng nhập.', en: 'The sign-in could not be completed.' };
  const detail = `${error}${description ? `: ${description}` : ''}`;
  return page(
    'Lỗi đăng nhập / Sign-in error',
    `<h1>Lỗi đăng nhập <span lang="en">/ Sign-in error</span></h1>
<div class="error" role="alert">
<p>${escapeHtml(explanation.vi)} Hãy quay lại ứng dụng và thử lại; nếu lỗi lặp lại, hãy báo cho quản trị viên kèm mã lỗi dưới đây.</p>
<p lang="en">${escapeHtml(explanation.en)} Go back to the application and try again; if it happens again, tell the administrator the error code below.</p>
</div>
<p>Mã lỗi <span lang="en">/ Error code</span>: <code lang="en">${escapeHtml(detail)}</code></p>
<p class="dev">Máy chủ xác thực dùng cho phát triển, không dùng cho vận hành. <span lang="en">Development issuer — not for production.</span></p>`,
  );
}
