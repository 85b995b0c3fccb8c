import { apiErrors } from '../errors.js';
import { newEventId, isValidClientEventId } from '../state/ids.js';
import type { Store } from '../state/store.js';
import { isDate, type Calendar, type StoredEvent, type When } from '../state/types.js';
import { mergePatch, parseEventInput, type EventInput } from './event-input.js';
import { findOccurrence, type Occurrence } from './recurrence.js';
import { parseInstanceKey, sameWhen } from './time.js';

/** What an event id names: a stored row, or an unmodified instance computed from its series. */
export type Resolved =
  | { kind: 'stored'; ev: StoredEvent }
  | { kind: 'instance'; master: StoredEvent; occurrence: Occurrence; view: StoredEvent };

export interface WriteOptions {
  /** The If-Match header, if any. */
  ifMatch?: string;
  /** Emit one change notification at the end (push); bulk seeding turns it off. */
  notify?: boolean;
  /** Admin only: accept ids Google itself makes but clients may not (`…_R20240108T150000`). */
  trustedId?: boolean;
}

export const isMaster = (ev: StoredEvent): boolean => !!ev.recurrence && !ev.recurringEventId;

export function instanceView(master: StoredEvent, occ: Occurrence): StoredEvent {
  return {
    ...master,
    id: `${master.id}_${occ.key}`,
    start: occ.start,
    end: occ.end,
    recurrence: undefined,
    recurringEventId: master.id,
    originalStart: occ.start,
  };
}

export function whenInput(when: When): Record<string, string> {
  if (isDate(when)) return { date: when.date };
  const out: Record<string, string> = { dateTime: new Date(when.ms).toISOString() };
  if (when.timeZone) out.timeZone = when.timeZone;
  return out;
}

/** The current event as a request body, onto which a patch is merged. */
export function asBody(ev: StoredEvent): Record<string, unknown> {
  const body: Record<string, unknown> = { ...ev.fields, start: whenInput(ev.start), end: whenInput(ev.end), status: ev.status, sequence: ev.sequence };
  if (ev.recurrence) body.recurrence = [...ev.recurrence];
  return body;
}

function checkIfMatch(etag: string, ifMatch?: string): void {
  if (ifMatch === undefined || ifMatch === '*') return;
  const candidates = ifMatch.split(',').map((s) => s.trim().replace(/^W\//, ''));
  if (!candidates.includes(etag)) throw apiErrors.conditionNotMet();
}

function nextSequence(current: number, input: EventInput, timeChanged: boolean): number {
  if (input.sequence !== undefined && input.sequence < current) throw apiErrors.invalidSequence();
  const base = Math.max(current, input.sequence ?? current);
  return timeChanged ? Math.max(base, current + 1) : base;
}

const sameLines = (a?: string[], b?: string[]): boolean => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

/** Writes to events, shared by the API routes and the admin "remote edits" (Google's own UI). */
export class EventOps {
  constructor(private readonly store: Store) {}

  resolve(cal: Calendar, id: string): Resolved | undefined {
    const ev = cal.events.get(id);
    if (ev) return { kind: 'stored', ev };
    const cut = id.lastIndexOf('_');
    if (cut <= 0) return undefined;
    const master = cal.events.get(id.slice(0, cut));
    const original = parseInstanceKey(id.slice(cut + 1));
    if (!master || !original || !isMaster(master) || isDate(original) !== isDate(master.start)) return undefined;
    const occurrence = findOccurrence(master, cal.timeZone, original);
    if (!occurrence) return undefined;
    return { kind: 'instance', master, occurrence, view: instanceView(master, occurrence) };
  }

  get(cal: Calendar, id: string): StoredEvent {
    const found = this.resolve(cal, id);
    if (!found) throw apiErrors.notFound();
    return found.kind === 'stored' ? found.ev : found.view;
  }

  insert(cal: Calendar, body: Record<string, unknown>, actor: string, options: WriteOptions = {}): StoredEvent {
    let id = body?.id;
    if (id !== undefined && id !== null) {
      if (typeof id !== 'string' || !(options.trustedId ? id.length > 0 : isValidClientEventId(id))) {
        throw apiErrors.invalidBody('Invalid resource id value.');
      }
      if (cal.events.has(id)) throw apiErrors.duplicate();
    } else {
      do id = newEventId();
      while (cal.events.has(id as string));
    }
    const input = parseEventInput(body);
    const now = this.store.clock.now();
    const ev: StoredEvent = {
      id: id as string,
      ordinal: this.store.nextOrdinal(),
      seq: 0,
      etag: '',
      created: now,
      updated: now,
      status: input.status,
      sequence: input.sequence ?? 0,
      iCalUID: input.iCalUID ?? `${id}@google.com`,
      creatorEmail: actor,
      start: input.start,
      end: input.end,
      recurrence: input.recurrence,
      fields: input.fields,
    };
    cal.events.set(ev.id, ev);
    this.store.touchEvent(cal, ev);
    this.changed(cal, options);
    return ev;
  }

  /** PUT: the body replaces the event (an instance id creates or replaces its exception). */
  update(cal: Calendar, id: string, body: Record<string, unknown>, options: WriteOptions = {}): StoredEvent {
    const found = this.resolve(cal, id);
    if (!found) throw apiErrors.notFound();
    return this.write(cal, found, body, options);
  }

  /** PATCH: merged onto the current event; arrays replace. */
  patch(cal: Calendar, id: string, patch: Record<string, unknown>, options: WriteOptions = {}): StoredEvent {
    if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw apiErrors.parseError();
    const found = this.resolve(cal, id);
    if (!found) throw apiErrors.notFound();
    const current = found.kind === 'stored' ? found.ev : found.view;
    return this.write(cal, found, mergePatch(asBody(current), patch), options);
  }

  delete(cal: Calendar, id: string, options: WriteOptions = {}): void {
    const found = this.resolve(cal, id);
    if (!found) throw apiErrors.notFound();
    if (found.kind === 'instance') {
      if (found.master.status === 'cancelled') throw apiErrors.deleted();
      checkIfMatch(found.view.etag, options.ifMatch);
      this.createException(cal, found.master, found.occurrence, { ...found.view, status: 'cancelled' });
    } else {
      const ev = found.ev;
      if (ev.status === 'cancelled') throw apiErrors.deleted();
      checkIfMatch(ev.etag, options.ifMatch);
      ev.status = 'cancelled';
      this.store.touchEvent(cal, ev);
      if (isMaster(ev)) this.cancelExceptions(cal, ev, () => true);
    }
    this.changed(cal, options);
  }

  private write(cal: Calendar, found: Resolved, body: Record<string, unknown>, options: WriteOptions): StoredEvent {
    if (found.kind === 'instance') {
      if (found.master.status === 'cancelled') throw apiErrors.deleted();
      checkIfMatch(found.view.etag, options.ifMatch);
      const input = parseEventInput(body, { instance: true });
      const timeChanged = !sameWhen(input.start, found.view.start) || !sameWhen(input.end, found.view.end);
      const exception = this.createException(cal, found.master, found.occurrence, {
        ...found.view,
        start: input.start,
        end: input.end,
        status: input.status,
        sequence: nextSequence(found.view.sequence, input, timeChanged),
        fields: input.fields,
      });
      this.changed(cal, options);
      return exception;
    }
    const ev = found.ev;
    checkIfMatch(ev.etag, options.ifMatch);
    const input = parseEventInput(body, { instance: !!ev.recurringEventId });
    const recurrenceChanged = !ev.recurringEventId && !sameLines(ev.recurrence, input.recurrence);
    const timeChanged = !sameWhen(input.start, ev.start) || !sameWhen(input.end, ev.end) || recurrenceChanged;
    ev.sequence = nextSequence(ev.sequence, input, timeChanged);
    ev.start = input.start;
    ev.end = input.end;
    if (!ev.recurringEventId) ev.recurrence = input.recurrence;
    ev.status = input.status;
    ev.fields = input.fields;
    this.store.touchEvent(cal, ev);
    if (ev.recurrence || recurrenceChanged) {
      // Exceptions whose original instance the new rule no longer produces are dropped (cancelled).
      this.cancelExceptions(cal, ev, (exc) =>
        ev.status === 'cancelled' || !ev.recurrence || !exc.originalStart || !findOccurrence(ev, cal.timeZone, exc.originalStart),
      );
    }
    this.changed(cal, options);
    return ev;
  }

  createException(cal: Calendar, master: StoredEvent, occ: Occurrence, view: StoredEvent): StoredEvent {
    const exception: StoredEvent = {
      ...view,
      id: `${master.id}_${occ.key}`,
      ordinal: this.store.nextOrdinal(),
      created: master.created,
      recurrence: undefined,
      recurringEventId: master.id,
      originalStart: occ.start,
      iCalUID: master.iCalUID,
    };
    cal.events.set(exception.id, exception);
    this.store.touchEvent(cal, exception);
    return exception;
  }

  exceptionsOf(cal: Calendar, masterId: string): StoredEvent[] {
    const out: StoredEvent[] = [];
    for (const ev of cal.events.values()) if (ev.recurringEventId === masterId) out.push(ev);
    return out;
  }

  cancelExceptions(cal: Calendar, master: StoredEvent, which: (exc: StoredEvent) => boolean): void {
    for (const exc of this.exceptionsOf(cal, master.id)) {
      if (exc.status === 'cancelled' || !which(exc)) continue;
      exc.status = 'cancelled';
      this.store.touchEvent(cal, exc);
    }
  }

  changed(cal: Calendar, options: WriteOptions): void {
    if (options.notify !== false) this.store.emit({ kind: 'events', calendarId: cal.id });
  }
}
