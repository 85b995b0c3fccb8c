// The Calendar Stacker app: history routing under /app (the server answers index.html for every path
// there, so FRONTEND_URL/clients/<id>?oauth=… from the Google callback opens the client's page).
import { loadUser, session, signOut } from './api.js';
import { h, mount, toast } from './dom.js';
import { renderSignIn, renderSignUp } from './pages/auth.js';
import { renderDashboard } from './pages/dashboard.js';
import { renderClients } from './pages/clients.js';
import { renderClient } from './pages/client.js';
import { renderSettings } from './pages/settings.js';

const ROOT = '/app';

const routes = [
  { pattern: /^\/?$/, page: renderDashboard, nav: 'dashboard', title: 'Dashboard' },
  { pattern: /^\/signin$/, page: renderSignIn, public: true, title: 'Sign in' },
  { pattern: /^\/signup$/, page: renderSignUp, public: true, title: 'Sign up' },
  { pattern: /^\/clients$/, page: renderClients, nav: 'clients', title: 'Clients' },
  { pattern: /^\/clients\/([^/]+)$/, page: renderClient, nav: 'clients', title: 'Client' },
  { pattern: /^\/settings(?:\/([a-z-]+))?$/, page: renderSettings, nav: 'settings', title: 'Settings' },
  // Slack's OAuth callback lands on FRONTEND_URL/integrations/slack?slack=…
  { pattern: /^\/integrations\/slack$/, page: (view, _params, query) => renderSettings(view, ['slack'], query), nav: 'settings', title: 'Settings' },
];

let cleanup = null;

export function navigate(path, { replace = false } = {}) {
  const url = path.startsWith(ROOT) ? path : `${ROOT}${path === '/' ? '' : path}`;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  return render();
}

async function render() {
  const view = document.getElementById('view');
  const path = location.pathname.slice(ROOT.length).replace(/\/+$/, '') || '/';
  const query = new URLSearchParams(location.search);
  const route = routes.find((r) => r.pattern.test(path));
  cleanup?.();
  cleanup = null;
  if (!route) {
    document.title = 'Not found · Calento';
    mount(view, h('h1.h3', {}, 'Page not found'), h('p', {}, h('a', { href: ROOT, dataset: { link: '' } }, 'Back to the dashboard')));
    return;
  }
  if (!route.public && !session.user) {
    const user = await loadUser().catch(() => null);
    // An expired session has already been sent to sign-in (session.onExpired).
    if (!user && location.pathname.startsWith(`${ROOT}/sign`)) return;
    if (!user) {
      const next = location.pathname + location.search;
      return navigate(`/signin${next !== ROOT ? `?next=${encodeURIComponent(next)}` : ''}`, { replace: true });
    }
  }
  if (route.public && session.user) return navigate('/', { replace: true });
  showNav(!route.public, route.nav);
  document.title = `${route.title} · Calento`;
  const params = path.match(route.pattern).slice(1).map((p) => (p === undefined ? undefined : decodeURIComponent(p)));
  try {
    cleanup = (await route.page(view, params, query)) ?? null;
  } catch (error) {
    mount(view, h('div.alert.alert-danger', { role: 'alert' }, error.message ?? String(error)));
  }
}

function showNav(signedIn, active) {
  document.getElementById('nav-links').hidden = !signedIn;
  document.getElementById('nav-user').hidden = !signedIn;
  document.getElementById('nav-toggle').hidden = !signedIn;
  document.getElementById('nav-user-name').textContent = signedIn ? session.user?.name ?? '' : '';
  for (const link of document.querySelectorAll('[data-nav]')) {
    const on = link.dataset.nav === active;
    link.classList.toggle('active', on);
    if (on) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

// In-app links: <a href="/app/…" data-link> navigate without a reload.
document.addEventListener('click', (event) => {
  const link = event.target.closest?.('a[data-link]');
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  document.getElementById('main-nav').classList.remove('show');
  void navigate(link.getAttribute('href'));
});
window.addEventListener('popstate', () => void render());

document.getElementById('sign-out').addEventListener('click', async () => {
  await signOut();
  await navigate('/signin');
  toast('You are signed out.');
});

session.onExpired(() => {
  if (location.pathname.startsWith(`${ROOT}/sign`)) return;
  void navigate(`/signin?expired=1&next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
});

void render();
