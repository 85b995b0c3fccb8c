import { Inject, Injectable } from '@nestjs/common';
import { ChangeSubscriberProvider, type ChangeSubscriber } from '../changes/change-subscriber.js';
import type { Change } from '../changes/changes.rows.js';
import { seriesZoneMoved, type EventChangeData, type EventPayload } from '../events/event-changes.js';
import { EventsService } from '../events/events.service.js';
import { UserDirectory } from '../users/user-directory.js';
import type { IcsResponse } from '../../engines/ical/calendar-writer.js';
import { EmailNotifications, type EventMail, type EventMailOverride, type MailPerson } from './email-notifications.js';

/** What attendees see of an event: a change to any of these is mailed. Tags, color, reminders… are not. */
const OCCURRENCE_FIELDS = ['startTime', 'endTime', 'isAllDay', 'startDate', 'endDate', 'title', 'description', 'location', 'status'] as const;
const SERIES_FIELDS = [...OCCURRENCE_FIELDS, 'recurrence'] as const;

/** The organizer of the messages; no account (userId null) once the owner deleted it. */
interface Owner {
  userId: string | null;
  email: string;
  name: string;
}

/**
 * The emails event changes cause, from the change feed: invitations (METHOD:REQUEST) to new attendees,
 * updates (REQUEST, higher SEQUENCE) to current attendees when something they see changed,
 * cancellations (METHOD:CANCEL) to removed attendees and to everyone when the event is cancelled or
 * deleted. Messages about one occurrence carry the series' UID and the occurrence's RECURRENCE-ID. The
 * owner is never mailed; booking events are left to the booking emails, events from Google to Google. Queued in the dispatch
 * transaction; each message's dedupe key names the event's SEQUENCE, so a change is mailed once.
 */
@ChangeSubscriberProvider()
@Injectable()
export class EventEmailsSubscriber implements ChangeSubscriber {
  readonly name = 'email.events';
  readonly kinds = ['event.*'];
  /**
   * Events mirrored from a Google calendar (imported, or written there through the client calendar routes
   * with sendUpdates=all) belong to that calendar, and Google mails their guests; mailing them again from
   * Calento would invite everyone twice, and for an import, to events they already have.
   */
  readonly skipOrigins = ['google:*'];

  constructor(
    @Inject(UserDirectory) private readonly users: UserDirectory,
    @Inject(EmailNotifications) private readonly mail: EmailNotifications,
    @Inject(EventsService) private readonly events: EventsService,
  ) {}

  async onChanges(changes: Change[]): Promise<void> {
    for (const change of changes as unknown as Array<Change<EventChangeData>>) {
      const owner = await this.ownerOf(change);
      if (!owner) continue;
      if (change.seriesId && change.occurrenceId) await this.occurrenceChanged(change, owner);
      else if (change.kind === 'event.created') await this.created(change, owner);
      else if (change.kind === 'event.updated') await this.updated(change, owner);
      else await this.deleted(change, owner);
    }
  }

  /**
   * The account, or the owner as they were when the change deleted their account with it; any other
   * change of a deleted account has nobody left to speak for (its events went with it).
   */
  private async ownerOf(change: Change<EventChangeData>): Promise<Owner | null> {
    const departed = change.data.departedOwner;
    if (departed) return { userId: null, email: departed.email, name: departed.name };
    const user = await this.users.findById(change.userId);
    return user ? { userId: user.id, email: user.email, name: user.name } : null;
  }

  private async created(change: Change<EventChangeData>, owner: Owner): Promise<void> {
    const after = change.data.after as EventPayload;
    const guests = guestsOf(owner, after);
    if (!guests.length || after.status === 'cancelled' || after.source === 'booking') return;
    await this.mail.eventInvitation(await this.withOverrides(mailOf(after, owner, guests, after.sequence)), guests);
  }

  /**
   * Attendees added get an invitation, removed ones a cancellation, the others an update when a field
   * they see changed; a newly cancelled event is cancelled for everyone who had it.
   */
  private async updated(change: Change<EventChangeData>, owner: Owner): Promise<void> {
    const before = change.data.before as EventPayload;
    const after = change.data.after as EventPayload;
    if (after.source === 'booking') return;
    const previous = guestsOf(owner, before);
    const current = guestsOf(owner, after);
    const had = new Set(previous.map((guest) => guest.email.toLowerCase()));
    const has = new Set(current.map((guest) => guest.email.toLowerCase()));
    const added = current.filter((guest) => !had.has(guest.email.toLowerCase()));
    const removed = previous.filter((guest) => !has.has(guest.email.toLowerCase()));
    const kept = current.filter((guest) => had.has(guest.email.toLowerCase()));
    const changed = differs(before, after, SERIES_FIELDS) || seriesZoneMoved(before, { repeats: after.recurrence !== null, isAllDay: after.isAllDay, timezone: after.timezone });
    const cancelled = after.status === 'cancelled';
    const wasCancelled = before.status === 'cancelled';
    if (!changed && !added.length && !removed.length) return;
    const toCancel = cancelled ? (wasCancelled ? removed : [...kept, ...removed]) : removed;
    const toUpdate = !cancelled && changed ? kept : [];
    const toInvite = cancelled ? [] : added;
    const mail = mailOf(after, owner, cancelled ? previous : current, after.sequence);
    if (toCancel.length) await this.mail.eventCancellation({ ...mail, attendees: toCancel }, toCancel);
    const request = toUpdate.length || toInvite.length ? await this.withOverrides(mail) : mail;
    if (toUpdate.length) await this.mail.eventUpdate(request, toUpdate);
    if (toInvite.length) await this.mail.eventInvitation(request, toInvite);
  }

  /**
   * A series invitation or update carries its occurrences edited one by one as well (RFC 5546 §3.2.2):
   * a client replaces what it holds of the UID with what the message has, so without them an edited
   * occurrence falls back to the rule's time, or stays keyed to an occurrence id the series no longer
   * has. Read when dispatched: a later edit mails again with a higher SEQUENCE. Cancelled ones are EXDATEs.
   */
  private async withOverrides(mail: EventMail): Promise<EventMail> {
    if (!mail.rrule) return mail;
    const overrides = (await this.events.overridesOf([mail.id])).filter((override) => override.originalStart !== null);
    overrides.sort((a, b) => (a.originalStart as string).localeCompare(b.originalStart as string));
    const cancelled = overrides.filter((override) => override.status === 'cancelled').map((override) => override.originalStart as string);
    const edited: EventMailOverride[] = overrides
      .filter((override) => override.status !== 'cancelled')
      .map((override) => ({
        recurrenceId: override.originalStart as string,
        title: override.title,
        description: override.description,
        location: override.location,
        start: override.startTime,
        end: override.endTime,
        timezone: override.timezone,
        dates: override.isAllDay && override.startDate && override.endDate ? { start: override.startDate, end: override.endDate } : null,
      }));
    return { ...mail, exdates: [...new Set([...(mail.exdates ?? []), ...cancelled])], overrides: edited };
  }

  /** A deleted event: a cancellation to each attendee, one SEQUENCE above the last message. */
  private async deleted(change: Change<EventChangeData>, owner: Owner): Promise<void> {
    const before = change.data.before as EventPayload;
    const guests = guestsOf(owner, before);
    if (!guests.length || before.status === 'cancelled' || before.source === 'booking') return;
    await this.mail.eventCancellation(mailOf(before, owner, guests, before.sequence + 1), guests);
  }

  /** One occurrence edited, put back or cancelled: an update or a cancellation of it to the series' attendees. */
  private async occurrenceChanged(change: Change<EventChangeData>, owner: Owner): Promise<void> {
    const { before, after, series } = change.data;
    if (!series || !before || series.status === 'cancelled' || series.source === 'booking') return;
    const guests = guestsOf(owner, series);
    const wasCancelled = before.status === 'cancelled';
    const cancelled = after === null || after.status === 'cancelled';
    const mailed = cancelled ? !wasCancelled : differs(before, after, OCCURRENCE_FIELDS);
    if (!guests.length || !mailed) return;
    const mail: EventMail = {
      ...mailOf(after ?? before, owner, guests, series.sequence),
      id: series.id,
      icalUid: series.icalUid,
      rrule: null,
      exdates: [],
      recurrenceId: change.occurrenceId,
    };
    if (cancelled) await this.mail.eventCancellation(mail, mail.attendees);
    else await this.mail.eventUpdate(mail, mail.attendees);
  }
}

/** Attendees to mail: everyone but the owner. */
function guestsOf(owner: Owner, event: EventPayload): MailPerson[] {
  const ownerEmail = owner.email.toLowerCase();
  return event.attendees
    .filter((attendee) => attendee.email.toLowerCase() !== ownerEmail)
    .map((attendee) => ({ email: attendee.email, name: attendee.name, response: responseOf(attendee.responseStatus) }));
}

const RESPONSES: readonly string[] = ['needsAction', 'accepted', 'declined', 'tentative'] satisfies IcsResponse[];

function responseOf(status: string): IcsResponse {
  return RESPONSES.includes(status) ? (status as IcsResponse) : 'needsAction';
}

function mailOf(event: EventPayload, owner: Owner, attendees: MailPerson[], sequence: number): EventMail {
  const isSeries = event.recurrence !== null;
  return {
    id: event.id,
    icalUid: event.icalUid,
    ownerUserId: owner.userId,
    sequence,
    title: event.title,
    description: event.description,
    location: event.location,
    start: new Date(event.startTime),
    end: new Date(event.endTime),
    timezone: event.timezone,
    rrule: isSeries ? (event.recurrence?.rule ?? null) : null,
    exdates: isSeries ? (event.recurrence?.exdates ?? []) : [],
    dates: event.isAllDay && event.startDate && event.endDate ? { start: event.startDate, end: event.endDate } : null,
    organizer: { email: owner.email, name: owner.name },
    attendees,
  };
}

function differs(before: EventPayload, after: EventPayload, fields: readonly (keyof EventPayload)[]): boolean {
  return fields.some((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
}

