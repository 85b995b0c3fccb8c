import { api, listAll } from '../api.js';
import { alertBox, busy, empty, field, formError, h, messageOf, mount, showErrors, spinner } from '../dom.js';
import { navigate } from '../main.js';
import { statusBadge } from './client.js';

export async function renderClients(view, _params, query) {
  const list = h('div', {}, spinner('Loading your clients…'));
  const form = h(
    'form.row.g-2.align-items-start',
    { novalidate: true, 'aria-label': 'New client' },
    h('div.col-12', {}, formError()),
    h('div.col-12.col-sm', {}, field('Name', h('input', { name: 'name', required: true, maxlength: 200, placeholder: 'Acme Corp' }))),
    h('div.col-auto', {}, field('Colour', h('input.form-control-color', { name: 'color', type: 'color', value: randomColour() }))),
    h('div.col-12.col-sm-auto.align-self-end.mb-3', {}, h('button.btn.btn-primary.w-100', { type: 'submit' }, 'Add client')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(form.querySelector('button[type=submit]'), async () => {
      try {
        const client = await api('POST', '/clients', { body: { name: form.elements.name.value.trim(), color: form.elements.color.value } });
        await navigate(`/clients/${client.id}`);
      } catch (error) {
        showErrors(form, error);
      }
    });
  });
  mount(
    view,
    h('h1.h3.mb-3', {}, 'Clients'),
    query.get('oauth') === 'error' ? alertBox('danger', `Google authorization failed (${query.get('reason') ?? 'unknown reason'}).`) : null,
    h('section.card.mb-4', { 'aria-labelledby': 'new-client-heading' }, h('div.card-body', {}, h('h2.h5', { id: 'new-client-heading' }, 'Add a client'), form)),
    h('section', { 'aria-label': 'Your clients' }, list),
  );
  try {
    const clients = await listAll('/clients');
    if (!clients.length) return void mount(list, empty('No clients yet. Add one above, then connect its Google account.'));
    mount(
      list,
      h(
        'ul.list-group',
        {},
        clients.map((c) =>
          h(
            'li.list-group-item.d-flex.align-items-center.gap-2.flex-wrap',
            {},
            h('span.color-dot', { style: { background: c.color }, 'aria-hidden': 'true' }),
            h('a.fw-semibold.me-auto.text-break', { href: `/app/clients/${c.id}`, dataset: { link: '' } }, c.name),
            c.accountEmail ? h('span.small.text-body-secondary.text-break', {}, c.accountEmail) : null,
            statusBadge(c.status),
          ),
        ),
      ),
    );
  } catch (error) {
    mount(list, alertBox('danger', messageOf(error)));
  }
}

function randomColour() {
  const palette = ['#0ea5e9', '#f97316', '#22c55e', '#a855f7', '#ef4444', '#eab308', '#14b8a6', '#6366f1'];
  return palette[Math.floor(Math.random() * palette.length)];
}
