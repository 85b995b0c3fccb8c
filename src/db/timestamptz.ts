/**
 * PostgreSQL's text form of a timestamptz ('2026-03-09 13:00:00+00', '2026-03-09 13:00:00.25-04:30') read
 * into a Date by position, without pg's regular expressions. Busy time reads two per event, a few
 * thousand per slot request; pg's parser (postgres-date) was a tenth of that request's CPU and about a
 * seventh of what it allocated. Anything off the common shape (BC, infinity, a year before 100 or past
 * 9999, an offset with seconds) goes to `fallback`, pg's own parser, so the result is always pg's.
 */
export function timestamptzParser(fallback: (text: string) => unknown): (text: string) => unknown {
  return (text) => {
    const ms = fastTimestamptz(text);
    return Number.isNaN(ms) ? fallback(text) : new Date(ms);
  };
}

const [ZERO, DASH, SPACE, COLON, DOT, PLUS, MINUS] = ['0', '-', ' ', ':', '.', '+', '-'].map((c) => c.charCodeAt(0));

/** Epoch milliseconds of 'YYYY-MM-DD HH:MM:SS[.f…]±HH[:MM]', or NaN when the text is not of that shape. */
export function fastTimestamptz(text: string): number {
  const length = text.length;
  if (length < 22 || text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH || text.charCodeAt(10) !== SPACE) return NaN;
  if (text.charCodeAt(13) !== COLON || text.charCodeAt(16) !== COLON) return NaN;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (Number.isNaN(year + month + day + hour + minute + second) || year < 100) return NaN;

  let at = 19;
  let millis = 0;
  if (text.charCodeAt(at) === DOT) {
    // The Date keeps whole milliseconds: the first three fraction digits (pg's parser truncates too).
    const start = ++at;
    while (at < length) {
      const d = text.charCodeAt(at) - ZERO;
      if (d < 0 || d > 9) break;
      if (at - start < 3) millis += d * 10 ** (2 - (at - start));
      at++;
    }
    if (at === start) return NaN;
  }

  // '±HH' or '±HH:MM', then the end of the text.
  const sign = text.charCodeAt(at);
  const withMinutes = at + 6 === length && text.charCodeAt(at + 3) === COLON;
  if ((sign !== PLUS && sign !== MINUS) || (!withMinutes && at + 3 !== length)) return NaN;
  const offsetHours = digits(text, at + 1, 2);
  const offsetMinutes = withMinutes ? digits(text, at + 4, 2) : 0;
  if (Number.isNaN(offsetHours + offsetMinutes)) return NaN;

  const offset = (offsetHours * 60 + offsetMinutes) * 60_000 * (sign === MINUS ? -1 : 1);
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offset;
}

function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return NaN;
    value = value * 10 + d;
  }
  return value;
}
