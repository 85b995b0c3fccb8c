import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { EmailService, type EmailAddress, type QueuedEmail } from './email.service.js';
import { localTimeOn } from './email-format.js';
import type { IcsEvent } from './ics.js';
import { uidOf, type IcsResponse } from '../../engines/ical/calendar-writer.js';

/**
 * The messages Calento sends, as plain-object calls: each picks its template, recipients, ICS and
 * dedupe key, and queues through EmailService.enqueue — so each is safe inside the caller's `db.tx`.
 * Welcome and password reset are wired in auth, bookings in bookings; invitations, updates and
 * cancellations in events (EventNotifier), reminders and daily summaries in the scheduler module.
 */

export interface MailUser {
  id: string;
  email: string;
  name: string;
}

export interface MailPerson extends EmailAddress {
  /** IANA zone the recipient reads times in; the event's zone when absent. */
  timezone?: string | null;
  /** An attendee's answer so far, written as their PARTSTAT in the ICS. */
  response?: IcsResponse | null;
}

export interface EventMail {
  id: string;
  /** The event's own UID when it came from an import. */
  icalUid?: string | null;
  /** The event owner: the email rows belong to them. Null once they deleted their account (the rows are the attendees' alone). */
  ownerUserId: string | null;
  /** Incremented on every change that is mailed (ICS SEQUENCE). */
  sequence: number;
  title: string;
  description?: string | null;
  location?: string | null;
  start: Date;
  end: Date;
  /** The event's IANA zone. */
  timezone: string;
  rrule?: string | null;
  /** A series' cancelled occurrences (occurrence ids). */
  exdates?: string[];
  /** All-day events: their dates (end exclusive). */
  dates?: { start: string; end: string } | null;
  /** A message about one occurrence of the series `id`: its occurrence id. */
  recurrenceId?: string | null;
  /** A series' occurrences edited one by one (not cancelled ones: those are exdates), sent along with it. */
  overrides?: EventMailOverride[];
  organizer: MailPerson;
  attendees: MailPerson[];
}

/** One edited occurrence of a series, as its own VEVENT in the series' messages. */
export interface EventMailOverride {
  /** The occurrence id it replaces (RECURRENCE-ID). */
  recurrenceId: string;
  title: string;
  description?: string | null;
  location?: string | null;
  start: Date;
  end: Date;
  timezone: string;
  dates?: { start: string; end: string } | null;
}

/** A reminder email waiting in the queue, read back from its dedupe key. */
export interface QueuedReminder {
  key: string;
  eventId: string;
  start: Date;
  minutesBefore: number;
  recipient: string;
}

export interface BookingMail {
  id: string;
  /** The host's calendar event: its UID is the invitation's, as in the host's ICS feed. */
  eventId?: string | null;
  /** The UID fixed when the booking was made (the host event's then), kept after that event is deleted. */
  icalUid?: string | null;
  sequence: number;
  title: string;
  start: Date;
  end: Date;
  location?: string | null;
  notes?: string | null;
  /** userId is null once the host deleted their account. */
  host: MailPerson & { userId: string | null; timezone: string };
  booker: MailPerson & { timezone: string };
  /** The booker's link to reschedule or cancel (holds their token: never logged). */
  manageUrl?: string | null;
  /**
   * Where the host's copies go (EmailAddressesService.deliveryAddresses): the account address and verified
   * extra ones; empty sends the host nothing. Absent: the host's address.
   */
  hostAddresses?: string[];
}

export interface SummaryEvent {
  title: string;
  start: Date;
  end: Date;
  /** Shown as all-day: its instants are of its own zone, not the reader's. */
  allDay?: boolean;
  location?: string | null;
}

/**
 * The iCalendar UID of what a message is about is the one the ICS feed and export use (`uidOf`: an
 * imported event keeps its own), so a calendar app that receives both sees one event, not two.
 */
const eventUid = uidOf;

@Injectable()
export class EmailNotifications {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EmailService) private readonly emails: EmailService,
  ) {}

  welcome(user: MailUser): Promise<QueuedEmail | null> {
    return this.emails.enqueue(
      'welcome',
      { email: user.email, name: user.name },
      { name: user.name, appUrl: this.config.appBaseUrl },
      { userId: user.id, dedupeKey: `welcome:${user.id}` },
    );
  }

  /** The token is in the body only until delivery: the stored copy is blanked afterwards. */
  passwordReset(user: MailUser, token: string, ttlMinutes: number): Promise<QueuedEmail | null> {
    return this.emails.enqueue(
      'password_reset',
      { email: user.email, name: user.name },
      {
        name: user.name,
        token,
        ttlMinutes,
        // The browser app's reset page (served at /app/reset-password unless FRONTEND_URL points elsewhere).
        resetUrl: `${this.config.frontendUrl}/reset-password?token=${encodeURIComponent(token)}`,
      },
      { userId: user.id, redactAfterSend: true },
    );
  }

  /** One invitation per attendee (METHOD:REQUEST). */
  eventInvitation(event: EventMail, attendees: MailPerson[] = event.attendees): Promise<QueuedEmail[]> {
    return this.toAttendees('event_invitation', 'REQUEST', event, attendees, 'invitation');
  }

  /** The changed event to each attendee (METHOD:REQUEST, same UID, higher SEQUENCE). */
  eventUpdate(event: EventMail, attendees: MailPerson[] = event.attendees): Promise<QueuedEmail[]> {
    return this.toAttendees('event_update', 'REQUEST', event, attendees, 'update');
  }

  /** Cancellation to each attendee (METHOD:CANCEL); also for attendees removed from an event. */
  eventCancellation(event: EventMail, attendees: MailPerson[] = event.attendees): Promise<QueuedEmail[]> {
    return this.toAttendees('event_cancellation', 'CANCEL', event, attendees, 'cancellation');
  }

  /**
   * A reminder `minutesBefore` the start. The dedupe key names the event, its start and the lead time,
   * so scheduling twice is harmless; cancel it with `cancelEventReminder` when the event moves.
   */
  eventReminder(
    event: Pick<EventMail, 'id' | 'ownerUserId' | 'title' | 'start' | 'end' | 'timezone' | 'location'>,
    recipient: MailPerson & { userId?: string | null },
    minutesBefore: number,
  ): Promise<QueuedEmail | null> {
    return this.emails.enqueue(
      'event_reminder',
      recipient,
      {
        name: recipient.name ?? null,
        title: event.title,
        start: event.start,
        end: event.end,
        timezone: recipient.timezone ?? event.timezone,
        location: event.location ?? null,
        minutesBefore,
      },
      {
        userId: recipient.userId ?? event.ownerUserId,
        sendAt: new Date(event.start.getTime() - minutesBefore * 60_000),
        dedupeKey: reminderKey(event.id, event.start, minutesBefore, recipient.email),
      },
    );
  }

  cancelEventReminder(eventId: string, start: Date, minutesBefore: number, recipientEmail: string): Promise<number> {
    return this.emails.cancel(reminderKey(eventId, start, minutesBefore, recipientEmail));
  }

  /**
   * The reminders still queued (not sending yet) of one event, or of every event when `eventId` is
   * null; only those to be sent before `sendBefore`, and only those of `ownerUserId`, when given.
   */
  async queuedEventReminders(eventId: string | null, sendBefore: Date | null = null, ownerUserId: string | null = null): Promise<QueuedReminder[]> {
    const keys = await this.emails.queuedKeys(eventId ? `reminder:${eventId}:` : 'reminder:', sendBefore, ownerUserId);
    return keys.map(parseReminderKey).filter((reminder): reminder is QueuedReminder => reminder !== null);
  }

  /** Confirmation with the invitation to the booker and to the host. */
  async bookingConfirmation(booking: BookingMail): Promise<QueuedEmail[]> {
    const calendar = { method: 'REQUEST' as const, event: this.bookingIcs(booking) };
    const common = { title: booking.title, start: booking.start, end: booking.end, location: booking.location ?? null, notes: booking.notes ?? null };
    const key = `booking:${booking.id}:${booking.sequence}:confirmed`;
    const queued = [
      await this.emails.enqueue(
        'booking_confirmation_booker',
        booking.booker,
        { ...common, bookerName: nameOf(booking.booker), hostName: nameOf(booking.host), timezone: booking.booker.timezone, manageUrl: booking.manageUrl ?? null },
        { userId: booking.host.userId, calendar, dedupeKey: `${key}:booker` },
      ),
    ];
    for (const { to, suffix } of hostCopies(booking)) {
      queued.push(
        await this.emails.enqueue(
          'booking_confirmation_host',
          to,
          { ...common, hostName: nameOf(booking.host), bookerName: nameOf(booking.booker), bookerEmail: booking.booker.email, timezone: booking.host.timezone },
          { userId: booking.host.userId, calendar, dedupeKey: `${key}:${suffix}` },
        ),
      );
    }
    return compact(queued);
  }

  /** Cancellation (METHOD:CANCEL) to both sides. */
  async bookingCancellation(booking: BookingMail, cancelledBy: 'host' | 'booker', reason?: string | null): Promise<QueuedEmail[]> {
    const calendar = { method: 'CANCEL' as const, event: this.bookingIcs(booking) };
    const cancelledByName = nameOf(cancelledBy === 'host' ? booking.host : booking.booker);
    const key = `booking:${booking.id}:${booking.sequence}:cancelled`;
    const sides = [
      { person: booking.booker, other: booking.host, role: 'booker' },
      ...hostCopies(booking).map(({ to, suffix }) => ({ person: { ...booking.host, ...to }, other: booking.booker, role: suffix })),
    ];
    const queued: (QueuedEmail | null)[] = [];
    for (const side of sides) {
      queued.push(
        await this.emails.enqueue(
          'booking_cancellation',
          side.person,
          {
            recipientName: nameOf(side.person),
            otherPartyName: nameOf(side.other),
            cancelledByName,
            title: booking.title,
            start: booking.start,
            end: booking.end,
            timezone: side.person.timezone,
            reason: reason ?? null,
          },
          { userId: booking.host.userId, calendar, dedupeKey: `${key}:${side.role}` },
        ),
      );
    }
    return compact(queued);
  }

  /** The moved booking (METHOD:REQUEST, same UID, higher SEQUENCE) to both sides. */
  async bookingReschedule(booking: BookingMail, previous: { start: Date; end: Date }): Promise<QueuedEmail[]> {
    const calendar = { method: 'REQUEST' as const, event: this.bookingIcs(booking) };
    const key = `booking:${booking.id}:${booking.sequence}:rescheduled`;
    const sides = [
      { person: booking.booker, other: booking.host, role: 'booker', manageUrl: booking.manageUrl ?? null },
      ...hostCopies(booking).map(({ to, suffix }) => ({ person: { ...booking.host, ...to }, other: booking.booker, role: suffix, manageUrl: null })),
    ];
    const queued: (QueuedEmail | null)[] = [];
    for (const side of sides) {
      queued.push(
        await this.emails.enqueue(
          'booking_reschedule',
          side.person,
          {
            recipientName: nameOf(side.person),
            otherPartyName: nameOf(side.other),
            title: booking.title,
            start: booking.start,
            end: booking.end,
            previousStart: previous.start,
            previousEnd: previous.end,
            timezone: side.person.timezone,
            manageUrl: side.manageUrl,
          },
          { userId: booking.host.userId, calendar, dedupeKey: `${key}:${side.role}` },
        ),
      );
    }
    return compact(queued);
  }

  /**
   * The opt-in daily summary for one local day, sent at 07:00 in the user's zone (`nextLocalTime` in
   * email-format.ts finds the next one). One per user and day, however often a scheduler asks.
   */
  dailySummary(
    user: MailUser & { timezone: string },
    localDate: string,
    events: SummaryEvent[],
    to: string = user.email,
  ): Promise<QueuedEmail | null> {
    const sendAt = localTimeOn(localDate, user.timezone, 7);
    const extra = to.toLowerCase() === user.email.toLowerCase() ? '' : `:${to.toLowerCase()}`;
    return this.emails.enqueue(
      'daily_summary',
      { email: to, name: user.name },
      {
        name: user.name,
        day: sendAt,
        timezone: user.timezone,
        count: events.length,
        events: events.map((event) => ({ title: event.title, start: event.start, end: event.end, allDay: event.allDay ?? false, location: event.location ?? null })),
        appUrl: this.config.appBaseUrl,
      },
      { userId: user.id, sendAt, dedupeKey: `daily-summary:${user.id}:${localDate}${extra}` },
    );
  }

  private async toAttendees(
    template: 'event_invitation' | 'event_update' | 'event_cancellation',
    method: 'REQUEST' | 'CANCEL',
    event: EventMail,
    attendees: MailPerson[],
    label: string,
  ): Promise<QueuedEmail[]> {
    const calendar = { method, event: this.eventIcs(event) };
    const queued: (QueuedEmail | null)[] = [];
    for (const attendee of attendees) {
      queued.push(
        await this.emails.enqueue(
          template,
          attendee,
          {
            recipientName: attendee.name ?? null,
            organizerName: nameOf(event.organizer),
            title: event.title,
            start: event.start,
            end: event.end,
            timezone: attendee.timezone ?? event.timezone,
            location: event.location ?? null,
            description: event.description ?? null,
          },
          {
            userId: event.ownerUserId,
            calendar,
            dedupeKey: `event:${event.id}:${event.sequence}:${label}:${attendee.email.toLowerCase()}`,
          },
        ),
      );
    }
    return compact(queued);
  }

  private eventIcs(event: EventMail): IcsEvent {
    return {
      uid: eventUid(event),
      sequence: event.sequence,
      start: event.start,
      end: event.end,
      summary: event.title,
      description: event.description ?? null,
      location: event.location ?? null,
      rrule: event.rrule ?? null,
      exdates: event.exdates ?? [],
      dates: event.dates ?? null,
      recurrenceId: event.recurrenceId ?? null,
      timezone: event.timezone,
      overrides: (event.overrides ?? []).map((override) => ({
        recurrenceId: override.recurrenceId,
        start: override.start,
        end: override.end,
        summary: override.title,
        description: override.description ?? null,
        location: override.location ?? null,
        timezone: override.timezone,
        dates: override.dates ?? null,
      })),
      organizer: event.organizer,
      attendees: event.attendees,
    };
  }

  private bookingIcs(booking: BookingMail): IcsEvent {
    return {
      uid: booking.icalUid ?? (booking.eventId ? eventUid({ id: booking.eventId }) : `booking-${booking.id}@calento`),
      sequence: booking.sequence,
      start: booking.start,
      end: booking.end,
      summary: booking.title,
      description: booking.notes ?? null,
      location: booking.location ?? null,
      organizer: booking.host,
      // The booker chose the time: they have accepted, and a calendar app should not ask them to reply.
      attendees: [{ ...booking.booker, response: 'accepted' }],
    };
  }
}

/**
 * The host's copies of a booking message: one per delivery address; the account address keeps the
 * `host` dedupe suffix, each extra one gets `host:<address>`.
 */
function hostCopies(booking: BookingMail): Array<{ to: EmailAddress; suffix: string }> {
  const account = booking.host.email.toLowerCase();
  const addresses = booking.hostAddresses ?? [account];
  return addresses.map((address) => ({
    to: { email: address, name: booking.host.name ?? null },
    suffix: address.toLowerCase() === account ? 'host' : `host:${address.toLowerCase()}`,
  }));
}

function nameOf(person: EmailAddress): string {
  return person.name?.trim() || person.email;
}

export function reminderKey(eventId: string, start: Date, minutesBefore: number, email: string): string {
  return `reminder:${eventId}:${start.toISOString()}:${minutesBefore}:${email.toLowerCase()}`;
}

function parseReminderKey(key: string): QueuedReminder | null {
  const match = /^reminder:([^:]+):(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z):(\d+):(.+)$/.exec(key);
  if (!match) return null;
  return { key, eventId: match[1], start: new Date(match[2]), minutesBefore: Number(match[3]), recipient: match[4] };
}

function compact<T>(values: (T | null)[]): T[] {
  return values.filter((value): value is T => value !== null);
}
