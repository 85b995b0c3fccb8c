// The recurrence editor: the common cases as a form, the raw RRULE beside it (each updates the other),
// and a preview of the next occurrences. Recurrence is wall-clock time in the event's zone
// (docs/recurrence.md), so the preview runs rrule.js on the wall time as if it were UTC and prints it back
// as wall time: what the API will expand, without a round trip.
import { h } from './dom.js';

const DAYS = [
  ['MO', 'Mon'],
  ['TU', 'Tue'],
  ['WE', 'Wed'],
  ['TH', 'Thu'],
  ['FR', 'Fri'],
  ['SA', 'Sat'],
  ['SU', 'Sun'],
];
const FREQS = [
  ['', 'Does not repeat'],
  ['DAILY', 'Daily'],
  ['WEEKLY', 'Weekly'],
  ['MONTHLY', 'Monthly'],
  ['YEARLY', 'Yearly'],
];

export function parseRule(rule) {
  const parts = {};
  for (const piece of (rule ?? '').replace(/^RRULE:/i, '').split(';')) {
    const [key, value] = piece.split('=');
    if (key && value !== undefined) parts[key.toUpperCase()] = value;
  }
  return parts;
}

/** The editor. `getStart()` → { date: 'YYYY-MM-DD', time: 'HH:MM', zone }; returns { el, value(), refresh() }. */
export function recurrenceEditor(initialRule, getStart) {
  const freq = h('select.form-select', { name: 'repeat', id: 'repeat' }, FREQS.map(([v, l]) => h('option', { value: v }, l)));
  const interval = h('input.form-control', { type: 'number', min: 1, max: 999, value: 1, name: 'interval', id: 'repeat-interval', style: { maxWidth: '6rem' } });
  const days = DAYS.map(([code, label]) => h('input.btn-check', { type: 'checkbox', id: `day-${code}`, value: code, autocomplete: 'off' }));
  const ends = h('select.form-select', { id: 'repeat-ends', 'aria-label': 'Ends' }, h('option', { value: 'never' }, 'Never'), h('option', { value: 'count' }, 'After a number of times'), h('option', { value: 'until' }, 'On a date'));
  const count = h('input.form-control', { type: 'number', min: 1, max: 1000, value: 10, id: 'repeat-count', 'aria-label': 'Number of times', style: { maxWidth: '7rem' } });
  const until = h('input.form-control', { type: 'date', id: 'repeat-until', 'aria-label': 'Last date', style: { maxWidth: '11rem' } });
  const raw = h('input.form-control.font-monospace', { name: 'recurrenceRule', id: 'rrule', spellcheck: 'false', placeholder: 'FREQ=WEEKLY;BYDAY=MO,WE', 'aria-describedby': 'rrule-hint rrule-error' });
  const preview = h('ul.occurrence-preview.mb-0.ps-3', { id: 'rrule-preview', 'aria-live': 'polite' });
  const daysRow = h('div.btn-group.flex-wrap', { role: 'group', 'aria-label': 'On days' }, DAYS.map(([code, label], i) => [days[i], h('label.btn.btn-outline-secondary.btn-sm', { for: `day-${code}` }, label)]));
  const simple = h('div.d-flex.flex-wrap.gap-2.align-items-center.mb-2', {}, h('label.visually-hidden', { for: 'repeat' }, 'Repeat'), freq, h('span', { id: 'every-label' }, 'every'), interval, h('span', { id: 'interval-unit' }));
  const daysWrap = h('div.mb-2', { id: 'repeat-days' }, daysRow);
  const endsWrap = h('div.d-flex.flex-wrap.gap-2.align-items-center.mb-2', { id: 'repeat-ends-row' }, h('span', {}, 'Ends'), ends, count, until);

  function fromForm() {
    if (!freq.value) return '';
    const parts = [`FREQ=${freq.value}`];
    if (Number(interval.value) > 1) parts.push(`INTERVAL=${Number(interval.value)}`);
    if (freq.value === 'WEEKLY') {
      const on = days.filter((d) => d.checked).map((d) => d.value);
      if (on.length) parts.push(`BYDAY=${on.join(',')}`);
    }
    if (ends.value === 'count') parts.push(`COUNT=${Number(count.value) || 1}`);
    if (ends.value === 'until' && until.value) parts.push(`UNTIL=${until.value.replaceAll('-', '')}T235959Z`);
    return parts.join(';');
  }

  /** Fills the simple form from a rule; false when the rule needs more than it offers. */
  function toForm(rule) {
    const p = parseRule(rule);
    const known = new Set(['FREQ', 'INTERVAL', 'BYDAY', 'COUNT', 'UNTIL']);
    const simpleEnough = !rule || (Object.keys(p).every((k) => known.has(k)) && FREQS.some(([v]) => v && v === p.FREQ) && (!p.BYDAY || (p.FREQ === 'WEEKLY' && /^(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*$/.test(p.BYDAY))));
    if (!simpleEnough) return false;
    freq.value = p.FREQ ?? '';
    interval.value = p.INTERVAL ?? 1;
    const on = new Set((p.BYDAY ?? '').split(',').filter(Boolean));
    for (const d of days) d.checked = on.has(d.value);
    ends.value = p.COUNT ? 'count' : p.UNTIL ? 'until' : 'never';
    if (p.COUNT) count.value = p.COUNT;
    if (p.UNTIL) until.value = `${p.UNTIL.slice(0, 4)}-${p.UNTIL.slice(4, 6)}-${p.UNTIL.slice(6, 8)}`;
    return true;
  }

  function layout() {
    const on = Boolean(freq.value);
    interval.hidden = !on;
    el.querySelector('#every-label').hidden = !on;
    el.querySelector('#interval-unit').textContent = on ? { DAILY: 'day(s)', WEEKLY: 'week(s)', MONTHLY: 'month(s)', YEARLY: 'year(s)' }[freq.value] : '';
    daysWrap.hidden = freq.value !== 'WEEKLY';
    endsWrap.hidden = !on;
    count.hidden = ends.value !== 'count';
    until.hidden = ends.value !== 'until';
  }

  function renderPreview() {
    preview.replaceChildren();
    const rule = raw.value.trim().replace(/^RRULE:/i, '');
    if (!rule) return;
    const start = getStart();
    if (!start.date || !window.rrule) return;
    try {
      const [y, m, d] = start.date.split('-').map(Number);
      const [hh, mm] = (start.time || '00:00').split(':').map(Number);
      const dtstart = new Date(Date.UTC(y, m - 1, d, hh, mm));
      const r = new window.rrule.RRule({ ...window.rrule.RRule.parseString(rule), dtstart });
      const next = r.all((_, i) => i < 5);
      const fmt = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', ...(start.time ? { hour: '2-digit', minute: '2-digit' } : {}) });
      for (const date of next) preview.append(h('li', {}, fmt.format(date)));
      if (!next.length) preview.append(h('li.text-body-secondary', {}, 'No occurrences.'));
      else preview.append(h('li.list-unstyled.small.text-body-secondary', {}, `Times in ${start.zone}.`));
    } catch (error) {
      preview.append(h('li.text-danger', {}, `Not a rule Calento can read: ${error.message}`));
    }
  }

  const onForm = () => {
    raw.value = fromForm();
    layout();
    renderPreview();
  };
  for (const input of [freq, interval, ends, count, until, ...days]) input.addEventListener('change', onForm);
  interval.addEventListener('input', onForm);
  raw.addEventListener('input', () => {
    const ok = toForm(raw.value.trim());
    simple.classList.toggle('opacity-50', !ok);
    layout();
    renderPreview();
  });

  const el = h(
    'fieldset.mb-3',
    {},
    h('legend.form-label.fs-6', {}, 'Repeat'),
    simple,
    daysWrap,
    endsWrap,
    h('label.form-label.small', { for: 'rrule' }, 'RRULE'),
    raw,
    h('div.form-text', { id: 'rrule-hint' }, 'The rule itself (RFC 5545); edit it for cases the form above does not cover.'),
    h('div.invalid-feedback', { id: 'rrule-error', dataset: { for: 'recurrenceRule' } }),
    h('div.mt-2', {}, h('div.small.fw-semibold', {}, 'Next occurrences'), preview),
  );
  raw.value = (initialRule ?? '').replace(/^RRULE:/i, '');
  if (!toForm(raw.value)) simple.classList.add('opacity-50');
  layout();
  renderPreview();
  return { el, value: () => raw.value.trim().replace(/^RRULE:/i, ''), refresh: renderPreview };
}
