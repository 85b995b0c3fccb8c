// The dashboard: every client's synced calendars and the user's own events stacked in one FullCalendar,
// coloured by client, with a legend to show or hide each client and calendar. Occurrences of series come
// expanded from the API (GET /events?expand=true); a drag or resize is the API's PATCH (or the series
// routes for an occurrence; the client calendar routes for an event of a client calendar), and its error
// detail is shown in a toast. "Switch client" focuses one client; "Select" turns on bulk actions.
import { api, listAll } from '../api.js';
import { choose, h, messageOf, mount, toast } from '../dom.js';
import { openEventModal } from '../event-modal.js';
import { targetKey, updateEvent, writableCalendars } from '../event-writes.js';
import { bulkActions, fcIdOf } from './bulk.js';
import { conflictsPanel } from './sync.js';

export const LOCAL_COLOR = '#64748b';
const HIDDEN_KEY = 'calento.hidden';
const FOCUS_KEY = 'calento.focus';
const PAGE = 200;

const hidden = new Set(JSON.parse(localStorage.getItem(HIDDEN_KEY) ?? '[]'));
const saveHidden = () => localStorage.setItem(HIDDEN_KEY, JSON.stringify([...hidden]));

/** "Switch client": one client in focus (null: all), with or without the user's own events. Remembered like the legend. */
function readFocus() {
  try {
    const value = JSON.parse(localStorage.getItem(FOCUS_KEY) ?? 'null');
    return value && typeof value.clientId === 'string' ? { clientId: value.clientId, own: value.own !== false } : null;
  } catch {
    return null;
  }
}
let focus = readFocus();
const saveFocus = () => (focus ? localStorage.setItem(FOCUS_KEY, JSON.stringify(focus)) : localStorage.removeItem(FOCUS_KEY));

/** The legend key of an event: its client and calendar, or local. */
function keysOf(ev) {
  if (!ev.calendar) return ['local'];
  return [`client:${ev.calendar.clientId}`, `cal:${ev.calendar.clientId}|${ev.calendar.calendarId}`];
}

export function colourOf(ev) {
  return ev.calendar?.color ?? ev.color ?? LOCAL_COLOR;
}

/** The API's events of a window, every page. */
async function fetchWindow(from, to) {
  return listAll('/events', { from, to, expand: true }, PAGE);
}

export async function renderDashboard(view) {
  const calendarEl = h('div', { id: 'calendar' });
  const legend = h('nav.legend', { 'aria-label': 'Calendars shown' });
  const conflicts = h('div', { id: 'conflicts' });
  const newButton = h('button.btn.btn-primary.btn-sm', { type: 'button', id: 'new-event' }, '+ New event');
  const switchSelect = h('select.form-select.form-select-sm', { id: 'client-switch', name: 'client' }, h('option', { value: '' }, 'All clients'));
  const ownInput = h('input.form-check-input', { type: 'checkbox', id: 'client-switch-own', checked: focus?.own ?? true });
  const ownBox = h('div.form-check.mb-0.small', { hidden: !focus }, ownInput, h('label.form-check-label', { for: 'client-switch-own' }, 'With my events'));
  const switcher = h('div.d-flex.align-items-center.gap-2.flex-wrap.mb-2', { id: 'client-switcher' }, h('label.small.text-nowrap', { for: 'client-switch' }, 'Switch client'), h('div.client-switch', {}, switchSelect), ownBox);
  const bulk = bulkActions({
    calendars: () => writableCalendars(clients),
    onModeChange: (on) => {
      calendar.setOption('editable', !on);
      calendar.setOption('selectable', !on);
      // Each event carries its own `editable` (toFc): redraw them for the new mode.
      calendar.refetchEvents();
    },
    onDone: () => refresh(),
  });
  mount(
    view,
    h('div.d-flex.align-items-center.gap-2.mb-2.flex-wrap', {}, h('h1.h3.mb-0.me-auto', {}, 'Dashboard'), h('span.small.text-body-secondary', { id: 'load-state', role: 'status' }), bulk.button, newButton),
    switcher,
    bulk.el,
    conflicts,
    h('div.dashboard-grid', {}, h('aside', {}, h('details.d-md-none.mb-2', { id: 'legend-toggle' }, h('summary', {}, 'Calendars'), h('div', { id: 'legend-mobile' })), h('div.d-none.d-md-block', { id: 'legend-desktop' }, legend)), h('div.min-w-0', {}, calendarEl)),
  );
  const loadState = view.querySelector('#load-state');

  const [clients, syncStatus] = await Promise.all([
    listAll('/clients').catch(() => []),
    // Without the sync status the calendars are shown unnamed and new events default to your own: say why.
    api('GET', '/calendar/sync/status').catch((error) => {
      toast(`Sync status could not be loaded: ${messageOf(error)}`, 'danger');
      return null;
    }),
  ]);
  const calendarNames = new Map((syncStatus?.data ?? []).map((s) => [`${s.clientId}|${s.calendarId}`, s.summary]));
  if (focus && !clients.some((c) => c.id === focus.clientId)) {
    focus = null;
    saveFocus();
  }
  switchSelect.append(...clients.map((c) => h('option', { value: c.id, selected: focus?.clientId === c.id }, c.name)));
  switcher.hidden = clients.length === 0;
  const onSwitch = () => {
    focus = switchSelect.value ? { clientId: switchSelect.value, own: ownInput.checked } : null;
    ownBox.hidden = !focus;
    saveFocus();
    calendar.refetchEvents();
  };
  switchSelect.addEventListener('change', onSwitch);
  ownInput.addEventListener('change', onSwitch);
  /** Where a new event goes by default: the focused client's first synced calendar, else your own events. */
  const defaultTarget = () => {
    const first = focus && (syncStatus?.data ?? []).find((s) => s.clientId === focus.clientId && s.enabled);
    return first ? targetKey(first) : 'local';
  };

  // One fetch per visible window; legend toggles redraw from it without asking the API again.
  let cache = { key: '', events: [] };
  const invalidate = () => (cache = { key: '', events: [] });

  const inFocus = (ev) => !focus || (ev.calendar ? ev.calendar.clientId === focus.clientId : focus.own);
  const isShown = (ev) => inFocus(ev) && keysOf(ev).every((key) => !hidden.has(key));
  const toFc = (ev) => {
    const colour = colourOf(ev);
    const series = ev.seriesId !== null && ev.seriesId !== undefined;
    return {
      id: fcIdOf(ev),
      title: ev.title,
      start: ev.isAllDay ? ev.startDate : ev.startTime,
      end: ev.isAllDay ? ev.endDate : ev.endTime,
      allDay: ev.isAllDay,
      // FullCalendar 7's event input: color/contrastColor, one className string.
      color: colour,
      contrastColor: '#fff',
      editable: !ev.readOnly && !bulk.active(),
      className: `${ev.calendar ? `client-${ev.calendar.clientId}` : 'local-event'} ${series ? 'occurrence' : 'single'}`,
      extendedProps: { api: ev },
    };
  };

  function renderLegend(events) {
    const calendarsByClient = new Map();
    for (const ev of events) {
      if (!ev.calendar) continue;
      const set = calendarsByClient.get(ev.calendar.clientId) ?? new Set();
      set.add(ev.calendar.calendarId);
      calendarsByClient.set(ev.calendar.clientId, set);
    }
    for (const s of syncStatus?.data ?? []) {
      const set = calendarsByClient.get(s.clientId) ?? new Set();
      set.add(s.calendarId);
      calendarsByClient.set(s.clientId, set);
    }
    const check = (where, key, label, colour) => {
      const id = `legend-${where}-${key.replace(/[^a-z0-9]/gi, '-')}`;
      const input = h('input.form-check-input', { type: 'checkbox', id, checked: !hidden.has(key), dataset: { key } });
      input.addEventListener('change', () => {
        if (input.checked) hidden.delete(key);
        else hidden.add(key);
        saveHidden();
        for (const other of document.querySelectorAll(`.legend input[data-key="${CSS.escape(key)}"]`)) other.checked = input.checked;
        calendar.refetchEvents();
      });
      return h('div.form-check', {}, input, h('label.form-check-label.d-flex.align-items-center.gap-1', { for: id }, colour ? h('span.color-dot', { style: { background: colour }, 'aria-hidden': 'true' }) : null, h('span.text-break', {}, label)));
    };
    const build = (where) =>
      h(
        'div.legend',
        {},
        h('h2.h6.text-body-secondary', {}, 'Calendars'),
        !focus || focus.own ? check(where, 'local', 'My events (Calento)', LOCAL_COLOR) : null,
        clients.filter((c) => !focus || c.id === focus.clientId).map((c) =>
          h(
            'div.mb-1',
            {},
            check(where, `client:${c.id}`, c.name, c.color),
            h('div.legend-calendars.small', {}, [...(calendarsByClient.get(c.id) ?? [])].map((calId) => check(where, `cal:${c.id}|${calId}`, calendarNames.get(`${c.id}|${calId}`) ?? calId))),
          ),
        ),
        clients.length ? null : h('p.small.text-body-secondary', {}, h('a', { href: '/app/clients', dataset: { link: '' } }, 'Add a client'), ' to stack its Google calendars here.'),
      );
    mount(legend, build('d'));
    mount(view.querySelector('#legend-mobile'), build('m'));
  }

  const narrow = window.matchMedia('(max-width: 767.98px)').matches;
  const calendar = new window.FullCalendar.Calendar(calendarEl, {
    initialView: narrow ? 'timeGridDay' : 'timeGridWeek',
    headerToolbar: narrow ? { start: 'prev,next today', center: '', end: 'timeGridDay,timeGridWeek,dayGridMonth' } : { start: 'prev,next today', center: 'title', end: 'dayGridMonth,timeGridWeek,timeGridDay' },
    // A fixed height: the time grid scrolls inside it (to 08:00 at first) instead of the page.
    height: Math.max(480, window.innerHeight - 150),
    nowIndicator: true,
    editable: true,
    selectable: true,
    selectMirror: true,
    dayMaxEvents: true,
    firstDay: 1,
    scrollTime: '08:00:00',
    events: async (info, success, failure) => {
      const key = `${info.startStr}|${info.endStr}`;
      try {
        if (cache.key !== key) {
          loadState.textContent = 'Loading…';
          cache = { key, events: await fetchWindow(info.start.toISOString(), info.end.toISOString()) };
        }
        loadState.textContent = cache.events.length ? '' : 'No events in this period.';
        renderLegend(cache.events);
        const shown = cache.events.filter(isShown);
        bulk.prune(shown);
        success(shown.map(toFc));
      } catch (error) {
        loadState.textContent = '';
        toast(messageOf(error), 'danger');
        failure(error);
      }
    },
    eventClick: (info) => {
      info.jsEvent.preventDefault();
      if (bulk.active()) return bulk.toggle(info.event.extendedProps.api);
      openEventModal({ event: info.event.extendedProps.api, clients, onSaved: refresh });
    },
    // The selected state survives a redraw (the element is new each time).
    eventDidMount: (info) => bulk.markEl(info.el, info.event.id),
    select: (info) => {
      calendar.unselect();
      openEventModal({ start: info.start, end: info.end, allDay: info.allDay, calendar: defaultTarget(), clients, onSaved: refresh });
    },
    eventDrop: (info) => move(info),
    eventResize: (info) => move(info),
  });

  function refresh() {
    invalidate();
    calendar.refetchEvents();
    void showConflicts();
  }

  async function showConflicts() {
    mount(conflicts, await conflictsPanel(refresh));
  }

  /** A drag or a resize: the event's new times to the API; on failure the event goes back and the detail shows. */
  async function move(info) {
    const ev = info.event.extendedProps.api;
    const allDay = info.event.allDay;
    const dates = allDay
      ? { startTime: info.event.startStr.slice(0, 10), endTime: (info.event.endStr || addDays(info.event.startStr.slice(0, 10), 1)).slice(0, 10) }
      : { startTime: info.event.start.toISOString(), endTime: (info.event.end ?? new Date(info.event.start.getTime() + 3600_000)).toISOString() };
    try {
      if (ev.seriesId) {
        if (allDay !== ev.isAllDay) throw new Error('An occurrence cannot switch between all-day and timed; edit the series instead.');
        const scope = await choose('Move a repeating event', `“${ev.title}” repeats. Which events move?`, [
          { label: 'All events', value: 'all', kind: 'btn-outline-primary' },
          { label: 'This and following', value: 'following', kind: 'btn-outline-primary' },
          { label: 'This event', value: 'single', kind: 'btn-primary' },
        ]);
        if (!scope) return info.revert();
        if (scope === 'all') {
          const master = await api('GET', `/events/${ev.seriesId}`);
          await updateEvent(ev.calendar, ev.seriesId, shiftSeries(master, ev, dates));
        } else {
          await api('PUT', `/events/${ev.seriesId}/occurrences/${encodeURIComponent(ev.occurrenceId)}`, { body: dates, query: scope === 'following' ? { scope } : {} });
        }
      } else {
        // A client calendar's event is changed at Google first (409 CHANGED_AT_GOOGLE when it changed there).
        await updateEvent(ev.calendar, ev.id, allDay !== ev.isAllDay ? { ...dates, isAllDay: allDay } : dates);
      }
      toast(`“${ev.title}” moved.`, 'success');
      refresh();
    } catch (error) {
      info.revert();
      toast(messageOf(error), 'danger');
    }
  }

  newButton.addEventListener('click', () => {
    const start = new Date();
    start.setMinutes(0, 0, 0);
    start.setHours(start.getHours() + 1);
    openEventModal({ start, end: new Date(start.getTime() + 3600_000), allDay: false, calendar: defaultTarget(), clients, onSaved: refresh });
  });

  calendar.render();
  window.calentoCalendar = calendar;
  void showConflicts();
  return () => {
    calendar.destroy();
    delete window.calentoCalendar;
  };
}

function addDays(date, days) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** "All events": the series' own start and end shifted by as much as the dragged occurrence moved. */
function shiftSeries(master, occurrence, dates) {
  if (master.isAllDay) {
    const dayMs = 86_400_000;
    const startShift = Math.round((Date.parse(dates.startTime) - Date.parse(occurrence.startDate)) / dayMs);
    const endShift = Math.round((Date.parse(dates.endTime) - Date.parse(occurrence.endDate)) / dayMs);
    return { startTime: addDays(master.startDate, startShift), endTime: addDays(master.endDate, endShift) };
  }
  const startShift = Date.parse(dates.startTime) - Date.parse(occurrence.startTime);
  const endShift = Date.parse(dates.endTime) - Date.parse(occurrence.endTime);
  return {
    startTime: new Date(Date.parse(master.startTime) + startShift).toISOString(),
    endTime: new Date(Date.parse(master.endTime) + endShift).toISOString(),
  };
}
