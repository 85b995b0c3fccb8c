import { formatDate, formatDuration, formatRange, formatTime } from '../email/email-format.js';

/**
 * The messages Calento posts, in Block Kit with a plain-text fallback (`text` is what notifications and
 * screen readers show). Pure functions: the notifier stores their output on the message row.
 */

export interface SlackContent {
  text: string;
  blocks: unknown[];
}

export interface BookingFacts {
  title: string;
  start: Date;
  end: Date;
  bookerName: string;
  bookerEmail: string;
  location: string | null;
  notes: string | null;
  /** The host's zone: times are shown in it. */
  timezone: string;
  reason?: string | null;
  cancelledBy?: 'host' | 'booker' | null;
  previous?: { start: Date; end: Date } | null;
}

/** Slack's mrkdwn treats &, < and > as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The fallback `text` is mrkdwn too (notifications show it, and Slack acts on `<!everyone>` or a
 * `<https://…|label>` link in it): every value put into it is escaped, as in the blocks.
 */
function mrkdwn(strings: TemplateStringsArray, ...values: unknown[]): string {
  return strings.reduce((text, part, i) => text + escapeMrkdwn(String(values[i - 1])) + part);
}

/** Slack refuses a message whose section or context text is over 3,000 characters. */
const MAX_TEXT = 3000;

/** At most MAX_TEXT characters, cut on a whole escape (`&amp;`) and marked with an ellipsis. */
export function fitText(text: string): string {
  if (text.length <= MAX_TEXT) return text;
  return `${text.slice(0, MAX_TEXT - 1).replace(/&[a-z]*$/, '')}…`;
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text: fitText(text) } });
const context = (text: string) => ({ type: 'context', elements: [{ type: 'mrkdwn', text: fitText(text) }] });
const header = (text: string) => ({ type: 'header', text: { type: 'plain_text', text: text.slice(0, 150), emoji: true } });

export function bookingCreated(booking: BookingFacts): SlackContent {
  const when = formatRange(booking.start, booking.end, booking.timezone);
  const who = `${booking.bookerName} (${booking.bookerEmail})`;
  return {
    text: mrkdwn`New booking: ${booking.title} with ${who}, ${when}`,
    blocks: [
      header(`New booking: ${booking.title}`),
      section(`*${escapeMrkdwn(booking.bookerName)}* (${escapeMrkdwn(booking.bookerEmail)}) booked *${escapeMrkdwn(booking.title)}*\n${escapeMrkdwn(when)}`),
      ...(booking.location ? [context(`:round_pushpin: ${escapeMrkdwn(booking.location)}`)] : []),
      ...(booking.notes ? [section(`> ${escapeMrkdwn(booking.notes).replace(/\n/g, '\n> ')}`)] : []),
    ],
  };
}

export function bookingCancelled(booking: BookingFacts): SlackContent {
  const when = formatRange(booking.start, booking.end, booking.timezone);
  const by = booking.cancelledBy === 'booker' ? booking.bookerName : 'you';
  return {
    text: mrkdwn`Booking cancelled by ${by}: ${booking.title} with ${booking.bookerName}, ${when}` + (booking.reason ? mrkdwn` (${booking.reason})` : ''),
    blocks: [
      header(`Booking cancelled: ${booking.title}`),
      section(`~${escapeMrkdwn(when)}~\nwith *${escapeMrkdwn(booking.bookerName)}*, cancelled by ${escapeMrkdwn(by)}`),
      ...(booking.reason ? [context(`Reason: ${escapeMrkdwn(booking.reason)}`)] : []),
    ],
  };
}

export function bookingRescheduled(booking: BookingFacts): SlackContent {
  const when = formatRange(booking.start, booking.end, booking.timezone);
  const was = booking.previous ? formatRange(booking.previous.start, booking.previous.end, booking.timezone) : null;
  return {
    text: mrkdwn`Booking moved: ${booking.title} with ${booking.bookerName}, now ${when}` + (was ? mrkdwn` (was ${was})` : ''),
    blocks: [
      header(`Booking moved: ${booking.title}`),
      section(`with *${escapeMrkdwn(booking.bookerName)}*, now *${escapeMrkdwn(when)}*${was ? `\n~${escapeMrkdwn(was)}~` : ''}`),
    ],
  };
}

export function eventReminder(event: { title: string; start: Date; end: Date; location: string | null; timezone: string }, minutesBefore: number): SlackContent {
  const when = formatRange(event.start, event.end, event.timezone);
  const lead = minutesBefore === 0 ? 'now' : `in ${formatDuration(minutesBefore)}`;
  return {
    text: mrkdwn`Reminder: ${event.title} starts ${lead} (${when})`,
    blocks: [
      section(`:alarm_clock: *${escapeMrkdwn(event.title)}* starts ${lead}\n${escapeMrkdwn(when)}`),
      ...(event.location ? [context(`:round_pushpin: ${escapeMrkdwn(event.location)}`)] : []),
    ],
  };
}

/** The status text while in a busy event: "In a meeting until 15:00". */
export function busyStatus(end: Date, timezone: string): string {
  return `In a meeting until ${formatTime(end, timezone)}`;
}

export interface SummaryItem {
  title: string;
  start: Date;
  end: Date;
  isAllDay: boolean;
  location: string | null;
}

/** The day's agenda at 07:00: one line per event, in the user's zone. */
export function dailySummary(day: Date, timezone: string, items: SummaryItem[]): SlackContent {
  const heading = `Your day: ${formatDate(day, timezone)}`;
  if (items.length === 0) return { text: mrkdwn`${heading} — nothing on your calendar.`, blocks: [header(heading), section('Nothing on your calendar today.')] };
  const lines = items.map((item) => {
    const when = item.isAllDay ? 'all day' : `${formatTime(item.start, timezone)}–${formatTime(item.end, timezone)}`;
    return `• ${when} *${escapeMrkdwn(item.title)}*${item.location ? ` — ${escapeMrkdwn(item.location)}` : ''}`;
  });
  const count = `${items.length} ${items.length === 1 ? 'event' : 'events'}`;
  return {
    text: mrkdwn`${heading} — ${count}: ${items.map((item) => item.title).join(', ')}`,
    blocks: [header(heading), section(lines.join('\n')), context(`${count} · ${escapeMrkdwn(timezone)}`)],
  };
}
