// Bulk actions on the dashboard: in "Select" mode a click (or Enter / Space on a focused event) toggles
// an event's selection instead of opening it; the bar then moves the selected events to another calendar
// (created there, deleted where they were, through the public API) or deletes them, and reports each
// event that failed with the API's detail.
//
// Repeating events are refused, not acted on as a whole series: moving a series between calendars would
// drop its changed occurrences, and deleting every occurrence from a click on one is too easy a mistake.
// They are changed or deleted from the event dialog, which asks one / following / all.
import { busy, confirmDanger, field, h, messageOf, modal, toast } from '../dom.js';
import { calendarSelect } from '../event-modal.js';
import { deleteEvent, moveEvent, targetKey } from '../event-writes.js';

/** The id the dashboard gives an API event (occurrences are '<series>|<occurrence>'). */
export const fcIdOf = (ev) => (ev.seriesId ? `${ev.seriesId}|${ev.occurrenceId}` : ev.id);

/**
 * bulkActions({ calendars, onModeChange, onDone }) → { el, button, active, isSelected, toggle, prune, markEl }
 * `calendars()` resolves the writable calendars; `onDone()` reloads the dashboard.
 */
export function bulkActions({ calendars, onModeChange, onDone }) {
  const selected = new Map();
  let active = false;

  const button = h('button.btn.btn-outline-secondary.btn-sm', { type: 'button', id: 'select-mode', 'aria-pressed': 'false' }, 'Select');
  const count = h('span.small.fw-semibold.me-auto', { id: 'selected-count', role: 'status', 'aria-live': 'polite' });
  const moveButton = h('button.btn.btn-outline-primary.btn-sm', { type: 'button', id: 'bulk-move' }, 'Move to calendar…');
  const deleteButton = h('button.btn.btn-outline-danger.btn-sm', { type: 'button', id: 'bulk-delete' }, 'Delete');
  const clearButton = h('button.btn.btn-link.btn-sm', { type: 'button' }, 'Clear selection');
  const el = h(
    'div.bulk-bar.alert.alert-primary.py-2.px-3.d-flex.align-items-center.gap-2.flex-wrap',
    { role: 'toolbar', 'aria-label': 'Selected events', id: 'bulk-bar', hidden: true },
    count,
    h('span.small.text-body-secondary.w-100.order-last', {}, 'Click events (or press Enter on one) to select them. Repeating events cannot be selected.'),
    moveButton,
    deleteButton,
    clearButton,
  );

  function draw() {
    const n = selected.size;
    count.textContent = `${n} selected`;
    moveButton.disabled = deleteButton.disabled = clearButton.disabled = n === 0;
    deleteButton.textContent = n ? `Delete ${n}` : 'Delete';
  }

  /** The selected state on the calendar's elements of an event (all of them: it may span days). */
  function markEl(node, id) {
    node.dataset.eventKey = id;
    node.classList.toggle('is-selected', selected.has(id));
    if (active) node.setAttribute('aria-pressed', String(selected.has(id)));
    else node.removeAttribute('aria-pressed');
  }
  const redraw = (id) => {
    for (const node of document.querySelectorAll(`#calendar [data-event-key="${CSS.escape(id)}"]`)) markEl(node, id);
  };

  function setMode(on) {
    active = on;
    el.hidden = !on;
    button.setAttribute('aria-pressed', String(on));
    button.textContent = on ? 'Done selecting' : 'Select';
    button.classList.toggle('btn-outline-secondary', !on);
    button.classList.toggle('btn-dark', on);
    if (!on) selected.clear();
    draw();
    for (const node of document.querySelectorAll('#calendar [data-event-key]')) markEl(node, node.dataset.eventKey);
    onModeChange(on);
  }
  button.addEventListener('click', () => setMode(!active));
  clearButton.addEventListener('click', () => {
    const ids = [...selected.keys()];
    selected.clear();
    ids.forEach(redraw);
    draw();
  });

  function toggle(ev) {
    if (ev.readOnly) return void toast(`You were invited to “${ev.title}”; only its owner can move or delete it.`, 'warning');
    if (ev.seriesId || ev.recurrence) return void toast(`“${ev.title}” repeats: bulk actions leave repeating events alone. Open it to move or delete the series.`, 'warning');
    const id = fcIdOf(ev);
    if (selected.has(id)) selected.delete(id);
    else selected.set(id, ev);
    redraw(id);
    draw();
  }

  /** Keeps only the selected events still shown (after a legend or client switch, or a reload). */
  function prune(shown) {
    const byId = new Map(shown.map((ev) => [fcIdOf(ev), ev]));
    for (const id of [...selected.keys()]) {
      if (byId.has(id)) selected.set(id, byId.get(id));
      else selected.delete(id);
    }
    draw();
  }

  /** Runs `work` on each selected event in turn; the failures stay selected and are reported one by one. */
  async function each(work, verb) {
    const events = [...selected.entries()];
    let done = 0;
    for (const [id, ev] of events) {
      try {
        await work(ev);
        selected.delete(id);
        done += 1;
      } catch (error) {
        toast(`“${ev.title}” was not ${verb}: ${messageOf(error)}`, 'danger');
      }
    }
    draw();
    if (done) toast(`${done} event${done === 1 ? '' : 's'} ${verb}.`, 'success');
    onDone();
  }

  moveButton.addEventListener('click', async () => {
    let list;
    try {
      list = await calendars();
    } catch (error) {
      return void toast(`The calendars could not be loaded: ${messageOf(error)}`, 'danger');
    }
    const select = calendarSelect(list, 'local', { name: 'target', id: 'bulk-target' });
    const sources = new Set([...selected.values()].map((ev) => targetKey(ev.calendar)));
    if (sources.size === 1) select.value = [...sources][0] === 'local' ? (list[0] ? targetKey(list[0]) : 'local') : 'local';
    const go = h('button.btn.btn-primary', { type: 'submit', form: 'bulk-move-form' }, `Move ${selected.size}`);
    const form = h('form', { id: 'bulk-move-form', novalidate: true }, field('Move to', select, 'Each event is created on that calendar, then deleted where it was.'));
    const m = modal({ title: `Move ${selected.size} event${selected.size === 1 ? '' : 's'}`, body: form, footer: [h('button.btn.btn-link', { type: 'button', 'data-bs-dismiss': 'modal' }, 'Cancel'), go] });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const key = select.value;
      const target = key === 'local' ? null : list.find((c) => targetKey(c) === key);
      const name = select.selectedOptions[0]?.textContent ?? 'the calendar';
      void busy(go, async () => {
        await each((ev) => moveEvent(ev, target), `moved to ${name}`);
        m.close();
      });
    });
  });

  deleteButton.addEventListener('click', async () => {
    const n = selected.size;
    const titles = [...selected.values()].map((ev) => `“${ev.title}”`).join(', ');
    if (!(await confirmDanger(`Delete ${n} event${n === 1 ? '' : 's'}?`, `${titles} will be deleted, at Google too for client calendars.`, `Delete ${n}`))) return;
    await busy(deleteButton, () => each((ev) => deleteEvent(ev.calendar, ev.id), 'deleted'));
    draw();
  });

  draw();
  return { el, button, active: () => active, isSelected: (ev) => selected.has(fcIdOf(ev)), toggle, prune, markEl, setMode };
}
