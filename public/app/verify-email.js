// The email verification page (/app/verify-email?token=…), opened from the verification email. It sends
// the token to POST /api/v1/integrations/email/confirm once and says what happened. Plain DOM, nothing
// inline (the CSP runs scripts from files only); text from the API is only ever set as textContent.

const $ = (selector) => document.querySelector(selector);

// The token is a credential: once read, keep it out of the address bar, the history and bookmarks.
const token = new URLSearchParams(location.search).get('token');
if (location.search) history.replaceState(null, '', location.pathname);

function say(text, ok = false) {
  const status = $('#status');
  status.textContent = text;
  status.classList.toggle('ok', ok);
  $('#title').focus();
}

async function confirm() {
  if (!token) return say('This link is incomplete. Open the link from the email again, or ask Calento for a new one.');
  let response;
  try {
    response = await fetch('/api/v1/integrations/email/confirm', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
  } catch {
    return say('Calento could not be reached. Check your connection and reload the page.');
  }
  if (response.ok) {
    const address = await response.json();
    return say(`${address.email} is confirmed. Calento will send your notifications there.`, true);
  }
  if (response.status === 429) return say(`Too many attempts. Try again in ${response.headers.get('retry-after') ?? 'a few'} seconds.`);
  const problem = await response.json().catch(() => null);
  if (problem?.code === 'INVALID_VERIFICATION_TOKEN' || problem?.code === 'VALIDATION_FAILED') {
    return say('This link has expired or was used already. Ask Calento for a new one from your settings.');
  }
  return say(`Something went wrong (${problem?.code ?? response.status}). Reload the page to try again.`);
}

void confirm();
