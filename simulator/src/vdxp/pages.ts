/**
 * The VDXP simulator's pages, Vietnamese first: the sign-in form (số định danh cá nhân + mật khẩu) and the error page
 * shown when a request cannot be sent back to the application (unknown client, unregistered return address).
 * Self-contained HTML: no scripts, no external assets.
 */

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** Headers of every page: no framing, no scripts, forms post back to this origin only. */
export const pageHeaders = {
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  'cache-control': 'no-store',
};

const style = `
  body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f5f1ea;color:#1b1f24;margin:0}
  header{background:#a50e0e;color:#fff;padding:1rem 1.5rem}
  header p{margin:0;font-size:.9rem}
  header h1{margin:.1rem 0 0;font-size:1.2rem}
  main{max-width:28rem;margin:2.5rem auto;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:2rem}
  h2{font-size:1.3rem;margin:0 0 .25rem}
  p.client{margin:0 0 1.25rem;color:#57606a}
  label{display:block;font-weight:600;margin:1rem 0 .35rem}
  label span{font-weight:400;color:#57606a}
  input[type=text],input[type=password]{box-sizing:border-box;width:100%;padding:.6rem;font-size:1rem;border:1px solid #8c959f;border-radius:6px}
  input:focus,button:focus{outline:3px solid #0969da;outline-offset:2px}
  .hint{font-size:.85rem;color:#57606a;margin:.3rem 0 0}
  .actions{display:flex;gap:.75rem;margin-top:1.5rem}
  button{font-size:1rem;padding:.6rem 1.2rem;border-radius:6px;border:1px solid #8a0b0b;background:#a50e0e;color:#fff;cursor:pointer}
  button.secondary{background:#fff;color:#1b1f24;border-color:#8c959f}
  .error{background:#ffebe9;border:1px solid #ff8182;padding:.75rem;border-radius:6px;margin-bottom:1rem}
  .dev{margin-top:1.5rem;font-size:.85rem;color:#7d4e00}
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
<header><p>Bộ Công an — Hệ thống định danh và xác thực điện tử</p><h1>VNeID / VDXP (mô phỏng)</h1></header>
<main>
${body}
<p class="dev">Máy chủ mô phỏng dùng cho phát triển và kiểm thử, không phải VNeID thật. <span lang="en">Development simulator of the national e-ID — not the real VNeID.</span></p>
</main>
</body>
</html>`;
}

export interface VdxpLoginPageInput {
  action: string;
  /** The pending authorization request's id (also the form's anti-forgery token). */
  requestId: string;
  clientName: string;
  personalId?: string | undefined;
  error?: string | undefined;
  /** Which field the error concerns. */
  errorField?: 'personal_id' | 'password' | undefined;
}

export function vdxpLoginPage(input: VdxpLoginPageInput): string {
  const error = input.error ? `<div class="error" role="alert" id="vdxp-error">${escapeHtml(input.error)}</div>` : '';
  const invalid = (field: 'personal_id' | 'password'): string =>
    input.error && input.errorField === field ? ' aria-describedby="vdxp-error" aria-invalid="true"' : '';
  return page(
    'Đăng nhập VNeID / Sign in with VNeID',
    `<h2>Đăng nhập bằng tài khoản định danh điện tử <span lang="en">/ Sign in with your e-ID</span></h2>
<p class="client">Ứng dụng yêu cầu đăng nhập: ${escapeHtml(input.clientName)}</p>
${error}
<form method="post" action="${escapeHtml(input.action)}" autocomplete="on">
  <input type="hidden" name="request" value="${escapeHtml(input.requestId)}">
  <label for="personal_id">Số định danh cá nhân (CCCD) <span lang="en">/ Personal ID number</span></label>
  <input type="text" id="personal_id" name="personal_id" value="${escapeHtml(input.personalId ?? '')}" inputmode="numeric" autocomplete="username" maxlength="32" required autofocus${invalid('personal_id')}>
  <p class="hint">12 chữ số, in trên thẻ căn cước. <span lang="en">12 digits, printed on the identity card.</span></p>
  <label for="password">Mật khẩu <span lang="en">/ Password</span></label>
  <input type="password" id="password" name="password" autocomplete="current-password" required${invalid('password')}>
  <div class="actions">
    <button type="submit" name="action" value="login">Đăng nhập <span lang="en">/ Sign in</span></button>
    <button type="submit" name="action" value="cancel" class="secondary" formnovalidate>Hủy <span lang="en">/ Cancel</span></button>
  </div>
</form>`,
  );
}

/** A request that cannot be answered to the application: explained here, with the technical code to pass on. */
export function vdxpErrorPage(vi: string, en: string, code: string): string {
  return page(
    'Lỗi đăng nhập VNeID / VNeID sign-in error',
    `<h2>Không thể đăng nhập <span lang="en">/ Cannot sign in</span></h2>
<div class="error" role="alert"><p>${escapeHtml(vi)}</p><p lang="en">${escapeHtml(en)}</p></div>
<p>Mã lỗi <span lang="en">/ Error code</span>: <code lang="en">${escapeHtml(code)}</code></p>`,
  );
}
