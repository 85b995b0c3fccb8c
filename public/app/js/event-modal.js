// The event modal: create or edit an event (locally or, when the server syncs, on a client calendar),
// with zone, all-day, attendees, recurrence and reminders; series are edited one / this and following /
// all through the series routes (docs/recurrence.md).
import { DateTime } from '/app/vendor/luxon.js';
import { api, listAll, session } from './api.js';
import { appendAll, busy, checkField, clearErrors, field, fieldError, formError, h, messageOf, modal, showErrors, toast } from './dom.js';
import { createEvent, deleteEvent, parseTargetKey, relocate, targetKey, updateEvent, writableCalendars } from './event-writes.js';
import { recurrenceEditor } from './recurrence.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

/** Wall date + time in a zone → ISO 8601 with the zone's offset. */
export function toInstant(date, time, zone) {
  return DateTime.fromISO(`${date}T${time || '00:00'}`, { zone }).toISO({ suppressMilliseconds: true });
}

function wall(value, zone) {
  const dt = value instanceof Date ? DateTime.fromJSDate(value).setZone(zone) : DateTime.fromISO(value, { zone: 'utc' }).setZone(zone);
  return { date: dt.toISODate(), time: dt.toFormat('HH:mm') };
}

/**
 * A select of calendars: "My events (Calento)" and each client calendar, grouped by client. `calendars`
 * come from writableCalendars(); the value is a targetKey().
 */
export function calendarSelect(calendars, selected, attrs = {}) {
  const byClient = new Map();
  for (const c of calendars) byClient.set(c.clientId, [...(byClient.get(c.clientId) ?? []), c]);
  return h(
    'select.form-select',
    attrs,
    h('option', { value: 'local', selected: selected === 'local' }, 'My events (Calento)'),
    [...byClient.values()].map((list) =>
      h('optgroup', { label: list[0].clientName }, list.map((c) => h('option', { value: targetKey(c), selected: selected === targetKey(c) }, c.summary ?? c.calendarId))),
    ),
  );
}

/** A 409 CHANGED_AT_GOOGLE also goes to a toast: the dashboard behind the dialog is out of date. */
function reportGoogleChange(error) {
  if (error?.code === 'CHANGED_AT_GOOGLE') toast(messageOf(error), 'danger');
}

/**
 * openEventModal({ event })          edit an API event (an occurrence of a series included)
 * openEventModal({ start, end, allDay, calendar }) create, on a client calendar (a targetKey) or locally
 */
export async function openEventModal({ event = null, start, end, allDay = false, calendar: initialTarget = 'local', clients = null, onSaved = () => {} }) {
  const userZone = session.user?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const isSeries = Boolean(event?.seriesId);
  let master = null;
  if (isSeries) master = await api('GET', `/events/${event.seriesId}`).catch(() => null);
  else if (event?.recurrence) master = event;
  const readOnly = Boolean(event?.readOnly);
  // The calendars to choose from; the event's own one stays listed even when its sync is paused.
  // Without the sync status only your own events can be chosen: the toast says why.
  const calendars = await writableCalendars(clients ?? (await listAll('/clients').catch(() => []))).catch((error) => {
    toast(`The client calendars could not be loaded: ${messageOf(error)}`, 'danger');
    return [];
  });
  if (event?.calendar && !calendars.some((c) => targetKey(c) === targetKey(event.calendar))) calendars.push({ ...event.calendar, summary: event.calendar.calendarId });
  const sourceKey = event ? targetKey(event.calendar) : 'local';
  const zone = event?.timezone ?? userZone;

  let startWall;
  let endWall;
  if (event) {
    startWall = event.isAllDay ? { date: event.startDate, time: '' } : wall(event.startTime, zone);
    endWall = event.isAllDay ? { date: DateTime.fromISO(event.endDate).minus({ days: 1 }).toISODate(), time: '' } : wall(event.endTime, zone);
  } else {
    startWall = wall(start, zone);
    endWall = allDay ? wall(new Date(end.getTime() - 86_400_000), zone) : wall(end, zone);
  }

  const form = h('form', { novalidate: true, id: 'event-form' });
  const chosenKey = event ? sourceKey : calendars.some((c) => targetKey(c) === initialTarget) ? initialTarget : 'local';
  // A series stays on its calendar (moving one would lose its changed occurrences); a single event moves.
  const calendarInput = calendarSelect(calendars, chosenKey, { name: 'calendar', id: 'event-calendar', disabled: readOnly || isSeries || Boolean(event?.recurrence) });
  const targetOf = (key) => (key === 'local' ? null : calendars.find((c) => targetKey(c) === key) ?? parseTargetKey(key));
  const title = h('input', { name: 'title', required: true, maxlength: 500, value: event?.title ?? '' });
  const description = h('textarea', { name: 'description', rows: 2, maxlength: 10000 }, event?.description ?? '');
  const location = h('input', { name: 'location', maxlength: 500, value: event?.location ?? '' });
  const allDayInput = h('input', { type: 'checkbox', name: 'isAllDay', checked: event ? event.isAllDay : allDay });
  const startDate = h('input.form-control', { type: 'date', name: 'startTime', id: 'start-date', value: startWall.date, required: true, 'aria-describedby': 'start-error' });
  const startTime = h('input.form-control', { type: 'time', id: 'start-time', value: startWall.time || '09:00', 'aria-label': 'Start time' });
  const endDate = h('input.form-control', { type: 'date', name: 'endTime', id: 'end-date', value: endWall.date, required: true, 'aria-describedby': 'end-error' });
  const endTime = h('input.form-control', { type: 'time', id: 'end-time', value: endWall.time || '10:00', 'aria-label': 'End time' });
  const zoneSelect = h('select', { name: 'timezone' }, (zones.includes(zone) ? zones : [zone, ...zones]).map((z) => h('option', { value: z, selected: z === zone }, z)));

  // Attendees: a list of checked addresses.
  const attendees = (event?.attendees ?? []).map((a) => ({ email: a.email, name: a.name ?? undefined }));
  const attendeeInput = h('input.form-control', { type: 'email', name: 'attendees', id: 'attendee-email', placeholder: 'name@example.com', autocomplete: 'off', 'aria-describedby': 'attendees-error' });
  const attendeeList = h('ul.list-unstyled.d-flex.flex-wrap.gap-1.mt-2.mb-0', { id: 'attendee-list', 'aria-label': 'Invited' });
  const drawAttendees = () =>
    attendeeList.replaceChildren(
      ...attendees.map((a, i) =>
        h('li.chip.badge.rounded-pill.text-bg-light.border', {}, a.email, h('button.btn-close.btn-close-sm', { type: 'button', 'aria-label': `Remove ${a.email}`, style: { fontSize: '0.6rem' }, onclick: () => (attendees.splice(i, 1), drawAttendees()) })),
      ),
    );
  const addAttendee = () => {
    const email = attendeeInput.value.trim();
    if (!email) return;
    clearErrors(form);
    if (!EMAIL.test(email)) return void fieldError(form, 'attendees', 'Enter an email address such as ada@example.com.');
    if (attendees.some((a) => a.email.toLowerCase() === email.toLowerCase())) return void fieldError(form, 'attendees', 'This person is already invited.');
    attendees.push({ email });
    attendeeInput.value = '';
    drawAttendees();
  };
  attendeeInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      addAttendee();
    }
  });
  drawAttendees();

  // Reminders: method + minutes before.
  const reminders = (event?.reminders ?? []).map((r) => ({ ...r }));
  const reminderList = h('div', { id: 'reminders' });
  const drawReminders = () =>
    reminderList.replaceChildren(
      ...reminders.map((r, i) => {
        const method = h('select.form-select.form-select-sm', { 'aria-label': `Reminder ${i + 1} method`, style: { maxWidth: '8rem' } }, ['popup', 'email', 'slack'].map((m) => h('option', { value: m, selected: m === r.method }, m)));
        const minutes = h('input.form-control.form-control-sm', { type: 'number', min: 0, max: 40320, value: r.minutesBefore, 'aria-label': `Reminder ${i + 1} minutes before`, style: { maxWidth: '6rem' } });
        method.addEventListener('change', () => (r.method = method.value));
        minutes.addEventListener('input', () => (r.minutesBefore = Number(minutes.value)));
        return h('div.d-flex.gap-2.align-items-center.mb-1', {}, method, minutes, h('span.small', {}, 'minutes before'), h('button.btn.btn-sm.btn-link.text-danger', { type: 'button', onclick: () => (reminders.splice(i, 1), drawReminders()) }, 'Remove'));
      }),
    );
  drawReminders();

  const recurrence = recurrenceEditor(master?.recurrence?.rule ?? '', () => ({ date: startDate.value, time: allDayInput.checked ? '' : startTime.value, zone: zoneSelect.value }));
  for (const input of [startDate, startTime, zoneSelect]) input.addEventListener('change', recurrence.refresh);

  const syncTimes = () => {
    for (const t of [startTime, endTime]) t.hidden = allDayInput.checked;
  };
  allDayInput.addEventListener('change', syncTimes);
  syncTimes();

  // For an occurrence of a series: which events a save or a delete applies to (no nested dialog).
  const scopeName = 'scope';
  const scopeBox = isSeries
    ? h(
        'fieldset.mb-3.border.rounded.p-2',
        { id: 'scope' },
        h('legend.form-label.fs-6.float-none.w-auto.px-1.mb-0', {}, 'This event repeats. Apply changes to'),
        [
          ['single', 'This event'],
          ['following', 'This and following events'],
          ['all', 'All events'],
        ].map(([value, label], i) => checkField(label, h('input', { type: 'radio', name: scopeName, value, checked: i === 0 }))),
      )
    : null;
  const scope = () => form.querySelector(`input[name="${scopeName}"]:checked`)?.value ?? 'single';

  appendAll(
    form,
    formError(),
    scopeBox,
    readOnly ? h('div.alert.alert-info', {}, 'You were invited to this event; only its owner can change it.') : null,
    event?.calendar ? h('p.small', {}, h('span.color-dot.me-1', { style: { background: event.calendar.color }, 'aria-hidden': 'true' }), `${event.calendar.clientName} · ${event.calendar.calendarId}`) : null,
    field('Calendar', calendarInput, event && !calendarInput.disabled ? 'Choosing another calendar moves the event there.' : isSeries ? 'A repeating event stays on its calendar.' : undefined),
    field('Title', title),
    checkField('All day', allDayInput),
    h(
      'div.row.g-2',
      {},
      h('div.col-sm-6', {}, h('label.form-label', { for: 'start-date' }, 'Starts'), h('div.input-group', {}, startDate, startTime), h('div.invalid-feedback.d-block', { id: 'start-error', dataset: { for: 'startTime' } })),
      h('div.col-sm-6', {}, h('label.form-label', { for: 'end-date' }, 'Ends'), h('div.input-group', {}, endDate, endTime), h('div.invalid-feedback.d-block', { id: 'end-error', dataset: { for: 'endTime' } })),
    ),
    h('div.mt-3'),
    field('Time zone', zoneSelect),
    field('Location', location),
    field('Description', description),
    h('div.mb-3', {}, h('label.form-label', { for: 'attendee-email' }, 'Attendees'), h('div.input-group', {}, attendeeInput, h('button.btn.btn-outline-secondary', { type: 'button', onclick: addAttendee }, 'Add')), h('div.invalid-feedback.d-block', { id: 'attendees-error', dataset: { for: 'attendees' } }), attendeeList),
    recurrence.el,
    h('fieldset.mb-2', {}, h('legend.form-label.fs-6', {}, 'Reminders'), reminderList, h('button.btn.btn-sm.btn-outline-secondary', { type: 'button', onclick: () => (reminders.push({ method: 'popup', minutesBefore: 10 }), drawReminders()) }, 'Add reminder'), h('div.invalid-feedback.d-block', { dataset: { for: 'reminders' } })),
  );

  const save = h('button.btn.btn-primary', { type: 'submit', form: 'event-form', disabled: readOnly }, event ? 'Save' : 'Create');
  const del = event && !readOnly ? h('button.btn.btn-outline-danger.me-auto', { type: 'button' }, 'Delete') : null;
  const m = modal({ title: event ? 'Edit event' : 'New event', body: form, footer: [del, h('button.btn.btn-link', { type: 'button', 'data-bs-dismiss': 'modal' }, 'Cancel'), save], size: 'lg' });
  m.el.addEventListener('shown.bs.modal', () => title.focus());

  function fields() {
    const z = zoneSelect.value;
    const isAllDay = allDayInput.checked;
    const body = {
      title: title.value.trim(),
      description: description.value.trim() || undefined,
      location: location.value.trim() || undefined,
      timezone: z,
      isAllDay,
      startTime: isAllDay ? startDate.value : toInstant(startDate.value, startTime.value, z),
      endTime: isAllDay ? DateTime.fromISO(endDate.value).plus({ days: 1 }).toISODate() : toInstant(endDate.value, endTime.value, z),
      attendees,
      reminders: reminders.map((r) => ({ method: r.method, minutesBefore: Number(r.minutesBefore) })),
    };
    return body;
  }

  function check(body) {
    clearErrors(form);
    let ok = true;
    if (!body.title) ok = fieldError(form, 'title', 'Give the event a title.') && false;
    if (!startDate.value) ok = fieldError(form, 'startTime', 'Pick a start date.') && false;
    if (!endDate.value) ok = fieldError(form, 'endTime', 'Pick an end date.') && false;
    else if (ok && Date.parse(body.endTime) <= Date.parse(body.startTime)) ok = fieldError(form, 'endTime', 'The end must be after the start.') && false;
    if (attendeeInput.value.trim()) {
      addAttendee();
      if (attendeeInput.value.trim()) ok = false;
    }
    if (!ok) form.querySelector('.is-invalid')?.focus();
    return ok;
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = fields();
    if (!check(body)) return;
    const rule = recurrence.value();
    await busy(save, async () => {
      try {
        const chosen = calendarInput.value;
        if (!event) {
          const created = await createEvent(targetOf(chosen), { ...body, ...(rule ? { recurrenceRule: rule } : {}) });
          toast(`“${created.title}” created.`, 'success');
        } else if (isSeries) {
          const which = scope();
          if (which === 'all') await saveSeries(body, rule);
          else {
            // One occurrence (or this and following) through the series routes; a client calendar's
            // series gets the change at Google through the sync's push-back.
            const { timezone: _z, isAllDay: _d, attendees: _a, ...occurrence } = body;
            await api('PUT', `/events/${event.seriesId}/occurrences/${encodeURIComponent(event.occurrenceId)}`, { body: occurrence, query: which === 'following' ? { scope: which } : {} });
          }
          toast('Saved.', 'success');
        } else if (chosen !== sourceKey) {
          // Another calendar: the form's fields created there, the event deleted where it was (relocate()).
          const created = await relocate(event, targetOf(chosen), { ...body, ...(rule ? { recurrenceRule: rule } : {}) });
          toast(`“${created.title}” moved to ${calendarInput.selectedOptions[0]?.textContent ?? 'another calendar'}.`, 'success');
        } else {
          await updateEvent(event.calendar, event.id, body);
          const before = event.recurrence?.rule?.replace(/^RRULE:/i, '') ?? '';
          if (rule && rule !== before) await api('PUT', `/events/${event.id}/recurrence`, { body: { recurrenceRule: rule } });
          toast('Saved.', 'success');
        }
        m.close();
        onSaved();
      } catch (error) {
        showErrors(form, error);
        reportGoogleChange(error);
      }
    });
  });

  /** "All events" of a series: the fields, times shifted as this occurrence's were, and the rule. */
  async function saveSeries(body, rule) {
    const patch = { ...body };
    if (!body.isAllDay && !master.isAllDay) {
      const shiftStart = Date.parse(body.startTime) - Date.parse(event.startTime);
      const shiftEnd = Date.parse(body.endTime) - Date.parse(event.endTime);
      patch.startTime = new Date(Date.parse(master.startTime) + shiftStart).toISOString();
      patch.endTime = new Date(Date.parse(master.endTime) + shiftEnd).toISOString();
    } else if (body.isAllDay === master.isAllDay) {
      delete patch.startTime;
      delete patch.endTime;
    }
    await updateEvent(event.calendar, event.seriesId, patch);
    const before = master.recurrence?.rule?.replace(/^RRULE:/i, '') ?? '';
    if (!rule && before) await api('DELETE', `/events/${event.seriesId}/recurrence`);
    else if (rule && rule !== before) await api('PUT', `/events/${event.seriesId}/recurrence`, { body: { recurrenceRule: rule } });
  }

  // Delete asks once more in place: the first press turns the button into the confirmation.
  del?.addEventListener('click', async () => {
    if (!del.dataset.armed) {
      del.dataset.armed = '1';
      del.textContent = isSeries ? { single: 'Delete this event?', following: 'Delete this and following?', all: 'Delete all events?' }[scope()] : 'Really delete?';
      del.classList.replace('btn-outline-danger', 'btn-danger');
      return;
    }
    try {
      if (isSeries) {
        const chosen = scope();
        if (chosen === 'all') await deleteEvent(event.calendar, event.seriesId);
        else await api('DELETE', `/events/${event.seriesId}/occurrences/${encodeURIComponent(event.occurrenceId)}`, { query: chosen === 'following' ? { scope: chosen } : {} });
      } else {
        await deleteEvent(event.calendar, event.id);
      }
      toast('Deleted.', 'success');
      m.close();
      onSaved();
    } catch (error) {
      toast(messageOf(error), 'danger');
    }
  });
}
