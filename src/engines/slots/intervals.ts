/**
 * Half-open interval math on instants. The public functions take and return `Date` intervals; the slot
 * engine works on epoch-millisecond spans so that its hot loops allocate nothing and compare numbers.
 */

/** Half-open [start, end). An interval with end <= start is empty and is dropped by every function. */
export interface TimeInterval {
  start: Date;
  end: Date;
}

/** Epoch-millisecond twin of TimeInterval for the engine's inner loops. */
export interface Span {
  s: number;
  e: number;
}

export function toSpan(i: TimeInterval): Span {
  return { s: i.start.getTime(), e: i.end.getTime() };
}

export function toInterval(x: Span): TimeInterval {
  return { start: new Date(x.s), end: new Date(x.e) };
}

/** Sorted, non-empty, with overlapping or touching spans joined. Does not mutate its input. */
export function mergeSpans(list: readonly Span[]): Span[] {
  const sorted = list.filter((x) => x.e > x.s).sort((a, b) => a.s - b.s || a.e - b.e);
  const out: Span[] = [];
  for (const x of sorted) {
    const last = out[out.length - 1];
    if (last && x.s <= last.e) {
      if (x.e > last.e) last.e = x.e;
    } else {
      out.push({ s: x.s, e: x.e });
    }
  }
  return out;
}

/** `from` minus `minus`, both merged first; one linear sweep. */
export function subtractSpans(from: readonly Span[], minus: readonly Span[]): Span[] {
  const a = mergeSpans(from);
  const b = mergeSpans(minus);
  const out: Span[] = [];
  let j = 0;
  for (const x of a) {
    let cursor = x.s;
    while (j < b.length && b[j].e <= cursor) j++;
    // b is disjoint and sorted, so only b[j..] can cut x; b[k] may also cut the next x, so k is not kept.
    for (let k = j; k < b.length && b[k].s < x.e; k++) {
      if (b[k].s > cursor) out.push({ s: cursor, e: b[k].s });
      if (b[k].e > cursor) cursor = b[k].e;
    }
    if (cursor < x.e) out.push({ s: cursor, e: x.e });
  }
  return out;
}

export function mergeIntervals(list: TimeInterval[]): TimeInterval[] {
  return mergeSpans(list.map(toSpan)).map(toInterval);
}

export function subtractIntervals(from: TimeInterval[], minus: TimeInterval[]): TimeInterval[] {
  return subtractSpans(from.map(toSpan), minus.map(toSpan)).map(toInterval);
}

/** True when the two share at least one instant; touching intervals and empty ones never overlap. */
export function overlaps(a: TimeInterval, b: TimeInterval): boolean {
  const as = a.start.getTime();
  const ae = a.end.getTime();
  const bs = b.start.getTime();
  const be = b.end.getTime();
  return as < ae && bs < be && as < be && bs < ae;
}
