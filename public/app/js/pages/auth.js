import { signIn, signUp } from '../api.js';
import { busy, field, formError, h, mount, showErrors } from '../dom.js';
import { navigate } from '../main.js';

function nextPath(query) {
  const next = query.get('next');
  return next && next.startsWith('/app') && !next.startsWith('/app/sign') ? next : '/';
}

export function renderSignIn(view, _params, query) {
  const form = h(
    'form',
    { novalidate: true },
    formError(),
    field('Email', h('input', { name: 'email', type: 'email', autocomplete: 'email', required: true })),
    field('Password', h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    h('button.btn.btn-primary.w-100', { type: 'submit' }, 'Sign in'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type=submit]');
    await busy(button, async () => {
      try {
        await signIn(form.elements.email.value.trim(), form.elements.password.value);
        await navigate(nextPath(query), { replace: true });
      } catch (error) {
        showErrors(form, error);
      }
    });
  });
  mount(
    view,
    h(
      'div.card.auth-card',
      {},
      h(
        'div.card-body',
        {},
        h('h1.h4.mb-3', {}, 'Sign in'),
        query.get('expired') ? h('div.alert.alert-warning', { role: 'status' }, 'Your session has expired. Sign in again.') : null,
        form,
        h('p.mt-3.mb-0.small', {}, 'New here? ', h('a', { href: `/app/signup${query.get('next') ? `?next=${encodeURIComponent(query.get('next'))}` : ''}`, dataset: { link: '' } }, 'Create an account'), ' · ', h('a', { href: '/app/reset-password' }, 'Forgot your password?')),
      ),
    ),
  );
  form.elements.email.focus();
}

export function renderSignUp(view, _params, query) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const form = h(
    'form',
    { novalidate: true },
    formError(),
    field('Name', h('input', { name: 'name', autocomplete: 'name', required: true, maxlength: 100 })),
    field('Email', h('input', { name: 'email', type: 'email', autocomplete: 'email', required: true })),
    field('Password', h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true }), 'At least 10 characters, with a letter and a digit or symbol.'),
    h('input', { type: 'hidden', name: 'timezone', value: zone }),
    h('p.small.text-body-secondary', {}, `Your time zone: ${zone} (change it later in Settings).`),
    h('button.btn.btn-primary.w-100', { type: 'submit' }, 'Create account'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(form.querySelector('button[type=submit]'), async () => {
      try {
        await signUp({ name: form.elements.name.value.trim(), email: form.elements.email.value.trim(), password: form.elements.password.value, timezone: zone });
        await navigate(nextPath(query), { replace: true });
      } catch (error) {
        showErrors(form, error);
      }
    });
  });
  mount(
    view,
    h(
      'div.card.auth-card',
      {},
      h('div.card-body', {}, h('h1.h4.mb-3', {}, 'Create your account'), form, h('p.mt-3.mb-0.small', {}, 'Have an account? ', h('a', { href: '/app/signin', dataset: { link: '' } }, 'Sign in'))),
    ),
  );
  form.elements.name.focus();
}
