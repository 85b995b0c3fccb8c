import type { AuthRequest } from './oauth-service.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The browser demo's stand-in for Google's account chooser and consent screen. */
export function consentPage(pendingId: string, request: AuthRequest, accounts: string[]): string {
  const preselected = request.loginHint && accounts.includes(request.loginHint.toLowerCase()) ? request.loginHint.toLowerCase() : accounts[0];
  const options = accounts
    .map((email) => `<label class="acct"><input type="radio" name="account" value="${esc(email)}"${email === preselected ? ' checked' : ''}> ${esc(email)}</label>`)
    .join('\n');
  const scopes = request.scopes.map((s) => `<li><code>${esc(s)}</code></li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in – Fake Google Accounts</title>
<style>
body{font-family:system-ui,sans-serif;background:#f1f3f4;margin:0}
main{max-width:460px;margin:48px auto;background:#fff;border-radius:8px;padding:32px;box-shadow:0 1px 3px #0003}
h1{font-size:22px;font-weight:400;margin:0 0 8px}.banner{background:#fef7e0;padding:8px 12px;border-radius:4px;font-size:13px}
.acct{display:block;padding:8px;border-bottom:1px solid #eee}ul{font-size:13px}
.buttons{display:flex;gap:12px;justify-content:flex-end;margin-top:24px}
button{padding:8px 24px;border-radius:4px;border:1px solid #dadce0;background:#fff;font-size:14px;cursor:pointer}
button.allow{background:#1a73e8;color:#fff;border-color:#1a73e8}
</style></head>
<body><main>
<p class="banner">This is the <strong>fake</strong> Google of Calento's test kit. No real account is involved.</p>
<h1>Choose an account</h1>
<p>to continue to <strong>${esc(request.client.name)}</strong></p>
<form method="post" action="/o/oauth2/v2/auth/decision">
<input type="hidden" name="request" value="${esc(pendingId)}">
${options}
<label class="acct">or another account: <input type="email" name="new_account" placeholder="someone@example.com"></label>
<p>${esc(request.client.name)} wants to access your Google Account:</p>
<ul>${scopes}</ul>
${request.offline ? '<p>It will keep this access when you are not using it (offline access).</p>' : ''}
<div class="buttons">
<button type="submit" name="decision" value="deny" id="deny">Cancel</button>
<button type="submit" name="decision" value="allow" id="allow" class="allow">Allow</button>
</div>
</form></main></body></html>`;
}

export function errorPage(status: number, error: string, description: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error ${status} (${esc(error)})</title></head>
<body><h1>Access blocked: authorization error</h1><p>Error ${status}: <code id="error">${esc(error)}</code></p><p id="description">${esc(description)}</p></body></html>`;
}
