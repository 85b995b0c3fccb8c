import { DateTime } from 'luxon';

/**
 * Date and time wording for email templates (Handlebars helpers). Instants arrive as Date or ISO
 * strings and are shown in the zone the template names; all zone math goes through luxon.
 */
export type Instant = Date | string;

function inZone(value: Instant, zone: string, locale: string): DateTime {
  const parsed = value instanceof Date ? DateTime.fromJSDate(value) : DateTime.fromISO(String(value), { setZone: true });
  if (!parsed.isValid) throw new Error(`Email template got an invalid instant: ${String(value)}`);
  const zoned = parsed.setZone(zone).setLocale(locale);
  if (!zoned.isValid) throw new Error(`Email template got an invalid time zone: ${zone}`);
  return zoned;
}

/** "Tue 3 Mar 2026, 09:00 (Europe/Berlin)" */
export function formatDateTime(value: Instant, zone: string, locale = 'en'): string {
  return `${inZone(value, zone, locale).toFormat('ccc d LLL yyyy, HH:mm')} (${zone})`;
}

/** "09:00" */
export function formatTime(value: Instant, zone: string, locale = 'en'): string {
  return inZone(value, zone, locale).toFormat('HH:mm');
}

/** "Tuesday 3 March 2026" */
export function formatDate(value: Instant, zone: string, locale = 'en'): string {
  return inZone(value, zone, locale).toFormat('cccc d LLLL yyyy');
}

/** "Tue 3 Mar 2026, 09:00–10:00 (Europe/Berlin)", or both dates when the range crosses midnight. */
export function formatRange(start: Instant, end: Instant, zone: string, locale = 'en'): string {
  const from = inZone(start, zone, locale);
  const to = inZone(end, zone, locale);
  if (from.hasSame(to, 'day')) return `${from.toFormat('ccc d LLL yyyy, HH:mm')}–${to.toFormat('HH:mm')} (${zone})`;
  return `${from.toFormat('ccc d LLL yyyy, HH:mm')} – ${to.toFormat('ccc d LLL yyyy, HH:mm')} (${zone})`;
}

/** 15 → "15 minutes", 60 → "1 hour", 90 → "1 hour 30 minutes", 1440 → "1 day". */
export function formatDuration(minutes: number): string {
  const total = Math.max(0, Math.round(Number(minutes)));
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const mins = total % 60;
  const parts = [
    days ? plural(days, 'day', 'days') : '',
    hours ? plural(hours, 'hour', 'hours') : '',
    mins || total === 0 ? plural(mins, 'minute', 'minutes') : '',
  ].filter(Boolean);
  return parts.join(' ');
}

export function plural(count: number, one: string, many: string): string {
  return `${count} ${Number(count) === 1 ? one : many}`;
}

/** The next 07:00 (or `hour`) in `zone` after `now`, as an instant, and the local date it falls on. */
export function nextLocalTime(zone: string, now: Date, hour = 7): { at: Date; localDate: string } {
  const local = DateTime.fromJSDate(now).setZone(zone);
  if (!local.isValid) throw new Error(`Invalid time zone: ${zone}`);
  let at = local.set({ hour, minute: 0, second: 0, millisecond: 0 });
  if (at <= local) at = at.plus({ days: 1 }).set({ hour, minute: 0, second: 0, millisecond: 0 });
  return { at: at.toJSDate(), localDate: at.toISODate() as string };
}

/** The instant of `hour`:00 on a local date (yyyy-mm-dd) in `zone` (on a DST gap luxon moves forward). */
export function localTimeOn(localDate: string, zone: string, hour = 7): Date {
  const at = DateTime.fromISO(localDate, { zone }).set({ hour, minute: 0, second: 0, millisecond: 0 });
  if (!at.isValid) throw new Error(`Invalid local date or zone: ${localDate} ${zone}`);
  return at.toJSDate();
}
