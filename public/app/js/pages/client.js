import { api, enc } from '../api.js';
import { alertBox, busy, checkField, confirmDanger, copyText, empty, field, formatDateTime, formError, h, messageOf, mount, showErrors, spinner, toast } from '../dom.js';
import { navigate } from '../main.js';
import { renderSync } from './sync.js';

const STATUS = {
  pending: ['Not connected', 'text-bg-secondary'],
  connected: ['Connected', 'text-bg-success'],
  needs_reauth: ['Needs re-authorization', 'text-bg-warning'],
  disconnected: ['Disconnected', 'text-bg-secondary'],
};

export function statusBadge(status) {
  const [label, cls] = STATUS[status] ?? [status, 'text-bg-secondary'];
  return h(`span.badge.${cls}`, { dataset: { status } }, label);
}

/** The callback's `reason`s (docs/clients.md) in plain words. */
const REASONS = {
  invalid_state: 'The authorization link was not recognised. Start again with Authorize.',
  state_used: 'This authorization was already completed (the page was reloaded).',
  state_expired: 'More than 10 minutes passed on the consent screen. Start again with Authorize.',
  access_denied: 'The permission was declined on Google’s consent screen.',
  missing_code: 'Google sent no authorization code back.',
  invalid_grant: 'Google refused the authorization code. Start again with Authorize.',
  invalid_client: 'Google refused the OAuth client id or secret. Check the credentials below.',
  google_unavailable: 'Google could not be reached. Try again in a moment.',
  insufficient_scope: 'The calendar permission was unticked on the consent screen; Calento needs it.',
  no_account_email: 'Google did not say which account consented.',
  account_mismatch: 'A different Google account consented than the one this client is connected to.',
  no_refresh_token: 'Google sent no refresh token (offline access). Remove the app’s access in the Google account and authorize again.',
  default_client_missing: 'The deployment’s Google OAuth client is no longer configured.',
};

export async function renderClient(view, [id], query) {
  mount(view, spinner('Loading the client…'));
  let client;
  try {
    client = await api('GET', `/clients/${enc(id)}`);
  } catch (error) {
    return void mount(view, h('h1.h3', {}, 'Client'), alertBox('danger', messageOf(error)), h('a', { href: '/app/clients', dataset: { link: '' } }, 'Back to clients'));
  }
  // The outcome of the consent flow is read once, then taken out of the address bar.
  const outcome = query.get('oauth');
  const reason = query.get('reason');
  if (outcome) history.replaceState(null, '', location.pathname);

  const heading = h('h1.h3.mb-0.text-break', { id: 'client-name' }, client.name);
  const header = h(
    'div.d-flex.align-items-center.gap-2.flex-wrap.mb-3',
    {},
    h('span.color-dot', { style: { background: client.color }, 'aria-hidden': 'true', id: 'client-dot' }),
    heading,
    statusBadge(client.status),
    client.accountEmail ? h('span.text-body-secondary.small', {}, client.accountEmail) : null,
  );
  const outcomeBox =
    outcome === 'connected'
      ? alertBox('success', h('strong', {}, 'Google account connected. '), `Calento can now read ${client.accountEmail ?? 'the account'}’s calendars.`)
      : outcome === 'error'
        ? alertBox('danger', h('strong', {}, 'Google authorization failed. '), REASONS[reason] ?? `Reason: ${reason ?? 'unknown'}.`)
        : null;
  if (outcomeBox) outcomeBox.id = 'oauth-outcome';

  const connection = h('section.card.mb-3', { 'aria-labelledby': 'connection-heading' });
  const calendars = h('section.card.mb-3', { 'aria-labelledby': 'calendars-heading' });
  const sync = h('section.card.mb-3', { 'aria-labelledby': 'sync-heading' });

  mount(
    view,
    h('nav', { 'aria-label': 'Breadcrumb' }, h('ol.breadcrumb', {}, h('li.breadcrumb-item', {}, h('a', { href: '/app/clients', dataset: { link: '' } }, 'Clients')), h('li.breadcrumb-item.active', { 'aria-current': 'page' }, client.name))),
    header,
    outcomeBox,
    client.status === 'needs_reauth'
      ? alertBox('warning', 'Google refused Calento’s access to this account (revoked or expired). Authorize again to resume syncing. ', h('button.btn.btn-warning.btn-sm', { type: 'button', onclick: () => authorize(client) }, 'Re-authorize'))
      : null,
    h('div.row.g-3', {}, h('div.col-lg-7', {}, connection, calendars, sync), h('div.col-lg-5', {}, detailsCard(client, heading))),
  );
  void renderConnection(connection, client);
  void renderCalendars(calendars, client);
  void renderSync(sync, client);
}

function detailsCard(client, heading) {
  const form = h(
    'form',
    { novalidate: true, 'aria-label': 'Client details' },
    formError(),
    field('Name', h('input', { name: 'name', required: true, maxlength: 200, value: client.name })),
    field('Colour', h('input.form-control-color', { name: 'color', type: 'color', value: client.color })),
    field('Description', h('textarea', { name: 'description', rows: 2, maxlength: 2000 }, client.description ?? '')),
    h('div.d-flex.gap-2.flex-wrap', {}, h('button.btn.btn-primary', { type: 'submit' }, 'Save'), h('button.btn.btn-outline-danger.ms-auto', { type: 'button', id: 'delete-client' }, 'Delete client')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(form.querySelector('button[type=submit]'), async () => {
      try {
        const updated = await api('PUT', `/clients/${client.id}`, {
          body: { name: form.elements.name.value.trim(), color: form.elements.color.value, description: form.elements.description.value.trim() || null },
        });
        Object.assign(client, updated);
        heading.textContent = updated.name;
        document.getElementById('client-dot').style.background = updated.color;
        toast('Client saved.', 'success');
      } catch (error) {
        showErrors(form, error);
      }
    });
  });
  form.querySelector('#delete-client').addEventListener('click', async () => {
    if (!(await confirmDanger('Delete this client?', `“${client.name}”, its credentials and calendars are removed and Calento’s access to the Google account is revoked.`))) return;
    try {
      await api('DELETE', `/clients/${client.id}`);
      toast('Client deleted.', 'success');
      await navigate('/clients');
    } catch (error) {
      toast(messageOf(error), 'danger');
    }
  });
  return h('section.card', { 'aria-labelledby': 'details-heading' }, h('div.card-body', {}, h('h2.h5', { id: 'details-heading' }, 'Details'), form));
}

async function authorize(client) {
  try {
    const { url } = await api('POST', `/oauth/${client.credentialId}/authorize`);
    location.assign(url);
  } catch (error) {
    toast(messageOf(error), 'danger');
  }
}

async function renderConnection(card, client) {
  mount(card, h('div.card-body', {}, h('h2.h5', { id: 'connection-heading' }, 'Google connection'), spinner()));
  const body = card.firstChild;
  let credential = null;
  if (client.credentialId) {
    try {
      credential = await api('GET', `/oauth/${client.credentialId}`);
    } catch (error) {
      body.append(alertBox('danger', messageOf(error)));
    }
  }
  body.querySelector('[role=status]')?.remove();

  const scopes = (credential?.scopes ?? ['https://www.googleapis.com/auth/calendar']).join('\n');
  const form = h(
    'form',
    { novalidate: true, 'aria-label': 'OAuth credentials', id: 'oauth-form' },
    formError(),
    checkField('Use the deployment’s Google OAuth client', h('input', { type: 'checkbox', name: 'useDefault', checked: credential?.useDefault ?? false })),
    h(
      'div',
      { id: 'own-client-fields' },
      field('Google client ID', h('input', { name: 'googleClientId', autocomplete: 'off', spellcheck: 'false', value: credential?.googleClientId ?? '', placeholder: '1234567890-abc.apps.googleusercontent.com' })),
      field(
        'Client secret',
        h('input', { name: 'clientSecret', type: 'password', autocomplete: 'new-password', spellcheck: 'false', placeholder: credential?.hasSecret ? `Stored${credential.secretLast4 ? ` (…${credential.secretLast4})` : ''}: leave empty to keep it` : 'GOCSPX-…' }),
        'Write-only: Calento stores it encrypted and never shows it again.',
      ),
    ),
    field('Scopes', h('textarea', { name: 'scopes', rows: 2, spellcheck: 'false' }, scopes), 'One per line. Calento adds openid and email.'),
    h('div.d-flex.gap-2.flex-wrap', {}, h('button.btn.btn-primary', { type: 'submit' }, credential ? 'Save credentials' : 'Save credentials'), credential ? h('button.btn.btn-outline-danger.ms-auto', { type: 'button', id: 'remove-credentials' }, 'Remove credentials') : null),
  );
  const toggleOwn = () => (form.querySelector('#own-client-fields').hidden = form.elements.useDefault.checked);
  form.elements.useDefault.addEventListener('change', toggleOwn);
  toggleOwn();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const useDefault = form.elements.useDefault.checked;
    const body = { useDefault, scopes: form.elements.scopes.value.split(/\s+/).filter(Boolean) };
    if (!useDefault) {
      body.googleClientId = form.elements.googleClientId.value.trim();
      if (form.elements.clientSecret.value) body.clientSecret = form.elements.clientSecret.value;
    }
    await busy(form.querySelector('button[type=submit]'), async () => {
      try {
        const saved = credential ? await api('PUT', `/oauth/${credential.id}`, { body }) : await api('POST', '/oauth', { body: { clientId: client.id, ...body } });
        toast('Credentials saved.', 'success');
        Object.assign(client, await api('GET', `/clients/${client.id}`));
        client.credentialId = saved.id;
        void renderConnection(card, client);
      } catch (error) {
        showErrors(form, error);
      }
    });
  });
  form.querySelector('#remove-credentials')?.addEventListener('click', async () => {
    if (!(await confirmDanger('Remove the credentials?', 'The Google account is disconnected and Calento’s tokens are revoked. The calendars and their settings stay.', 'Remove'))) return;
    try {
      await api('DELETE', `/oauth/${credential.id}`);
      client.credentialId = null;
      Object.assign(client, await api('GET', `/clients/${client.id}`));
      void renderConnection(card, client);
    } catch (error) {
      toast(messageOf(error), 'danger');
    }
  });

  const connected = client.status === 'connected';
  const status = h(
    'dl.row.small.mb-3',
    { id: 'connection-status' },
    h('dt.col-sm-4', {}, 'Status'),
    h('dd.col-sm-8', {}, statusBadge(client.status)),
    client.accountEmail ? [h('dt.col-sm-4', {}, 'Account'), h('dd.col-sm-8.text-break', {}, client.accountEmail)] : null,
    client.connectedAt ? [h('dt.col-sm-4', {}, 'Connected'), h('dd.col-sm-8', {}, formatDateTime(client.connectedAt))] : null,
    credential ? [h('dt.col-sm-4', {}, 'Credentials'), h('dd.col-sm-8', {}, credential.status)] : null,
    credential
      ? [
          h('dt.col-sm-4', {}, 'Redirect URI'),
          h('dd.col-sm-8', {}, h('code.text-break', {}, credential.redirectUri), ' ', h('button.btn.btn-link.btn-sm.p-0', { type: 'button', onclick: () => copyText(credential.redirectUri) }, 'Copy')),
        ]
      : null,
  );
  const authorizeButton = credential
    ? h('button.btn.mb-3', { type: 'button', id: 'authorize', class: connected ? 'btn-outline-primary' : 'btn-success', onclick: (e) => busy(e.currentTarget, () => authorize(client)) }, connected ? 'Re-authorize' : client.status === 'needs_reauth' ? 'Re-authorize' : 'Authorize with Google')
    : h('p.text-body-secondary.small', {}, 'Save the client’s OAuth credentials, then authorize its Google account.');
  mount(body, h('h2.h5', { id: 'connection-heading' }, 'Google connection'), status, authorizeButton, h('hr'), h('h3.h6', {}, 'OAuth credentials'), form);
}

async function renderCalendars(card, client) {
  const body = h('div.card-body', {}, h('h2.h5', { id: 'calendars-heading' }, 'Calendars'), spinner('Reading the calendar list…'));
  mount(card, body);
  let res;
  try {
    res = await api('GET', `/clients/${client.id}/calendars`);
  } catch (error) {
    return void mount(body, h('h2.h5', { id: 'calendars-heading' }, 'Calendars'), alertBox('danger', messageOf(error)));
  }
  const note = res.meta && !res.meta.live && client.status === 'connected' ? h('p.small.text-warning-emphasis', {}, 'Google could not be reached: this is the list Calento stored last.') : null;
  if (!res.data.length) {
    return void mount(body, h('h2.h5', { id: 'calendars-heading' }, 'Calendars'), note, empty(client.status === 'connected' ? 'This account has no calendars.' : 'Connect the Google account to see its calendars.'));
  }
  const rows = res.data.map((cal) => {
    const busyInput = h('input.form-check-input', { type: 'checkbox', role: 'switch', checked: cal.busy, 'aria-label': `${cal.summary}: counts as busy` });
    const destInput = h('input.form-check-input', { type: 'checkbox', role: 'switch', checked: cal.destination, disabled: !['owner', 'writer'].includes(cal.accessRole), 'aria-label': `${cal.summary}: receives new bookings` });
    const save = async (input, key) => {
      input.disabled = true;
      try {
        const updated = await api('PATCH', `/clients/${client.id}/calendars/${enc(cal.id)}`, { body: { [key]: input.checked } });
        Object.assign(cal, updated);
        toast(`${cal.summary}: ${key === 'busy' ? (updated.busy ? 'counts as busy' : 'no longer counts as busy') : updated.destination ? 'receives new bookings' : 'no longer receives bookings'}.`, 'success');
        if (key === 'destination') void renderCalendars(card, client);
      } catch (error) {
        input.checked = !input.checked;
        toast(messageOf(error), 'danger');
      } finally {
        input.disabled = key === 'destination' && !['owner', 'writer'].includes(cal.accessRole);
      }
    };
    busyInput.addEventListener('change', () => save(busyInput, 'busy'));
    destInput.addEventListener('change', () => save(destInput, 'destination'));
    return h(
      'tr',
      { dataset: { calendarId: cal.id } },
      h('td', {}, h('span.color-dot.me-2', { style: { background: cal.backgroundColor ?? client.color }, 'aria-hidden': 'true' }), h('span.text-break', {}, cal.summary), cal.primary ? h('span.badge.text-bg-light.ms-1', {}, 'primary') : null, h('div.small.text-body-secondary', {}, cal.accessRole, cal.timeZone ? ` · ${cal.timeZone}` : '')),
      h('td', {}, h('div.form-check.form-switch.mb-0', {}, busyInput)),
      h('td', {}, h('div.form-check.form-switch.mb-0', {}, destInput)),
    );
  });
  mount(
    body,
    h('h2.h5', { id: 'calendars-heading' }, 'Calendars'),
    note,
    h('div.table-responsive', {}, h('table.table.table-sm.mb-0', { id: 'calendars' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Calendar'), h('th', { scope: 'col' }, 'Busy'), h('th', { scope: 'col' }, 'Destination'))), h('tbody', {}, rows))),
    h('p.small.text-body-secondary.mt-2.mb-0', {}, 'Busy calendars block your availability; the destination receives new bookings (one across all clients).'),
  );
}
