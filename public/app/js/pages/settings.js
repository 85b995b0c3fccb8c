// Settings: profile and zone, working hours and exceptions, booking links, webhooks (secret shown once,
// delivery log, redeliver), API keys (shown once), Slack. Each tab is one small render function.
import { api, listAll, session } from '../api.js';
import { alertBox, appendAll, busy, checkField, clearErrors, confirmDanger, copyText, empty, field, fieldError, formatDateTime, formError, h, messageOf, mount, showErrors, spinner, toast } from '../dom.js';
import { navigate } from '../main.js';

const TABS = [
  ['profile', 'Profile'],
  ['hours', 'Working hours'],
  ['booking-links', 'Booking links'],
  ['webhooks', 'Webhooks'],
  ['api-keys', 'API keys'],
  ['slack', 'Slack'],
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

export async function renderSettings(view, [tab = 'profile'], query) {
  const current = TABS.some(([id]) => id === tab) ? tab : 'profile';
  const panel = h('div', { id: 'settings-panel', role: 'tabpanel', 'aria-labelledby': `tab-${current}` }, spinner());
  mount(
    view,
    h('h1.h3.mb-3', {}, 'Settings'),
    h('ul.nav.nav-tabs.mb-3.flex-nowrap.overflow-auto', { role: 'tablist' }, TABS.map(([id, label]) => h('li.nav-item', { role: 'presentation' }, h('a.nav-link.text-nowrap', { id: `tab-${id}`, role: 'tab', href: `/app/settings/${id}`, dataset: { link: '' }, class: id === current ? 'active' : '', 'aria-selected': String(id === current) }, label)))),
    panel,
  );
  const render = { profile, hours, 'booking-links': bookingLinks, webhooks, 'api-keys': apiKeys, slack }[current];
  try {
    await render(panel, query);
  } catch (error) {
    mount(panel, alertBox('danger', messageOf(error)));
  }
}

const card = (title, ...body) => h('section.card.mb-3', {}, h('div.card-body', {}, h('h2.h5', {}, title), ...body));
const submitForm = (form, work) =>
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(form.querySelector('button[type=submit]'), async () => {
      try {
        await work();
      } catch (error) {
        showErrors(form, error);
      }
    });
  });
const zoneSelect = (value) => h('select', { name: 'timezone' }, (zones.includes(value) ? zones : [value, ...zones]).map((z) => h('option', { value: z, selected: z === value }, z)));

async function profile(panel) {
  const me = await api('GET', '/users/me');
  const form = h(
    'form',
    { novalidate: true, 'aria-label': 'Profile', style: { maxWidth: '32rem' } },
    formError(),
    field('Name', h('input', { name: 'name', value: me.name, required: true, autocomplete: 'name' })),
    field('Email', h('input', { name: 'email', value: me.email, disabled: true })),
    field('Time zone', zoneSelect(me.timezone), 'Your working hours, new events and the dashboard default to it.'),
    checkField('Email me a daily summary', h('input', { type: 'checkbox', name: 'dailySummary', checked: me.dailySummary })),
    h('button.btn.btn-primary', { type: 'submit' }, 'Save profile'),
  );
  submitForm(form, async () => {
    session.user = await api('PATCH', '/users/me', { body: { name: form.elements.name.value.trim(), timezone: form.elements.timezone.value, dailySummary: form.elements.dailySummary.checked } });
    document.getElementById('nav-user-name').textContent = session.user.name;
    toast('Profile saved.', 'success');
  });
  mount(panel, card('Profile and zone', form));
}

async function hours(panel) {
  const [rules, exceptions] = await Promise.all([api('GET', '/availability'), listAll('/availability/exceptions')]);
  const me = session.user ?? (await api('GET', '/users/me'));
  const ruleForm = h(
    'form.row.g-2.align-items-end',
    { novalidate: true, 'aria-label': 'New working hours' },
    h('div.col-12', {}, formError()),
    h('div.col-sm-4', {}, field('Day', h('select', { name: 'dayOfWeek' }, DAYS.map((d, i) => h('option', { value: i, selected: i === 1 }, d))))),
    h('div.col-6.col-sm-3', {}, field('From', h('input', { name: 'startTime', type: 'time', value: '09:00' }))),
    h('div.col-6.col-sm-3', {}, field('To', h('input', { name: 'endTime', type: 'time', value: '17:00' }))),
    h('div.col-sm-2.mb-3', {}, h('button.btn.btn-primary.w-100', { type: 'submit' }, 'Add')),
  );
  submitForm(ruleForm, async () => {
    await api('POST', '/availability', { body: { dayOfWeek: Number(ruleForm.elements.dayOfWeek.value), startTime: ruleForm.elements.startTime.value, endTime: ruleForm.elements.endTime.value, timezone: me.timezone } });
    toast('Working hours added.', 'success');
    await hours(panel);
  });
  const exForm = h(
    'form.row.g-2.align-items-end',
    { novalidate: true, 'aria-label': 'New exception' },
    h('div.col-12', {}, formError()),
    h('div.col-sm-4', {}, field('Date', h('input', { name: 'date', type: 'date', required: true }))),
    h('div.col-sm-5', {}, field('Reason', h('input', { name: 'reason', maxlength: 200, placeholder: 'Day off' }))),
    h('div.col-sm-3.mb-3', {}, h('button.btn.btn-primary.w-100', { type: 'submit' }, 'Add day off')),
  );
  submitForm(exForm, async () => {
    await api('POST', '/availability/exceptions', { body: { date: exForm.elements.date.value, isUnavailable: true, reason: exForm.elements.reason.value.trim() || undefined, timezone: me.timezone } });
    toast('Exception added.', 'success');
    await hours(panel);
  });
  const remove = (path) => async () => {
    try {
      await api('DELETE', path);
      await hours(panel);
    } catch (error) {
      toast(messageOf(error), 'danger');
    }
  };
  mount(
    panel,
    card(
      'Working hours',
      rules.length
        ? h('ul.list-group.mb-3', {}, [...rules].sort((a, b) => a.dayOfWeek - b.dayOfWeek || a.startTime.localeCompare(b.startTime)).map((r) => h('li.list-group-item.d-flex.align-items-center.gap-2', {}, h('span.me-auto', {}, `${DAYS[r.dayOfWeek]} ${r.startTime.slice(0, 5)}–${r.endTime.slice(0, 5)} (${r.timezone})`), r.isActive ? null : h('span.badge.text-bg-secondary', {}, 'inactive'), h('button.btn.btn-sm.btn-outline-danger', { type: 'button', 'aria-label': `Remove ${DAYS[r.dayOfWeek]} ${r.startTime.slice(0, 5)}`, onclick: remove(`/availability/${r.id}`) }, 'Remove'))))
        : empty('No working hours yet: booking links offer no times until you add some.'),
      ruleForm,
    ),
    card(
      'Exceptions',
      exceptions.length
        ? h('ul.list-group.mb-3', {}, exceptions.map((x) => h('li.list-group-item.d-flex.align-items-center.gap-2', {}, h('span.me-auto', {}, `${x.date} · ${x.isUnavailable ? 'unavailable' : `${x.startTime?.slice(0, 5)}–${x.endTime?.slice(0, 5)}`}${x.reason ? ` · ${x.reason}` : ''}`), h('button.btn.btn-sm.btn-outline-danger', { type: 'button', 'aria-label': `Remove ${x.date}`, onclick: remove(`/availability/exceptions/${x.id}`) }, 'Remove'))))
        : empty('No exceptions.'),
      exForm,
    ),
  );
}

async function bookingLinks(panel) {
  const links = await listAll('/booking-links');
  const form = h(
    'form.row.g-2.align-items-end',
    { novalidate: true, 'aria-label': 'New booking link' },
    h('div.col-12', {}, formError()),
    h('div.col-sm-4', {}, field('Title', h('input', { name: 'title', required: true, placeholder: 'Intro call' }))),
    h('div.col-sm-3', {}, field('Slug', h('input', { name: 'slug', required: true, placeholder: 'intro-call', pattern: '[a-z0-9-]+' }))),
    h('div.col-sm-3', {}, field('Minutes', h('input', { name: 'durationMinutes', type: 'number', min: 5, max: 1440, value: 30 }))),
    h('div.col-sm-2.mb-3', {}, h('button.btn.btn-primary.w-100', { type: 'submit' }, 'Create')),
  );
  form.elements.title.addEventListener('input', () => {
    if (!form.elements.slug.dataset.touched) form.elements.slug.value = form.elements.title.value.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  });
  form.elements.slug.addEventListener('input', () => (form.elements.slug.dataset.touched = '1'));
  submitForm(form, async () => {
    await api('POST', '/booking-links', { body: { title: form.elements.title.value.trim(), slug: form.elements.slug.value.trim(), durationMinutes: Number(form.elements.durationMinutes.value) } });
    toast('Booking link created.', 'success');
    await bookingLinks(panel);
  });
  mount(
    panel,
    card(
      'Booking links',
      links.length
        ? h(
            'ul.list-group.mb-3',
            {},
            links.map((l) => {
              const url = `${location.origin}/book/${l.slug}`;
              return h(
                'li.list-group-item',
                {},
                h('div.d-flex.align-items-center.gap-2.flex-wrap', {}, h('strong.me-auto', {}, `${l.title} · ${l.durationMinutes} min`), l.isActive ? null : h('span.badge.text-bg-secondary', {}, 'inactive'), h('button.btn.btn-sm.btn-outline-danger', { type: 'button', onclick: async () => { if (await confirmDanger('Delete this booking link?', `${url} stops working.`)) { await api('DELETE', `/booking-links/${l.id}`).catch((e) => toast(messageOf(e), 'danger')); await bookingLinks(panel); } } }, 'Delete')),
                h('div.input-group.input-group-sm.mt-1', {}, h('input.form-control', { value: url, readonly: true, 'aria-label': `Public link of ${l.title}` }), h('button.btn.btn-outline-secondary', { type: 'button', onclick: () => copyText(url) }, 'Copy'), h('a.btn.btn-outline-secondary', { href: url, target: '_blank', rel: 'noopener' }, 'Open')),
              );
            }),
          )
        : empty('No booking links yet.'),
      form,
    ),
  );
}

async function webhooks(panel) {
  const hooks = await listAll('/webhooks');
  const form = h(
    'form.row.g-2.align-items-end',
    { novalidate: true, 'aria-label': 'New webhook' },
    h('div.col-12', {}, formError()),
    h('div.col-sm-8', {}, field('Endpoint URL', h('input', { name: 'url', type: 'url', required: true, placeholder: 'https://example.com/webhooks/calento' }))),
    h('div.col-sm-4.mb-3', {}, h('button.btn.btn-primary.w-100', { type: 'submit' }, 'Add endpoint')),
  );
  const secretBox = h('div');
  submitForm(form, async () => {
    const created = await api('POST', '/webhooks', { body: { url: form.elements.url.value.trim() } });
    await webhooks(panel);
    panel.prepend(alertBox('warning', h('strong', {}, 'Signing secret (shown once): '), h('code.secret-box', { id: 'webhook-secret' }, created.secret), ' ', h('button.btn.btn-sm.btn-outline-dark', { type: 'button', onclick: () => copyText(created.secret) }, 'Copy')));
  });
  const deliveries = async (hook, box) => {
    mount(box, spinner('Loading deliveries…'));
    try {
      const res = await api('GET', `/webhooks/${hook.id}/deliveries`, { query: { limit: 20 } });
      if (!res.data.length) return void mount(box, h('p.small.text-body-secondary.mb-0', {}, 'No deliveries yet.'));
      mount(
        box,
        h(
          'div.table-responsive',
          {},
          h(
            'table.table.table-sm.small.mb-0',
            {},
            h('thead', {}, h('tr', {}, ['When', 'Type', 'Status', 'HTTP', ''].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', {}, res.data.map((d) => h('tr', {}, h('td', {}, formatDateTime(d.createdAt)), h('td', {}, d.eventType), h('td', {}, d.status, d.attempts > 1 ? ` (${d.attempts} attempts)` : ''), h('td', {}, d.responseStatus ?? d.lastError ?? '—'), h('td', {}, h('button.btn.btn-link.btn-sm.p-0', { type: 'button', onclick: async () => { try { await api('POST', `/webhooks/${hook.id}/deliveries/${d.id}/redeliver`); toast('Redelivery queued.', 'success'); await deliveries(hook, box); } catch (e) { toast(messageOf(e), 'danger'); } } }, 'Redeliver'))))),
          ),
        ),
      );
    } catch (error) {
      mount(box, alertBox('danger', messageOf(error)));
    }
  };
  mount(
    panel,
    secretBox,
    card(
      'Webhooks',
      hooks.length
        ? h(
            'ul.list-group.mb-3',
            {},
            hooks.map((hook) => {
              const box = h('div.mt-2');
              return h(
                'li.list-group-item',
                {},
                h(
                  'div.d-flex.align-items-center.gap-2.flex-wrap',
                  {},
                  h('code.me-auto.text-break', {}, hook.url),
                  h(`span.badge.${hook.enabled ? 'text-bg-success' : 'text-bg-secondary'}`, {}, hook.enabled ? 'enabled' : `disabled${hook.disabledReason ? ` (${hook.disabledReason})` : ''}`),
                  h('button.btn.btn-sm.btn-outline-secondary', { type: 'button', onclick: () => deliveries(hook, box) }, 'Deliveries'),
                  h('button.btn.btn-sm.btn-outline-secondary', { type: 'button', onclick: async () => { try { await api('POST', `/webhooks/${hook.id}/test`); toast('Test event sent.', 'success'); } catch (e) { toast(messageOf(e), 'danger'); } } }, 'Send test'),
                  h('button.btn.btn-sm.btn-outline-danger', { type: 'button', onclick: async () => { if (await confirmDanger('Delete this endpoint?', hook.url)) { await api('DELETE', `/webhooks/${hook.id}`).catch((e) => toast(messageOf(e), 'danger')); await webhooks(panel); } } }, 'Delete'),
                ),
                h('div.small.text-body-secondary', {}, `Events: ${hook.eventTypes.length ? hook.eventTypes.join(', ') : 'all'}`),
                box,
              );
            }),
          )
        : empty('No webhook endpoints yet.'),
      form,
    ),
  );
}

async function apiKeys(panel) {
  const keys = await api('GET', '/api-keys');
  const scopes = ['events', 'bookings', 'availability', 'clients', 'webhooks', 'users'];
  const form = h(
    'form',
    { novalidate: true, 'aria-label': 'New API key' },
    formError(),
    field('Name', h('input', { name: 'name', required: true, placeholder: 'Zapier' })),
    h('fieldset.mb-3', {}, h('legend.form-label.fs-6', {}, 'Scopes'), h('div.d-flex.flex-wrap.gap-3', {}, scopes.map((s) => checkField(`${s}:read`, h('input', { type: 'checkbox', name: 'scopes', value: `${s}:read`, checked: s === 'events' })))), h('div.invalid-feedback.d-block', { dataset: { for: 'scopes' } })),
    h('button.btn.btn-primary', { type: 'submit' }, 'Create key'),
  );
  submitForm(form, async () => {
    const chosen = [...form.querySelectorAll('input[name=scopes]:checked')].map((i) => i.value);
    const created = await api('POST', '/api-keys', { body: { name: form.elements.name.value.trim(), scopes: chosen } });
    await apiKeys(panel);
    panel.prepend(alertBox('warning', h('strong', {}, 'Your new key (shown once): '), h('code.secret-box', { id: 'api-key-secret' }, created.key), ' ', h('button.btn.btn-sm.btn-outline-dark', { type: 'button', onclick: () => copyText(created.key) }, 'Copy')));
  });
  mount(
    panel,
    card(
      'API keys',
      keys.length
        ? h('ul.list-group.mb-3', {}, keys.map((k) => h('li.list-group-item.d-flex.align-items-center.gap-2.flex-wrap', {}, h('span.me-auto', {}, h('strong', {}, k.name), ' ', h('code', {}, `${k.prefix}…`), h('div.small.text-body-secondary', {}, `${k.scopes.join(', ')} · last used ${k.lastUsedAt ? formatDateTime(k.lastUsedAt) : 'never'}`)), h('button.btn.btn-sm.btn-outline-danger', { type: 'button', onclick: async () => { if (await confirmDanger('Revoke this key?', `Requests with ${k.prefix}… stop working.`, 'Revoke')) { await api('DELETE', `/api-keys/${k.id}`).catch((e) => toast(messageOf(e), 'danger')); await apiKeys(panel); } } }, 'Revoke'))))
        : empty('No API keys.'),
      form,
    ),
  );
}

// The notification kinds Slack can get (the API's SLACK_NOTIFICATION_KINDS), in the app's words.
const SLACK_KINDS = [
  ['booking_created', 'Booking created'],
  ['booking_cancelled', 'Booking cancelled'],
  ['booking_rescheduled', 'Booking rescheduled'],
  ['event_reminder', 'Event reminders'],
  ['daily_summary', 'Daily summary'],
];
const SLACK_MESSAGE_STATUS = { queued: 'text-bg-info', sent: 'text-bg-success', failed: 'text-bg-danger', cancelled: 'text-bg-secondary', skipped: 'text-bg-secondary' };

async function slack(panel, query) {
  const outcome = query.get('slack');
  if (outcome) history.replaceState(null, '', '/app/settings/slack');
  // 404: no install yet (the one case that is not an error here).
  const integration = await api('GET', '/integrations/slack').catch((error) => {
    if (error.status === 404) return null;
    throw error;
  });
  const connect = h('button.btn.btn-primary', { type: 'button' }, integration ? 'Connect again' : 'Connect Slack');
  connect.addEventListener('click', () =>
    busy(connect, async () => {
      try {
        const { url } = await api('POST', '/integrations/slack/connect', { body: { statusSync: true } });
        location.assign(url);
      } catch (error) {
        toast(messageOf(error), 'danger');
      }
    }),
  );
  const disconnect = integration
    ? h('button.btn.btn-outline-danger', { type: 'button', onclick: async () => { if (await confirmDanger('Disconnect Slack?', 'Calento stops posting to Slack.', 'Disconnect')) { await api('POST', '/integrations/slack/disconnect').catch((e) => toast(messageOf(e), 'danger')); await navigate('/settings/slack', { replace: true }); } } }, 'Disconnect')
    : null;
  const lastError = integration?.lastError;
  mount(
    panel,
    outcome === 'connected' ? alertBox('success', 'Slack connected.') : outcome === 'error' ? alertBox('danger', `Slack connection failed (${query.get('reason') ?? 'unknown reason'}).`) : null,
    card(
      'Slack',
      integration
        ? h(
            'dl.row.small',
            { id: 'slack-install' },
            h('dt.col-sm-3', {}, 'Workspace'),
            h('dd.col-sm-9', {}, integration.teamName ?? integration.teamId),
            h('dt.col-sm-3', {}, 'State'),
            h('dd.col-sm-9', {}, integration.state === 'active' ? 'Connected' : 'Slack refused the token: connect again'),
            lastError ? [h('dt.col-sm-3', {}, 'Last error'), h('dd.col-sm-9.text-danger', {}, `${lastError.code}${lastError.channelId ? ` in ${lastError.channelId}` : ''} (${formatDateTime(lastError.at)})`)] : null,
          )
        : h('p', {}, 'Not connected. Connect Slack to get reminders and booking notices there, and to use /calento commands.'),
      h('div.d-flex.gap-2.flex-wrap', {}, connect, disconnect),
    ),
  );
  if (!integration) return;
  const settings = h('section.card.mb-3', { 'aria-labelledby': 'slack-settings-heading' }, h('div.card-body', {}, h('h2.h5', { id: 'slack-settings-heading' }, 'Notifications'), spinner()));
  const messages = h('section.card.mb-3', { 'aria-labelledby': 'slack-messages-heading' });
  panel.append(settings, messages);
  await Promise.all([slackSettings(settings.firstChild, integration), slackMessages(messages)]);
}

/** Slack's channels for the pickers; the error's detail when Slack (or the token) fails. */
async function slackChannels() {
  try {
    return { channels: (await api('GET', '/integrations/slack/channels')).data, error: null };
  } catch (error) {
    return { channels: [], error };
  }
}

/** The default channel, each notification's switch and channel, and status sync: one PATCH on Save. */
async function slackSettings(body, integration) {
  const heading = body.querySelector('h2');
  const { channels, error: channelsError } = await slackChannels();
  const label = (c) => `#${c.name}${c.isPrivate ? ' (private)' : ''}${c.isMember ? '' : ' (app not a member)'}`;
  /** A channel picker; a chosen channel Slack no longer lists stays selectable by its id. */
  const channelSelect = (name, chosen, emptyLabel, ariaLabel) => {
    const known = channels.some((c) => c.id === chosen);
    return h(
      'select.form-select',
      { name, 'aria-label': ariaLabel },
      h('option', { value: '' }, emptyLabel),
      channels.map((c) => h('option', { value: c.id, selected: c.id === chosen }, label(c))),
      chosen && !known ? h('option', { value: chosen, selected: true }, `${chosen} (not listed by Slack)`) : null,
    );
  };

  const form = h('form', { novalidate: true, 'aria-label': 'Slack notifications' });
  const defaultSelect = channelSelect('defaultChannelId', integration.defaultChannelId, 'No default channel (notifications without their own are skipped)', undefined);
  const defaultField = field('Default channel', defaultSelect, 'Where notifications go unless they have a channel of their own. Public channels work without inviting the app; private ones need it.');
  if (channelsError) {
    // The detail under the picker, with a way to ask again; the saved choice stays as it is.
    const retry = h('button.btn.btn-sm.btn-outline-secondary.mt-1', { type: 'button' }, 'Load channels again');
    retry.addEventListener('click', () => busy(retry, () => slackSettings(body, integration)));
    defaultField.append(h('div.small.text-danger', { id: 'slack-channels-error', role: 'alert' }, `Slack's channels could not be loaded: ${messageOf(channelsError)}`), retry);
  }

  const routes = new Map(integration.notifications.map((r) => [r.kind, r]));
  const rows = SLACK_KINDS.map(([kind, name], i) => {
    const route = routes.get(kind) ?? { enabled: false, channelId: null };
    const enabled = h('input.form-check-input', { type: 'checkbox', role: 'switch', name: `notifications[${i}].enabled`, id: `slack-${kind}-on`, checked: route.enabled });
    const channel = channelSelect(`notifications[${i}].channelId`, route.channelId, 'Default channel', `${name}: channel`);
    channel.id = `slack-${kind}-channel`;
    return h(
      'li.list-group-item',
      { dataset: { kind } },
      h(
        'div.row.g-2.align-items-center',
        {},
        h('div.col-12.col-sm-5', {}, h('div.form-check.form-switch.mb-0', {}, enabled, h('label.form-check-label', { for: enabled.id }, name), h('div.invalid-feedback', { dataset: { for: enabled.name } }))),
        h('div.col-12.col-sm-7', {}, channel, h('div.invalid-feedback', { dataset: { for: channel.name } })),
      ),
    );
  });

  const statusSync = h('input', { type: 'checkbox', role: 'switch', name: 'statusSync', checked: integration.statusSync, disabled: !integration.statusSyncAvailable && !integration.statusSync });
  const statusField = checkField('Set my Slack status to “In a meeting” during busy events', statusSync);
  statusField.classList.add('form-switch');
  const statusHint = integration.statusSyncAvailable ? null : h('div.form-text.mt-0.mb-2', {}, 'This install has no permission to set your status: connect again to allow it.');

  appendAll(
    form,
    formError(),
    defaultField,
    h('fieldset.mb-3', {}, h('legend.form-label.fs-6', {}, 'Which notifications go where'), h('ul.list-group', {}, rows), h('div.invalid-feedback.d-block', { dataset: { for: 'notifications' } })),
    statusField,
    statusHint,
    h('button.btn.btn-primary', { type: 'submit' }, 'Save Slack settings'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(form.querySelector('button[type=submit]'), async () => {
      clearErrors(form);
      const payload = {
        defaultChannelId: defaultSelect.value || null,
        notifications: SLACK_KINDS.map(([kind], i) => ({ kind, enabled: form.elements[`notifications[${i}].enabled`].checked, channelId: form.elements[`notifications[${i}].channelId`].value || null })),
      };
      // Status sync only when it can change: an install without the permission refuses any value.
      if (!statusSync.disabled) payload.statusSync = statusSync.checked;
      try {
        const updated = await api('PATCH', '/integrations/slack', { body: payload });
        Object.assign(integration, updated);
        toast('Slack settings saved.', 'success');
      } catch (error) {
        showErrors(form, error);
        // Not a validation error, but about one field: its detail goes there too.
        if (error?.problem?.code === 'SLACK_STATUS_SCOPE_MISSING') fieldError(form, 'statusSync', messageOf(error));
      }
    });
  });
  mount(body, heading, form);
}

/** The latest messages Calento posted (or skipped), with Slack's error: why a notice did not arrive. */
async function slackMessages(section) {
  const heading = h('h2.h5', { id: 'slack-messages-heading' }, 'Recent messages');
  const body = h('div.card-body', {}, heading, spinner());
  mount(section, body);
  let page;
  try {
    page = await api('GET', '/integrations/slack/messages', { query: { limit: 10 } });
  } catch (error) {
    return void mount(body, heading, alertBox('danger', messageOf(error)));
  }
  if (!page.data.length) return void mount(body, heading, empty('No messages yet.'));
  const kindName = new Map(SLACK_KINDS);
  mount(
    body,
    heading,
    h(
      'ul.list-group',
      {},
      page.data.map((m) =>
        h(
          'li.list-group-item',
          {},
          h('div.d-flex.gap-2.align-items-center.flex-wrap', {}, h(`span.badge.${SLACK_MESSAGE_STATUS[m.status] ?? 'text-bg-secondary'}`, {}, m.status), h('span.small.fw-semibold', {}, kindName.get(m.kind) ?? m.kind), h('span.small.text-body-secondary.ms-auto', {}, formatDateTime(m.sentAt ?? m.scheduledAt ?? m.createdAt))),
          h('div.small.text-break', {}, m.text),
          m.lastError ? h('div.small.text-danger', {}, m.lastError) : null,
        ),
      ),
    ),
  );
}
