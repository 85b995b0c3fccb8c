// Calento's public booking page (/book/:slug) and the booker's manage page (/book/manage/:token).
// Plain DOM and same-origin fetches to the public API: no framework, no build step, nothing inline (the
// CSP allows scripts from files only). Text from the API is only ever set as textContent.

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
// 24-hour locales write 09:00, not 9:00; 12-hour ones 9:00 AM.
const hourCycle = new Intl.DateTimeFormat(undefined, { hour: 'numeric' }).resolvedOptions().hourCycle;
const formats = {
  time: new Intl.DateTimeFormat(undefined, { hour: hourCycle === 'h23' || hourCycle === 'h24' ? '2-digit' : 'numeric', minute: '2-digit', timeZone: zone }),
  // The same with the zone's short name or offset ("01:30 GMT-3", "01:30 GMT-4"): the hour a clock turned
  // back repeats, and only this tells its two halves apart.
  zonedTime: new Intl.DateTimeFormat(undefined, {
    hour: hourCycle === 'h23' || hourCycle === 'h24' ? '2-digit' : 'numeric',
    minute: '2-digit',
    timeZone: zone,
    timeZoneName: 'short',
  }),
  date: new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: zone }),
  month: new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: zone }),
  weekday: new Intl.DateTimeFormat(undefined, { weekday: 'short', timeZone: zone }),
  weekdayLong: new Intl.DateTimeFormat(undefined, { weekday: 'long', timeZone: zone }),
};

const $ = (selector) => document.querySelector(selector);

/** A DOM element; attributes that are null, undefined or false are left out. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

// The browser's own zone is the visitor's zone, so local Date fields are the visitor's calendar here.
const pad = (n) => String(n).padStart(2, '0');
const isoDate = (date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
const noonOf = (iso) => {
  const [year, month, day] = iso.split('-').map(Number);
  return new Date(year, month - 1, day, 12);
};
const when = (start, end) =>
  `${formats.date.format(new Date(start))}, ${formats.time.format(new Date(start))} – ${formats.zonedTime.format(new Date(end))}`;

function announce(text) {
  $('#status').textContent = text;
}

/** An Idempotency-Key. randomUUID exists only in secure contexts; getRandomValues everywhere. */
function newKey() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const hex = [...crypto.getRandomValues(new Uint8Array(16))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

/** A call to the public API: `{ ok, status, data }`, where data is the body or the problem+json. */
async function api(method, path, body, headers = {}) {
  try {
    const response = await fetch(`/api/v1${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    return { ok: response.ok, status: response.status, data };
  } catch {
    return { ok: false, status: 0, data: { detail: 'The server could not be reached. Check your connection and try again.' } };
  }
}

const slotGone = new Set(['BOOKING_SLOT_TAKEN', 'BOOKING_LIMIT_REACHED', 'SLOT_NOT_OFFERED']);

function slotGoneMessage(problem) {
  if (problem.code === 'BOOKING_SLOT_TAKEN') return 'Sorry, someone else just booked that time. Please pick another one.';
  return `${problem.detail || 'That time cannot be booked.'} Please pick another time.`;
}

/** Fills a <dl> from [term, text or node] pairs, skipping empty ones. */
function fillSummary(list, rows) {
  list.replaceChildren(...rows.filter(([, value]) => value).flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]));
}

function place(booking) {
  const meeting = booking.meetingUrl && /^https:\/\//.test(booking.meetingUrl)
    ? el('a', { href: booking.meetingUrl, rel: 'noopener noreferrer', target: '_blank' }, 'Join the meeting')
    : null;
  if (!booking.location && !meeting) return null;
  return el('span', {}, booking.location ?? '', booking.location && meeting ? ' · ' : '', meeting);
}

/**
 * A month grid of the visitor's calendar (days with free times are enabled) and the free times of the
 * chosen day as buttons. Each month is one request to `source` (an availability route) in the visitor's zone.
 */
function slotPicker(root, { source, windowDays, onPick }) {
  const today = new Date();
  const firstMonth = new Date(today.getFullYear(), today.getMonth(), 1);
  const lastMonth = windowDays ? new Date(today.getFullYear(), today.getMonth(), today.getDate() + windowDays) : null;
  if (lastMonth) lastMonth.setDate(1);
  const cache = new Map();
  let month = firstMonth;
  let day = null;
  let picked = null;
  let loads = 0;

  const prev = el('button', { type: 'button', 'aria-label': 'Previous month' }, '‹');
  const next = el('button', { type: 'button', 'aria-label': 'Next month' }, '›');
  const title = el('h3', { id: 'month-title', 'aria-live': 'polite' });
  const table = el('table', { class: 'calendar', 'aria-labelledby': 'month-title' });
  const alert = el('p', { class: 'alert', role: 'alert' });
  const slotsHeading = el('h3', { tabindex: '-1' });
  const list = el('ul', { class: 'slot-list' });
  root.replaceChildren(
    el('div', {}, el('div', { class: 'month-nav' }, prev, title, next), table),
    el('div', { class: 'slots' }, alert, slotsHeading, list),
  );
  prev.addEventListener('click', () => show(new Date(month.getFullYear(), month.getMonth() - 1, 1)));
  next.addEventListener('click', () => show(new Date(month.getFullYear(), month.getMonth() + 1, 1)));
  const monday = new Date(2024, 0, 1, 12);
  const weekdays = [0, 1, 2, 3, 4, 5, 6].map((i) => new Date(monday.getFullYear(), 0, 1 + i, 12));
  const head = el('thead', {}, el('tr', {}, ...weekdays.map((d) => el('th', { scope: 'col', abbr: formats.weekdayLong.format(d) }, formats.weekday.format(d)))));

  const keyOf = (m) => `${m.getFullYear()}-${pad(m.getMonth() + 1)}`;

  async function load(m) {
    if (cache.has(keyOf(m))) return cache.get(keyOf(m));
    const to = new Date(m.getFullYear(), m.getMonth() + 1, 1);
    const query = new URLSearchParams({ from: m.toISOString(), to: to.toISOString(), timezone: zone });
    const res = await api('GET', `${source}?${query}`);
    if (!res.ok) throw new Error(res.data.detail || 'The free times could not be loaded.');
    const byDay = new Map();
    for (const slot of res.data.slots) byDay.set(slot.localDate, [...(byDay.get(slot.localDate) ?? []), slot]);
    cache.set(keyOf(m), byDay);
    return byDay;
  }

  /** Shows a month; answers its days with free times, or null when a newer request took over. */
  async function show(m) {
    const ticket = ++loads;
    month = m;
    alert.textContent = '';
    title.textContent = formats.month.format(new Date(m.getFullYear(), m.getMonth(), 15));
    prev.disabled = m <= firstMonth;
    next.disabled = Boolean(lastMonth && m >= lastMonth);
    table.setAttribute('aria-busy', 'true');
    let byDay;
    try {
      byDay = await load(m);
    } catch (error) {
      if (ticket === loads) alert.textContent = error.message;
      byDay = new Map();
    }
    if (ticket !== loads) return null;
    table.removeAttribute('aria-busy');
    renderGrid(byDay);
    renderSlots(byDay);
    return byDay;
  }

  function renderGrid(byDay) {
    const lead = (month.getDay() + 6) % 7;
    const length = new Date(month.getFullYear(), month.getMonth() + 1, 0).getDate();
    const rows = [];
    let row = el('tr', {}, ...Array.from({ length: lead }, () => el('td')));
    for (let d = 1; d <= length; d++) {
      const date = new Date(month.getFullYear(), month.getMonth(), d, 12);
      const iso = isoDate(date);
      const count = byDay.get(iso)?.length ?? 0;
      const button = el('button', {
        type: 'button',
        class: count ? 'day open' : 'day',
        'data-date': iso,
        'aria-label': `${formats.date.format(date)}: ${count ? `${count} free ${count === 1 ? 'time' : 'times'}` : 'no free times'}`,
        'aria-pressed': count ? String(iso === day) : null,
        'aria-current': iso === isoDate(today) ? 'date' : null,
        disabled: !count,
      }, String(d));
      button.addEventListener('click', () => chooseDay(iso));
      row.append(el('td', {}, button));
      if ((lead + d) % 7 === 0 || d === length) {
        rows.push(row);
        row = el('tr');
      }
    }
    table.replaceChildren(head.cloneNode(true), el('tbody', {}, ...rows));
  }

  function renderSlots(byDay) {
    list.replaceChildren();
    if (!day || !day.startsWith(keyOf(month))) {
      slotsHeading.textContent = byDay.size ? 'Choose a day to see its free times.' : `No free times in ${title.textContent}.`;
      return;
    }
    slotsHeading.textContent = formats.date.format(noonOf(day));
    const slots = byDay.get(day) ?? [];
    if (!slots.length) list.append(el('li', { class: 'empty' }, 'No free times left on this day.'));
    const labels = slots.map((slot) => formats.time.format(new Date(slot.start)));
    const repeated = new Set(labels.filter((label, i) => labels.indexOf(label) !== i));
    for (const [i, slot] of slots.entries()) {
      const label = repeated.has(labels[i]) ? formats.zonedTime.format(new Date(slot.start)) : labels[i];
      const button = el('button', { type: 'button', class: 'slot', 'data-start': slot.start, 'aria-pressed': String(slot.start === picked) }, label);
      button.addEventListener('click', () => {
        picked = slot.start;
        alert.textContent = '';
        for (const other of list.querySelectorAll('.slot')) other.setAttribute('aria-pressed', String(other === button));
        onPick(slot);
      });
      list.append(el('li', {}, button));
    }
  }

  function chooseDay(iso) {
    day = iso;
    picked = null;
    for (const button of table.querySelectorAll('.day.open')) button.setAttribute('aria-pressed', String(button.dataset.date === iso));
    renderSlots(cache.get(keyOf(month)) ?? new Map());
    slotsHeading.focus();
  }

  return {
    /** Opens on the first month, from this one, that has free times (looking at most three ahead). */
    async start() {
      let m = firstMonth;
      for (let tries = 0; tries < 3; tries++) {
        const byDay = await show(m);
        if (!byDay || byDay.size || (lastMonth && m >= lastMonth)) return;
        m = new Date(m.getFullYear(), m.getMonth() + 1, 1);
      }
    },
    /** Reloads the free times (after a slot was taken), keeping the month and day, with a message. */
    async refresh(message = '') {
      cache.clear();
      picked = null;
      await show(month);
      alert.textContent = message;
      if (message) slotsHeading.focus();
    },
  };
}

/* ---- /book/:slug ---- */

const fieldLabels = { name: 'Name', email: 'Email', phone: 'Phone', notes: 'Notes' };
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9 ().-]{5,30}$/;

/** The same rules the API applies, so most mistakes are caught before a request. */
function validateBooker(values) {
  const errors = {};
  if (!values.name) errors.name = 'Enter your name.';
  if (!values.email) errors.email = 'Enter your email address.';
  else if (!EMAIL.test(values.email)) errors.email = 'Enter an email address like name@example.com.';
  if (values.phone && !PHONE.test(values.phone)) errors.phone = 'Enter a phone number: digits, spaces and + ( ) . - only.';
  if (values.notes.length > 2000) errors.notes = 'Notes can be at most 2000 characters.';
  return errors;
}

function showFieldErrors(form, errors) {
  for (const name of Object.keys(fieldLabels)) {
    const input = form.elements.namedItem(name);
    input.setAttribute('aria-invalid', String(Boolean(errors[name])));
    $(`#${name}-error`).textContent = errors[name] ?? '';
  }
  const first = Object.keys(fieldLabels).find((name) => errors[name]);
  if (first) form.elements.namedItem(first).focus();
}

function bookingPage(main) {
  const slug = main.dataset.slug;
  const form = $('#booker-form');
  const button = $('#book-button');
  const details = $('#details');
  let chosen = null;
  let busy = false;
  let attempt = null;

  const picker = slotPicker($('#picker'), {
    source: `/booking-links/${encodeURIComponent(slug)}/availability`,
    windowDays: Number(main.dataset.windowDays) || null,
    onPick(slot) {
      chosen = slot;
      $('#chosen-time').textContent = when(slot.start, slot.end);
      $('#form-error').textContent = '';
      details.hidden = false;
      $('#details-heading').focus();
    },
  });
  $('#change-time').addEventListener('click', () => {
    details.hidden = true;
    chosen = null;
    $('#pick-heading').focus();
  });
  for (const name of Object.keys(fieldLabels)) {
    form.elements.namedItem(name).addEventListener('input', (event) => {
      event.target.setAttribute('aria-invalid', 'false');
      $(`#${name}-error`).textContent = '';
    });
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy || !chosen) return;
    const read = (name) => form.elements.namedItem(name).value.trim();
    const values = { name: read('name'), email: read('email'), phone: read('phone'), notes: read('notes') };
    const errors = validateBooker(values);
    showFieldErrors(form, errors);
    if (Object.keys(errors).length) return;

    const body = { slug, start: chosen.start, name: values.name, email: values.email, timezone: zone };
    if (values.phone) body.phone = values.phone;
    if (values.notes) body.notes = values.notes;
    // One key per distinct request: a double click or a retry after a lost answer gets the same booking.
    const json = JSON.stringify(body);
    if (attempt?.json !== json) attempt = { json, key: newKey() };
    busy = true;
    button.disabled = true;
    button.textContent = 'Booking…';
    announce('Booking…');
    const res = await api('POST', '/bookings', body, { 'Idempotency-Key': attempt.key });
    busy = false;
    button.disabled = false;
    button.textContent = 'Book';
    announce('');
    if (res.ok) return confirmed(res.data);
    if (slotGone.has(res.data.code)) {
      chosen = null;
      details.hidden = true;
      return picker.refresh(slotGoneMessage(res.data));
    }
    const fieldErrors = {};
    const other = [];
    for (const error of res.data.errors ?? []) {
      if (fieldLabels[error.field]) fieldErrors[error.field] = `${fieldLabels[error.field]} ${error.message}.`;
      else other.push(`${error.field} ${error.message}.`);
    }
    showFieldErrors(form, fieldErrors);
    if (!Object.keys(fieldErrors).length || other.length) {
      $('#form-error').textContent = other.join(' ') || res.data.detail || 'Something went wrong. Please try again.';
    }
  });

  function confirmed(booking) {
    $('#pick').hidden = true;
    details.hidden = true;
    fillSummary($('#done-summary'), [
      ['What', booking.title],
      ['With', booking.hostName],
      ['When', when(booking.startTime, booking.endTime)],
      ['Time zone', zone],
      ['Where', place(booking)],
    ]);
    $('#done-email').textContent = booking.bookerEmail;
    $('#manage-link').href = `/book/manage/${encodeURIComponent(booking.manageToken)}`;
    $('#done').hidden = false;
    $('#done-heading').focus();
  }

  picker.start();
}

/* ---- /book/manage/:token ---- */

async function managePage() {
  const token = decodeURIComponent(location.pathname.split('/').pop());
  const path = `/bookings/manage/${encodeURIComponent(token)}`;
  const first = await api('GET', path);
  if (!first.ok) {
    const error = $('#load-error');
    error.textContent = first.status === 404
      ? 'This link does not match a booking. Check that you used the whole link from your confirmation.'
      : first.data.detail || 'The booking could not be loaded. Please try again.';
    error.hidden = false;
    return;
  }
  let booking = first.data;
  let picker = null;
  let moveTo = null;
  let busy = false;
  const reschedule = $('#reschedule');
  const cancel = $('#cancel');

  function render(message = '') {
    const cancelled = booking.status === 'cancelled';
    document.title = `${booking.title} · Calento`;
    $('#title').textContent = booking.title;
    $('#host').textContent = `with ${booking.hostName}`;
    const state = $('#state');
    state.textContent = cancelled ? 'Cancelled' : 'Confirmed';
    state.className = `state ${booking.status}`;
    fillSummary($('#summary'), [
      ['When', when(booking.startTime, booking.endTime)],
      ['Time zone', zone],
      ['Where', place(booking)],
      ['Booked by', `${booking.bookerName} (${booking.bookerEmail})`],
    ]);
    $('#actions').hidden = cancelled;
    $('#reschedule-open').hidden = !booking.slug;
    if (cancelled) {
      toggle(reschedule, false);
      toggle(cancel, false);
    }
    $('#message').textContent = message;
    $('#booking').hidden = false;
    if (message) $('#message').focus();
  }

  function toggle(section, open) {
    section.hidden = !open;
    $(`#${section.id}-open`).setAttribute('aria-expanded', String(open));
  }

  async function reload(message) {
    const res = await api('GET', path);
    if (res.ok) booking = res.data;
    render(message);
  }

  $('#reschedule-open').addEventListener('click', () => {
    toggle(cancel, false);
    toggle(reschedule, true);
    $('#move').hidden = true;
    $('#reschedule-heading').focus();
    if (picker) return picker.refresh();
    // The window is not known here; months past it simply show no free times. The times come from the
    // booking's own route: its current time, buffers and place in the day's limit do not hide any.
    picker = slotPicker($('#picker'), {
      source: `${path}/availability`,
      windowDays: null,
      onPick(slot) {
        moveTo = slot;
        $('#move-time').textContent = `New time: ${when(slot.start, slot.end)}`;
        $('#move-error').textContent = '';
        $('#move').hidden = false;
        $('#move-button').focus();
      },
    });
    picker.start();
  });
  $('#reschedule-close').addEventListener('click', () => {
    toggle(reschedule, false);
    $('#reschedule-open').focus();
  });
  $('#move-button').setAttribute('aria-describedby', 'move-time');
  $('#move-button').addEventListener('click', async () => {
    if (busy || !moveTo) return;
    busy = true;
    $('#move-button').disabled = true;
    const res = await api('POST', `${path}/reschedule`, { start: moveTo.start });
    busy = false;
    $('#move-button').disabled = false;
    if (res.ok) {
      booking = res.data;
      toggle(reschedule, false);
      return render(`Your booking moved to ${when(booking.startTime, booking.endTime)}.`);
    }
    if (slotGone.has(res.data.code)) {
      $('#move').hidden = true;
      return picker.refresh(slotGoneMessage(res.data));
    }
    if (res.data.code === 'BOOKING_CANCELLED') return reload('This booking was cancelled already.');
    $('#move-error').textContent = res.data.detail || 'The booking could not be moved. Please try again.';
  });

  $('#cancel-open').addEventListener('click', () => {
    toggle(reschedule, false);
    toggle(cancel, true);
    $('#cancel-heading').focus();
  });
  $('#cancel-close').addEventListener('click', () => {
    toggle(cancel, false);
    $('#cancel-open').focus();
  });
  $('#cancel-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    $('#cancel-button').disabled = true;
    const reason = $('#reason').value.trim();
    const res = await api('POST', `${path}/cancel`, reason ? { reason } : {});
    busy = false;
    $('#cancel-button').disabled = false;
    if (res.ok) {
      booking = res.data;
      return render('Your booking is cancelled. The host has been told.');
    }
    if (res.data.code === 'BOOKING_CANCELLED') return reload('This booking was cancelled already.');
    $('#cancel-error').textContent = res.data.detail || 'The booking could not be cancelled. Please try again.';
  });

  render();
}

for (const node of document.querySelectorAll('.zone-name')) node.textContent = zone;
const main = document.querySelector('main');
if (main.dataset.page === 'book') bookingPage(main);
else if (main.dataset.page === 'manage') managePage();
