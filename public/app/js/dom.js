// DOM helpers: elements are built with h() (text is always set as text, never parsed as HTML), toasts,
// the API's field errors next to their fields, loading and empty states.

/** h('button.btn.btn-primary', { type: 'button', onclick }, 'Save') */
export function h(tag, attrs = {}, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name || 'div');
  if (classes.length) el.className = classes.join(' ');
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = [el.className, value].filter(Boolean).join(' ');
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'style' && typeof value === 'object') Object.assign(el.style, value);
    else if (key === 'value' || key === 'checked' || key === 'selected' || key === 'indeterminate') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Appends children as h() does: null, undefined and false are skipped (Element#append would write "null"). */
export function appendAll(parent, ...children) {
  append(parent, children);
  return parent;
}

export function mount(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
  return parent;
}

export function spinner(label = 'Loading…') {
  return h('div.d-flex.align-items-center.gap-2.text-body-secondary.py-3', { role: 'status' }, h('div.spinner-border.spinner-border-sm', { 'aria-hidden': 'true' }), h('span', {}, label));
}

export function empty(text, ...extra) {
  return h('div.text-body-secondary.border.rounded.p-4.text-center.empty-state', {}, h('p.mb-2', {}, text), ...extra);
}

export function alertBox(kind, ...children) {
  return h(`div.alert.alert-${kind}`, { role: kind === 'danger' ? 'alert' : 'status' }, ...children);
}

let toastSeq = 0;
/** A toast in the corner; errors stay until dismissed. */
export function toast(message, kind = 'info') {
  const container = document.getElementById('toasts');
  const id = `toast-${++toastSeq}`;
  const bg = { danger: 'text-bg-danger', success: 'text-bg-success', warning: 'text-bg-warning', info: 'text-bg-dark' }[kind] ?? 'text-bg-dark';
  const el = h(
    `div.toast.align-items-center.border-0.${bg}`,
    { id, role: kind === 'danger' ? 'alert' : 'status', 'aria-atomic': 'true', dataset: { kind } },
    h('div.d-flex', {}, h('div.toast-body', {}, message), h('button.btn-close.btn-close-white.me-2.m-auto', { type: 'button', 'data-bs-dismiss': 'toast', 'aria-label': 'Close' })),
  );
  container.append(el);
  const t = window.bootstrap.Toast.getOrCreateInstance(el, { autohide: kind !== 'danger', delay: 5000 });
  el.addEventListener('hidden.bs.toast', () => el.remove());
  t.show();
  return el;
}

/** The message of any error for a person: the API's detail, else the error's own message. */
export function messageOf(error) {
  if (error?.problem) {
    const p = error.problem;
    const fields = (p.errors ?? []).map((e) => `${e.field}: ${e.message}`).join('; ');
    return fields && p.code === 'VALIDATION_FAILED' ? `${p.detail} ${fields}` : p.detail ?? p.title ?? 'Request failed';
  }
  return error?.message ?? String(error);
}

/** Clears the field errors of a form. */
export function clearErrors(form) {
  for (const el of form.querySelectorAll('.is-invalid')) {
    el.classList.remove('is-invalid');
    el.removeAttribute('aria-invalid');
  }
  for (const el of form.querySelectorAll('.invalid-feedback[data-for]')) el.textContent = '';
  const general = form.querySelector('.form-error');
  if (general) {
    general.textContent = '';
    general.hidden = true;
  }
}

/** Marks a field invalid with a message under it. `name` is the input's name (the API's field name). */
export function fieldError(form, name, message) {
  const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
  const feedback = form.querySelector(`.invalid-feedback[data-for="${CSS.escape(name)}"]`);
  if (!input || !feedback) return false;
  input.classList.add('is-invalid');
  input.setAttribute('aria-invalid', 'true');
  feedback.textContent = message;
  return true;
}

/**
 * Shows an API error on a form: each `errors[].field` next to its field (the field's root name, so
 * `attendees[0].email` lands on `attendees`), anything else in the form's general error line.
 */
export function showErrors(form, error) {
  clearErrors(form);
  const problem = error?.problem;
  const leftover = [];
  for (const e of problem?.errors ?? []) {
    const root = e.field.split(/[.[]/)[0];
    if (!fieldError(form, e.field, e.message) && !fieldError(form, root, `${e.field}: ${e.message}`)) leftover.push(`${e.field}: ${e.message}`);
  }
  const general = form.querySelector('.form-error');
  const hasFieldErrors = (problem?.errors ?? []).length > leftover.length;
  const text = hasFieldErrors && !leftover.length ? '' : [problem?.detail ?? messageOf(error), ...leftover].join(' ');
  if (text) {
    if (general) {
      general.textContent = text;
      general.hidden = false;
    } else toast(text, 'danger');
  }
  form.querySelector('.is-invalid')?.focus();
}

/** A labelled form field with its feedback element. */
export function field(label, input, hint) {
  const id = input.id || `f-${input.name}-${Math.random().toString(36).slice(2, 8)}`;
  input.id = id;
  if (!input.classList.contains('form-check-input') && !input.classList.contains('form-select')) input.classList.add(input.tagName === 'SELECT' ? 'form-select' : 'form-control');
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  input.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
  return h(
    'div.mb-3',
    {},
    h('label.form-label', { for: id }, label),
    input,
    hint ? h('div.form-text', { id: hintId }, hint) : null,
    h('div.invalid-feedback', { id: errorId, dataset: { for: input.name } }),
  );
}

export function checkField(label, input) {
  input.classList.add('form-check-input');
  input.id ||= `f-${input.name}-${Math.random().toString(36).slice(2, 8)}`;
  return h('div.form-check.mb-2', {}, input, h('label.form-check-label', { for: input.id }, label), h('div.invalid-feedback', { dataset: { for: input.name } }));
}

export function formError() {
  return h('div.alert.alert-danger.form-error.py-2', { role: 'alert', hidden: true });
}

/** Disables a submit button while `work` runs, with a spinner. */
export async function busy(button, work) {
  const label = button.innerHTML;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.prepend(h('span.spinner-border.spinner-border-sm.me-1', { 'aria-hidden': 'true' }));
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.innerHTML = label;
  }
}

/** A Bootstrap modal built on the fly, removed from the page when closed. */
export function modal({ title, body, footer, size, onHidden }) {
  const titleId = `modal-title-${++toastSeq}`;
  const el = h(
    'div.modal.fade',
    { tabindex: '-1', 'aria-labelledby': titleId, 'aria-modal': 'true', role: 'dialog' },
    h(
      `div.modal-dialog.modal-dialog-scrollable.modal-fullscreen-sm-down${size ? `.modal-${size}` : ''}`,
      {},
      h(
        'div.modal-content',
        {},
        h('div.modal-header', {}, h('h2.modal-title.h5', { id: titleId }, title), h('button.btn-close', { type: 'button', 'data-bs-dismiss': 'modal', 'aria-label': 'Close' })),
        h('div.modal-body', {}, body),
        footer ? h('div.modal-footer', {}, footer) : null,
      ),
    ),
  );
  document.body.append(el);
  const instance = window.bootstrap.Modal.getOrCreateInstance(el);
  el.addEventListener('hidden.bs.modal', () => {
    instance.dispose();
    el.remove();
    onHidden?.();
  });
  instance.show();
  return { el, close: () => instance.hide() };
}

/** Asks a question in a modal; resolves to the value of the chosen button, or null when dismissed. */
export function choose(title, text, choices) {
  return new Promise((resolve) => {
    let answer = null;
    const buttons = choices.map((c) =>
      h(`button.btn.${c.kind ?? 'btn-secondary'}`, { type: 'button', onclick: () => ((answer = c.value), m.close()) }, c.label),
    );
    const m = modal({ title, body: h('p', {}, text), footer: [h('button.btn.btn-link', { type: 'button', 'data-bs-dismiss': 'modal' }, 'Cancel'), ...buttons], onHidden: () => resolve(answer) });
    m.el.addEventListener('shown.bs.modal', () => buttons.at(-1)?.focus());
  });
}

export const confirmDanger = (title, text, label = 'Delete') => choose(title, text, [{ label, value: true, kind: 'btn-danger' }]).then(Boolean);

export function formatDateTime(iso, zone) {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(new Date(iso));
}

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    toast('Copied to the clipboard.', 'success');
  } catch {
    toast('Copy failed: select the text and copy it by hand.', 'warning');
  }
}
