/**
 * The HTML of the public booking pages. Markup only: behaviour lives in public/book/booking.js, which the
 * CSP (script-src 'self') lets run only as a file. Every value from the database goes through escapeHtml.
 */
import type { PublicBookingLinkResponseDto } from '../bookings/dto/booking-link.dto.js';

export interface AssetUrls {
  script: string;
  style: string;
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => entities[char]);
}

/** "30 min", "1 h", "1 h 30 min". */
export function formatDuration(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return [hours ? `${hours} h` : '', rest ? `${rest} min` : ''].filter(Boolean).join(' ');
}

function shell(options: { title: string; page: string; assets: AssetUrls; noindex?: boolean; data?: Record<string, string>; body: string }): string {
  const data = Object.entries(options.data ?? {})
    .map(([key, value]) => ` data-${key}="${escapeHtml(value)}"`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${options.noindex ? '<meta name="robots" content="noindex">\n' : ''}<title>${escapeHtml(options.title)} · Calento</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${options.assets.style}">
<script type="module" src="${options.assets.script}"></script>
</head>
<body>
<main class="page" data-page="${options.page}"${data}>
${options.body}
<noscript><p class="notice">This page needs JavaScript to show the free times.</p></noscript>
</main>
</body>
</html>
`;
}

/** The booking form's fields; the script validates them and shows server errors next to them. */
const bookerForm = `<form id="booker-form" class="form" novalidate>
  <div class="field">
    <label for="name">Name</label>
    <input id="name" name="name" type="text" autocomplete="name" maxlength="200" required aria-describedby="name-error">
    <p id="name-error" class="field-error"></p>
  </div>
  <div class="field">
    <label for="email">Email</label>
    <input id="email" name="email" type="email" autocomplete="email" inputmode="email" maxlength="254" required aria-describedby="email-error">
    <p id="email-error" class="field-error"></p>
  </div>
  <div class="field">
    <label for="phone">Phone <span class="optional">(optional)</span></label>
    <input id="phone" name="phone" type="tel" autocomplete="tel" maxlength="30" aria-describedby="phone-error">
    <p id="phone-error" class="field-error"></p>
  </div>
  <div class="field">
    <label for="notes">Notes <span class="optional">(optional)</span></label>
    <textarea id="notes" name="notes" rows="3" maxlength="2000" aria-describedby="notes-error"></textarea>
    <p id="notes-error" class="field-error"></p>
  </div>
  <p id="form-error" class="form-error" role="alert"></p>
  <div class="actions">
    <button type="submit" class="primary" id="book-button">Book</button>
    <button type="button" class="secondary" id="change-time">Change time</button>
  </div>
</form>`;

export function bookingPage(link: PublicBookingLinkResponseDto, assets: AssetUrls): string {
  const facts = [`<li>${formatDuration(link.durationMinutes)}</li>`];
  if (link.location) facts.push(`<li>${escapeHtml(link.location)}</li>`);
  const body = `<header class="link">
  <p class="host">${escapeHtml(link.hostName)}</p>
  <h1>${escapeHtml(link.title)}</h1>
  <ul class="facts" aria-label="Details">${facts.join('')}</ul>
  ${link.description ? `<p class="description">${escapeHtml(link.description)}</p>` : ''}
</header>
<p id="status" class="visually-hidden" role="status" aria-live="polite"></p>
<section id="pick" aria-labelledby="pick-heading">
  <h2 id="pick-heading" tabindex="-1">Pick a time</h2>
  <p class="zone">Times are in <strong class="zone-name"></strong>.</p>
  <div id="picker"></div>
</section>
<section id="details" aria-labelledby="details-heading" hidden>
  <h2 id="details-heading" tabindex="-1">Your details</h2>
  <p class="chosen" id="chosen-time"></p>
  ${bookerForm}
</section>
<section id="done" aria-labelledby="done-heading" hidden>
  <h2 id="done-heading" tabindex="-1">You are booked</h2>
  <dl class="summary" id="done-summary"></dl>
  <p>A confirmation is on its way to <strong id="done-email"></strong>.</p>
  <p class="manage">To cancel or reschedule, use your personal link: <a id="manage-link" href="#">Manage your booking</a></p>
  <p class="hint">Keep this link private: anyone with it can change the booking.</p>
</section>`;
  return shell({
    title: link.title,
    page: 'book',
    assets,
    data: { slug: link.slug, 'window-days': link.bookingWindowDays === null ? '' : String(link.bookingWindowDays) },
    body,
  });
}

/** The manage page carries no booking data: the script reads the token from the URL and asks the API. */
export function managePage(assets: AssetUrls): string {
  const body = `<header class="link">
  <p class="host" id="host"></p>
  <h1 id="title" tabindex="-1">Your booking</h1>
</header>
<p id="status" class="visually-hidden" role="status" aria-live="polite"></p>
<p id="load-error" class="notice" role="alert" hidden></p>
<section id="booking" aria-labelledby="title" hidden>
  <p id="state" class="state"></p>
  <dl class="summary" id="summary"></dl>
  <p id="message" class="message" tabindex="-1"></p>
  <div class="actions" id="actions">
    <button type="button" class="primary" id="reschedule-open" aria-expanded="false" aria-controls="reschedule">Reschedule</button>
    <button type="button" class="secondary danger" id="cancel-open" aria-expanded="false" aria-controls="cancel">Cancel booking</button>
  </div>
</section>
<section id="reschedule" aria-labelledby="reschedule-heading" hidden>
  <h2 id="reschedule-heading" tabindex="-1">Pick a new time</h2>
  <p class="zone">Times are in <strong class="zone-name"></strong>.</p>
  <div id="picker"></div>
  <div id="move" class="confirm" hidden>
    <p id="move-time" class="chosen"></p>
    <p id="move-error" class="form-error" role="alert"></p>
    <div class="actions">
      <button type="button" class="primary" id="move-button">Move booking</button>
      <button type="button" class="secondary" id="reschedule-close">Keep current time</button>
    </div>
  </div>
</section>
<section id="cancel" aria-labelledby="cancel-heading" hidden>
  <h2 id="cancel-heading" tabindex="-1">Cancel this booking?</h2>
  <form id="cancel-form" class="form" novalidate>
    <div class="field">
      <label for="reason">Reason <span class="optional">(optional, shared with the host)</span></label>
      <textarea id="reason" name="reason" rows="3" maxlength="1000"></textarea>
    </div>
    <p id="cancel-error" class="form-error" role="alert"></p>
    <div class="actions">
      <button type="submit" class="primary danger" id="cancel-button">Yes, cancel booking</button>
      <button type="button" class="secondary" id="cancel-close">Keep booking</button>
    </div>
  </form>
</section>`;
  return shell({ title: 'Your booking', page: 'manage', assets, noindex: true, body });
}

export function notFoundPage(assets: AssetUrls): string {
  const body = `<header class="link">
  <h1>Booking page not found</h1>
</header>
<p class="notice">This booking link does not exist or is no longer active. Ask the person who sent it for a new one.</p>`;
  return shell({ title: 'Not found', page: 'missing', assets, noindex: true, body });
}
