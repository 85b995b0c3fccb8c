// The password reset page (/app/reset-password?token=…), opened from the reset email. Plain DOM and
// same-origin fetches to the auth API; nothing inline (the CSP runs scripts from files only). Text from
// the API is only ever set as textContent. Self-contained, so a later web app under /app can take it in.

const API = '/api/v1/auth';
const $ = (selector) => document.querySelector(selector);

// The token is a credential: once read, keep it out of the address bar, the history and bookmarks.
const token = new URLSearchParams(location.search).get('token');
if (location.search) history.replaceState(null, '', location.pathname);

const MIN_PASSWORD = 10;

function say(text, ok = false) {
  const status = $('#status');
  status.textContent = text;
  status.classList.toggle('ok', ok);
}

/** Shows one of the two forms (or neither, once done). */
function show(formId) {
  for (const id of ['reset-form', 'request-form']) $(`#${id}`).hidden = id !== formId;
}

/** The error under a field (`new-password`, `confirm-password`, `email`), or clears it. */
function fieldError(id, message = '') {
  $(`#${id}-error`).textContent = message;
  $(`#${id}`).setAttribute('aria-invalid', message ? 'true' : 'false');
}

const sentence = (message) => message.charAt(0).toUpperCase() + message.slice(1) + (/[.!?]$/.test(message) ? '' : '.');

/** `{ ok, status, problem, retryAfter }`; status 0 when the server could not be reached. */
async function post(path, body) {
  try {
    const response = await fetch(`${API}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const problem = response.ok ? null : await response.json().catch(() => null);
    return { ok: response.ok, status: response.status, problem, retryAfter: response.headers.get('retry-after') };
  } catch {
    return { ok: false, status: 0, problem: null, retryAfter: null };
  }
}

/** What to tell the person for an answer no field explains. */
function generalError(result) {
  if (result.status === 0) return 'Calento could not be reached. Check your connection and try again.';
  if (result.status === 429) return `Too many attempts. Try again in ${result.retryAfter ?? 'a few'} seconds.`;
  return `Something went wrong (${result.problem?.code ?? result.status}). Try again in a moment.`;
}

function askForNewLink(message) {
  show('request-form');
  say(message);
  $('#email').focus();
}

async function submitReset(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const password = $('#new-password').value;
  const confirm = $('#confirm-password').value;
  fieldError('new-password');
  fieldError('confirm-password');
  $('#reset-error').textContent = '';
  if (password.length < MIN_PASSWORD) fieldError('new-password', `Use at least ${MIN_PASSWORD} characters.`);
  else if (confirm !== password) fieldError('confirm-password', 'The two passwords are not the same.');
  const invalid = form.querySelector('[aria-invalid="true"]');
  if (invalid) {
    invalid.focus();
    return;
  }

  const button = form.querySelector('button');
  button.disabled = true;
  const result = await post('reset-password', { token, newPassword: password });
  button.disabled = false;

  if (result.ok) {
    show(null);
    say('Your password has been changed. Every device was signed out: sign in again with the new password.', true);
    $('#title').focus();
    return;
  }
  const problem = result.problem ?? {};
  const fields = problem.code === 'VALIDATION_FAILED' ? (problem.errors ?? []) : [];
  if (problem.code === 'INVALID_RESET_TOKEN' || fields.some((error) => error.field === 'token')) {
    askForNewLink('This link has expired or was already used. Ask for a new one below.');
    return;
  }
  const passwordError = fields.find((error) => error.field === 'newPassword');
  if (passwordError) {
    fieldError('new-password', `The new password ${passwordError.message.replace(/\.$/, '')}.`);
    $('#new-password').focus();
    return;
  }
  $('#reset-error').textContent = generalError(result);
}

async function submitRequest(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const email = $('#email').value.trim();
  fieldError('email');
  $('#request-error').textContent = '';
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
    fieldError('email', 'Enter an email address such as ada@example.com.');
    $('#email').focus();
    return;
  }
  const button = form.querySelector('button');
  button.disabled = true;
  const result = await post('forgot-password', { email });
  button.disabled = false;
  if (result.ok) {
    show(null);
    say(`If an account exists for ${email}, a new link is on its way. It works once.`, true);
    $('#title').focus();
    return;
  }
  const emailError = (result.problem?.errors ?? []).find((error) => error.field === 'email');
  if (emailError) fieldError('email', sentence(emailError.message));
  else $('#request-error').textContent = generalError(result);
}

$('#reset-form').addEventListener('submit', submitReset);
$('#request-form').addEventListener('submit', submitRequest);

if (token) {
  show('reset-form');
  $('#new-password').focus();
} else {
  askForNewLink('This link is incomplete. Ask for a new one below.');
}
