// The sign-in page, rendered by the server: it works before the console's script is allowed to
// load, and needs no script itself. Every value in it is escaped.

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => escapes[c]!);

export interface LoginPage {
  passwords: boolean;
  provider: string | null;
  next: string;
  error: string | null;
  email?: string;
}

export function loginPage(p: LoginPage): string {
  const next = escapeHtml(p.next);
  const parts: string[] = [];
  if (p.error) parts.push(`<p class="error" role="alert">${escapeHtml(p.error)}</p>`);
  if (p.provider) {
    parts.push(
      `<a class="provider" id="sign-in-provider" href="/auth/oidc/start?next=${encodeURIComponent(p.next)}">Sign in with ${escapeHtml(p.provider)}</a>`,
    );
  }
  if (p.passwords) {
    if (p.provider) parts.push('<p class="or">or</p>');
    parts.push(`<form method="post" action="/auth/login">
  <input type="hidden" name="next" value="${next}">
  <label>E-mail <input name="email" type="email" autocomplete="username" required value="${escapeHtml(p.email ?? '')}"></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Sign in</button>
</form>`);
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Tarka</title>
<link rel="stylesheet" href="/auth/login.css">
</head>
<body>
<main>
<h1>Tarka</h1>
${parts.join('\n')}
</main>
</body>
</html>
`;
}

export const loginCss = `body{font-family:system-ui,sans-serif;background:#0f1115;color:#e6e6e6;display:flex;justify-content:center;padding-top:12vh;margin:0}
main{width:20rem}h1{font-size:1.4rem;margin:0 0 1.5rem}
label{display:block;margin:.6rem 0;font-size:.9rem}
input{display:block;width:100%;box-sizing:border-box;margin-top:.25rem;padding:.5rem;border:1px solid #444;border-radius:4px;background:#1a1d23;color:inherit}
button,.provider{display:block;width:100%;box-sizing:border-box;margin-top:1rem;padding:.6rem;border:0;border-radius:4px;background:#3b6fd8;color:#fff;text-align:center;text-decoration:none;font-size:1rem;cursor:pointer}
.or{text-align:center;color:#888;margin:1rem 0 0}.error{background:#4a1f24;padding:.6rem;border-radius:4px}
`;
