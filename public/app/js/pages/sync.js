// Two-way Google sync per client (the /calendar/sync routes). A failing route shows its error's detail
// where the panel would be.
import { api, listAll } from '../api.js';
import { alertBox, busy, confirmDanger, empty, formatDateTime, h, messageOf, mount, spinner, toast } from '../dom.js';

const STATES = {
  never: ['Not synced', 'text-bg-secondary'],
  queued: ['Queued', 'text-bg-info'],
  syncing: ['Syncing…', 'text-bg-info'],
  idle: ['Up to date', 'text-bg-success'],
  error: ['Error', 'text-bg-danger'],
  paused: ['Paused', 'text-bg-secondary'],
};

export function stateBadge(state) {
  const [label, cls] = STATES[state] ?? [state, 'text-bg-secondary'];
  return h(`span.badge.${cls}`, { dataset: { state } }, label);
}

export async function renderSync(card, client) {
  const title = h('h2.h5', { id: 'sync-heading' }, 'Sync');
  const body = h('div.card-body', {}, title, spinner());
  mount(card, body);
  let status;
  let calendars = [];
  try {
    // The status lists only calendars synced before; a connected client's other calendars get a row too,
    // or its first sync could not be started from here.
    [status, calendars] = await Promise.all([
      api('GET', '/calendar/sync/status', { query: { clientId: client.id } }),
      client.status === 'connected' ? api('GET', `/clients/${client.id}/calendars`).then((res) => res.data ?? []) : [],
    ]);
  } catch (error) {
    return void mount(body, title, alertBox('danger', messageOf(error)));
  }
  const synced = status.data ?? [];
  const known = new Set(synced.map((s) => s.calendarId));
  const items = [...synced, ...calendars.filter((cal) => !known.has(cal.id)).map((cal) => ({ calendarId: cal.id, summary: cal.summary, state: 'never', enabled: null }))];
  if (!items.length) return void mount(body, title, empty(client.status === 'connected' ? 'No calendar is synced yet.' : 'Connect the Google account to sync its calendars.'));

  const rows = items.map((item) => {
    const strategy = h('select.form-select.form-select-sm', { 'aria-label': `${item.summary}: first sync strategy` }, ['merge', 'import', 'export'].map((s) => h('option', { value: s, selected: s === (item.strategy ?? 'merge') }, s)));
    const enabled = h('input.form-check-input', { type: 'checkbox', role: 'switch', checked: item.enabled, 'aria-label': `${item.summary}: sync enabled` });
    enabled.addEventListener('change', async () => {
      try {
        await api('POST', '/calendar/sync/toggle', { body: { clientId: client.id, calendarId: item.calendarId, enabled: enabled.checked } });
        toast(`${item.summary}: sync ${enabled.checked ? 'on' : 'paused'}.`, 'success');
      } catch (error) {
        enabled.checked = !enabled.checked;
        toast(messageOf(error), 'danger');
      }
    });
    const start = h('button.btn.btn-outline-primary.btn-sm', { type: 'button' }, item.state === 'never' ? 'Start sync' : 'Sync now');
    start.addEventListener('click', () =>
      busy(start, async () => {
        try {
          await api('POST', '/calendar/sync/initial', { body: { clientId: client.id, calendarId: item.calendarId, strategy: strategy.value } });
          toast(`${item.summary}: sync queued.`, 'success');
          void renderSync(card, client);
        } catch (error) {
          toast(messageOf(error), 'danger');
        }
      }),
    );
    const c = item.counts ?? {};
    return h(
      'li.list-group-item',
      { dataset: { calendarId: item.calendarId } },
      h('div.d-flex.align-items-center.gap-2.flex-wrap', {}, h('span.fw-semibold.me-auto.text-break', {}, item.summary ?? item.calendarId), stateBadge(item.state), item.enabled === null ? null : h('div.form-check.form-switch.mb-0', {}, enabled)),
      h('div.small.text-body-secondary', {}, `Last synced ${item.lastSyncedAt ? formatDateTime(item.lastSyncedAt) : 'never'} · ${c.imported ?? 0} imported, ${c.updated ?? 0} updated, ${c.deleted ?? 0} deleted, ${c.exported ?? 0} exported, ${c.conflicts ?? 0} conflicts`),
      item.lastError ? h('div.small.text-danger', {}, item.lastError) : null,
      h('div.d-flex.gap-2.mt-1', {}, strategy, start),
    );
  });
  const disconnect = h('button.btn.btn-outline-danger.btn-sm.mt-2', { type: 'button' }, 'Stop syncing this client');
  disconnect.addEventListener('click', async () => {
    if (!(await confirmDanger('Stop syncing?', 'Calento stops syncing every calendar of this client.', 'Stop syncing'))) return;
    try {
      await api('POST', '/calendar/sync/disconnect', { body: { clientId: client.id } });
      void renderSync(card, client);
    } catch (error) {
      toast(messageOf(error), 'danger');
    }
  });
  mount(body, title, h('ul.list-group', {}, rows), disconnect);
}

// Google's names of the fields a conflict is about, in the app's words.
const FIELD_NAMES = { summary: 'title', description: 'description', location: 'location', start: 'start', end: 'end', attendees: 'attendees', recurrence: 'repetition', reminders: 'reminders', transparency: 'busy/free', visibility: 'visibility', colorId: 'colour', status: 'status' };

/** One side of a conflict: Calento's event (title, startTime…) or Google's event resource (summary, start…). */
function describeSide(side) {
  if (!side || side.status === 'cancelled') return 'deleted';
  const title = side.title ?? side.summary ?? '(no title)';
  const start = side.startTime ?? side.start?.dateTime ?? side.start?.date;
  const end = side.endTime ?? side.end?.dateTime ?? side.end?.date;
  return `${title} · ${formatDateTime(start)} – ${formatDateTime(end)}`;
}

/** The sync conflicts panel of the dashboard; null when there are none, the error's detail when the list fails. */
export async function conflictsPanel(onResolved) {
  let res;
  try {
    res = await api('GET', '/calendar/sync/conflicts');
  } catch (error) {
    return alertBox('danger', h('span', { id: 'conflicts-error' }, `Sync conflicts could not be loaded: ${messageOf(error)}`));
  }
  const conflicts = res?.data ?? [];
  if (!conflicts.length) return null;
  const clientNames = new Map((await listAll('/clients').catch(() => [])).map((c) => [c.id, c.name]));
  return h(
    'section.alert.alert-warning',
    { 'aria-labelledby': 'conflicts-heading' },
    h('h2.h6', { id: 'conflicts-heading' }, `${conflicts.length} sync conflict${conflicts.length === 1 ? '' : 's'}`),
    h(
      'ul.list-unstyled.mb-0',
      {},
      conflicts.map((c) => {
        const resolve = (resolution) => async (event) =>
          busy(event.currentTarget, async () => {
            try {
              await api('POST', `/calendar/sync/conflicts/${c.id}/resolve`, { body: { resolution } });
              toast('Conflict resolved.', 'success');
              onResolved();
            } catch (error) {
              toast(messageOf(error), 'danger');
            }
          });
        return h(
          'li.mb-2',
          {},
          h('div.small.text-body-secondary', {}, `${clientNames.get(c.clientId) ?? 'A client'} · ${c.calendarId} · changed on both sides: ${(c.fields ?? []).map((f) => FIELD_NAMES[f] ?? f).join(', ') || 'the event'}`),
          h('div.small', {}, h('strong', {}, 'Calento: '), describeSide(c.local)),
          h('div.small', {}, h('strong', {}, 'Google: '), describeSide(c.google)),
          h('div.d-flex.gap-2.mt-1', {}, h('button.btn.btn-sm.btn-outline-dark', { type: 'button', onclick: resolve('local') }, 'Keep Calento’s'), h('button.btn.btn-sm.btn-outline-dark', { type: 'button', onclick: resolve('google') }, 'Keep Google’s')),
        );
      }),
    ),
  );
}
