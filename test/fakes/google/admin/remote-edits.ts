import { asBody, isMaster, whenInput, type EventOps } from '../calendar/event-ops.js';
import { mergePatch } from '../calendar/event-input.js';
import { expandSeries, findOccurrence, remainderLines, untilBefore } from '../calendar/recurrence.js';
import { instanceKey, isValidDate } from '../calendar/time.js';
import { isDate, type Calendar, type StoredEvent, type When } from '../state/types.js';

/** `2024-03-10T09:00:00-05:00` or `2024-03-10` → the original start of an instance. */
export function parseOriginalStart(value: string | Date): When {
  if (value instanceof Date) return { ms: value.getTime() };
  if (isValidDate(value)) return { date: value };
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`fake Google: not a date or date-time: ${value}`);
  return { ms };
}

/** The id Google gives the instance of `masterId` that originally started at `originalStart`. */
export const instanceIdOf = (masterId: string, originalStart: string | Date): string =>
  `${masterId}_${instanceKey(parseOriginalStart(originalStart))}`;

export const ownerOf = (cal: Calendar): string => {
  for (const [email, role] of cal.acl) if (role === 'owner') return email;
  return cal.primaryOf ?? cal.id;
};

/**
 * "This and following" as Google's web app does it: the old series gets an UNTIL just before the
 * chosen instance, and a new series (id `<old>_R<timestamp>`) starts there, with `changes` applied.
 */
export function splitSeries(ops: EventOps, cal: Calendar, masterId: string, originalStart: string | Date, changes: Record<string, unknown> = {}): { master: StoredEvent; newSeries: StoredEvent } {
  const master = cal.events.get(masterId);
  if (!master || !isMaster(master) || master.status === 'cancelled') throw new Error(`fake Google: ${masterId} is not a live recurring event`);
  const original = parseOriginalStart(originalStart);
  const occ = findOccurrence(master, cal.timeZone, original);
  if (!occ) throw new Error(`fake Google: ${masterId} has no instance at ${String(originalStart)}`);
  const before = expandSeries(master, cal.timeZone, -8.64e15, occ.startMs).filter((o) => o.startMs < occ.startMs).length;
  if (before === 0) throw new Error('fake Google: splitting at the first instance is an edit of the whole series (use updateEvent)');
  const allDay = isDate(master.start);
  const newBody = mergePatch(
    {
      ...asBody(master),
      id: `${master.id}_R${occ.key.replace(/Z$/, '')}`,
      start: whenInput(occ.start),
      end: whenInput(occ.end),
      recurrence: remainderLines(master.recurrence ?? [], before),
      sequence: 0,
    },
    changes,
  );
  const trimmed = untilBefore(master.recurrence ?? [], occ.startMs, allDay, allDay ? (occ.start as { date: string }).date : undefined);
  const updated = ops.patch(cal, master.id, { recurrence: trimmed }, { notify: false });
  const newSeries = ops.insert(cal, newBody, ownerOf(cal), { trustedId: true });
  return { master: updated, newSeries };
}
