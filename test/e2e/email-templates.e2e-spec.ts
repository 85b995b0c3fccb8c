import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DateTime } from 'luxon';
import { EmailNotifications, type BookingMail, type EventMail } from '../../src/modules/email/email-notifications.js';
import { EmailRenderer, TemplateVariablesError } from '../../src/modules/email/email-renderer.js';
import { EmailService } from '../../src/modules/email/email.service.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { SmtpSink, type ReceivedMail } from '../setup/smtp-sink.js';
import { inviteOf } from '../setup/ics.js';
import { registerUser, uniqueEmail, type TestUser } from '../factories/users.js';
import { eventually } from '../setup/wait.js';

/**
 * The event, booking, reminder and summary messages, rendered from their seeded templates and sent to
 * a real SMTP server; their invitations are read back with ical.js. Callers are plain objects: the
 * events and bookings modules wire these helpers later.
 */
let t: TestApp;
let sink: SmtpSink;
let owner: TestUser;
let notifications: EmailNotifications;

beforeAll(async () => {
  sink = await SmtpSink.start();
  t = await createTestApp({ SMTP_URL: sink.url, JOB_POLL_INTERVAL_MS: '25' });
  notifications = t.app.get(EmailNotifications);
  owner = await registerUser(t.http, { name: 'Ada Lovelace' });
});
afterAll(async () => {
  await t?.close();
  await sink?.stop();
});

const mailTo = (address: string, subject?: RegExp): Promise<ReceivedMail> =>
  eventually(
    () => sink.to(address).find((mail) => !subject || subject.test(mail.parsed.subject ?? '')),
    10_000,
    `an email to ${address}`,
  );

function event(overrides: Partial<EventMail> = {}): EventMail {
  const id = crypto.randomUUID();
  return {
    id,
    ownerUserId: owner.id,
    sequence: 0,
    title: 'Board <b>meeting</b> & "review"',
    description: 'Agenda:\n1. <img src=x onerror=alert(1)>\n2. Budget',
    location: 'Room 1, Floor 2; East wing',
    start: new Date('2026-03-03T08:00:00Z'),
    end: new Date('2026-03-03T09:00:00Z'),
    timezone: 'Europe/Berlin',
    organizer: { email: owner.email, name: 'Ada Lovelace' },
    attendees: [
      { email: uniqueEmail('bob'), name: 'Bob', timezone: 'America/New_York' },
      { email: uniqueEmail('carol'), name: null },
    ],
    ...overrides,
  };
}

describe('event invitations', () => {
  it('sends each attendee an invitation with METHOD:REQUEST, in their zone, user text escaped', async () => {
    const meeting = event();
    const [bob, carol] = meeting.attendees;
    const queued = await t.db.tx(() => notifications.eventInvitation(meeting));
    expect(queued).toHaveLength(2);

    const mail = await mailTo(bob.email);
    expect(mail.parsed.subject).toBe('Invitation: Board <b>meeting</b> & "review" @ Tue 3 Mar 2026, 03:00 (America/New_York)');
    expect(mail.parsed.text).toContain('Hi Bob,');
    expect(mail.parsed.text).toContain('Ada Lovelace invites you to:');
    expect(mail.parsed.text).toContain('When: Tue 3 Mar 2026, 03:00–04:00 (America/New_York)');
    expect(mail.parsed.text).toContain('Where: Room 1, Floor 2; East wing');
    const html = mail.parsed.html as string;
    expect(html).toContain('<h2>Board &lt;b&gt;meeting&lt;/b&gt; &amp; &quot;review&quot;</h2>');
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(html).not.toMatch(/<img|<b>meeting/);

    const { contentType, invite, attachmentCount } = inviteOf(mail);
    expect(contentType).toBe('text/calendar; method=REQUEST');
    expect(attachmentCount).toBe(2); // the text/calendar alternative and an invite.ics attachment
    expect(invite).toMatchObject({
      method: 'REQUEST',
      uid: `${meeting.id}@calento`,
      sequence: 0,
      status: 'CONFIRMED',
      summary: meeting.title,
      description: meeting.description,
      location: meeting.location,
      organizer: `mailto:${owner.email}`,
    });
    expect(invite.start.toISOString()).toBe('2026-03-03T08:00:00.000Z');
    expect(invite.end.toISOString()).toBe('2026-03-03T09:00:00.000Z');
    expect(invite.attendees).toEqual([`mailto:${bob.email}`, `mailto:${carol.email}`]);

    const carols = await mailTo(carol.email);
    expect(carols.parsed.subject).toContain('@ Tue 3 Mar 2026, 09:00 (Europe/Berlin)'); // the event's zone
    expect(carols.parsed.text).not.toContain('Hi ');

    // The owner sees both, marked as calendar invitations.
    const listed = await request(t.http).get('/api/v1/notifications/emails?limit=200').set(owner.auth).expect(200);
    const mine = listed.body.data.filter((e: { templateKey: string }) => e.templateKey === 'event_invitation');
    expect(mine.map((e: { recipient: string; calendarMethod: string }) => [e.recipient, e.calendarMethod]).sort()).toEqual(
      [[bob.email, 'REQUEST'], [carol.email, 'REQUEST']].sort(),
    );
  });

  it('does not invite twice for the same version of the event', async () => {
    const meeting = event({ attendees: [{ email: uniqueEmail('once') }] });
    expect(await notifications.eventInvitation(meeting)).toHaveLength(1);
    expect(await notifications.eventInvitation(meeting)).toHaveLength(0);
  });

  it('sends an update with the same UID and a higher SEQUENCE, and a recurring rule', async () => {
    const meeting = event({ sequence: 3, rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=5', start: new Date('2026-03-10T10:00:00Z'), end: new Date('2026-03-10T10:30:00Z') });
    await notifications.eventUpdate(meeting, [meeting.attendees[1]]);
    const mail = await mailTo(meeting.attendees[1].email);
    expect(mail.parsed.subject).toBe('Updated: Board <b>meeting</b> & "review" @ Tue 10 Mar 2026, 11:00 (Europe/Berlin)');
    expect(mail.parsed.text).toContain('Ada Lovelace changed this event:');
    const { invite } = inviteOf(mail);
    expect(invite).toMatchObject({ method: 'REQUEST', uid: `${meeting.id}@calento`, sequence: 3 });
    expect(invite.rrule).toMatch(/FREQ=WEEKLY/);
    expect(invite.rrule).toMatch(/BYDAY=TU/);
  });

  it('cancels with METHOD:CANCEL and STATUS:CANCELLED', async () => {
    const meeting = event({ sequence: 4 });
    await notifications.eventCancellation(meeting);
    const mail = await mailTo(meeting.attendees[0].email);
    expect(mail.parsed.subject).toBe('Cancelled: Board <b>meeting</b> & "review" @ Tue 3 Mar 2026, 03:00 (America/New_York)');
    expect(mail.parsed.text).toContain('Ada Lovelace cancelled this event:');
    expect(mail.parsed.html).toContain('<s>Tue 3 Mar 2026, 03:00–04:00 (America/New_York)</s>');
    const { contentType, invite } = inviteOf(mail);
    expect(contentType).toBe('text/calendar; method=CANCEL');
    expect(invite).toMatchObject({ method: 'CANCEL', status: 'CANCELLED', uid: `${meeting.id}@calento`, sequence: 4 });
  });
});

describe('event reminders', () => {
  it('sends a due reminder with the lead time, no invitation attached', async () => {
    const to = uniqueEmail('remind');
    const start = new Date(Date.now() + 2 * 60_000);
    await notifications.eventReminder({ ...event(), start, end: new Date(start.getTime() + 30 * 60_000), timezone: 'UTC' }, { email: to, name: 'Rita' }, 5);
    const mail = await mailTo(to);
    expect(mail.parsed.subject).toBe(`Reminder: Board <b>meeting</b> & "review" at ${DateTime.fromJSDate(start, { zone: 'UTC' }).toFormat('HH:mm')}`);
    expect(mail.parsed.text).toContain('Board <b>meeting</b> & "review" starts in 5 minutes.');
    expect(mail.parsed.html).toContain('<strong>Board &lt;b&gt;meeting&lt;/b&gt; &amp; &quot;review&quot;</strong> starts in 5 minutes.');
    expect(mail.parsed.attachments).toHaveLength(0);
  });

  it('schedules a future reminder at start minus lead time, and can cancel it', async () => {
    const to = uniqueEmail('later');
    const meeting = event({ start: new Date(Date.now() + 2 * 86_400_000), end: new Date(Date.now() + 2 * 86_400_000 + 3_600_000) });
    const queued = await notifications.eventReminder(meeting, { email: to }, 90);
    expect(queued).not.toBeNull();
    expect(await notifications.eventReminder(meeting, { email: to }, 90)).toBeNull(); // same reminder again
    const { rows } = await t.db.query<{ status: string; scheduled_at: Date }>('SELECT status, scheduled_at FROM email_queue WHERE recipient = $1', [to]);
    expect(rows).toEqual([{ status: 'queued', scheduled_at: new Date(meeting.start.getTime() - 90 * 60_000) }]);
    expect(await notifications.cancelEventReminder(meeting.id, meeting.start, 90, to)).toBe(1);
    const after = await t.db.query<{ status: string }>('SELECT status FROM email_queue WHERE recipient = $1', [to]);
    expect(after.rows).toEqual([{ status: 'cancelled' }]);
    // The event moved: a reminder for the new time can be scheduled.
    expect(await notifications.eventReminder({ ...meeting, start: new Date(meeting.start.getTime() + 3_600_000) }, { email: to }, 90)).not.toBeNull();
  });
});

describe('booking emails', () => {
  function booking(overrides: Partial<BookingMail> = {}): BookingMail {
    return {
      id: crypto.randomUUID(),
      sequence: 0,
      title: 'Intro call',
      start: new Date('2026-06-01T09:00:00Z'),
      end: new Date('2026-06-01T09:30:00Z'),
      location: 'https://meet.example.com/abc',
      notes: 'About <the> "plan" & more',
      host: { userId: owner.id, email: uniqueEmail('host'), name: 'Hana Host', timezone: 'Asia/Tokyo' },
      booker: { email: uniqueEmail('booker'), name: 'Bea Booker', timezone: 'Europe/London' },
      manageUrl: 'http://calento.test/bookings/manage/secret-token',
      ...overrides,
    };
  }

  it('confirms to the booker and the host, each in their zone, with the invitation', async () => {
    const b = booking();
    expect(await t.db.tx(() => notifications.bookingConfirmation(b))).toHaveLength(2);
    const toBooker = await mailTo(b.booker.email);
    const toHost = await mailTo(b.host.email);
    expect(toBooker.parsed.subject).toBe('Confirmed: Intro call with Hana Host');
    expect(toBooker.parsed.text).toContain('When: Mon 1 Jun 2026, 10:00–10:30 (Europe/London)');
    expect(toBooker.parsed.text).toContain('Reschedule or cancel: http://calento.test/bookings/manage/secret-token');
    expect(toBooker.parsed.text).toContain('Your notes: About <the> "plan" & more');
    expect(toBooker.parsed.html).toContain('About &lt;the&gt; &quot;plan&quot; &amp; more');
    expect(toHost.parsed.subject).toBe('New booking: Intro call with Bea Booker');
    expect(toHost.parsed.text).toContain('When: Mon 1 Jun 2026, 18:00–18:30 (Asia/Tokyo)');
    expect(toHost.parsed.text).toContain(`Bea Booker <${b.booker.email}> booked time with you.`);
    expect(toHost.parsed.text).not.toContain('secret-token');
    for (const mail of [toBooker, toHost]) {
      expect(mail.parsed.text && mail.parsed.html).toBeTruthy();
      const { invite } = inviteOf(mail);
      expect(invite).toMatchObject({ method: 'REQUEST', uid: `booking-${b.id}@calento`, sequence: 0, summary: 'Intro call', location: b.location });
      expect(invite.organizer).toBe(`mailto:${b.host.email}`);
      expect(invite.attendees).toEqual([`mailto:${b.booker.email}`]);
    }
  });

  it('sends the cancellation to both sides with METHOD:CANCEL', async () => {
    const b = booking({ sequence: 1 });
    await notifications.bookingCancellation(b, 'booker', 'Something came up');
    for (const [address, other] of [[b.booker.email, 'Hana Host'], [b.host.email, 'Bea Booker']]) {
      const mail = await mailTo(address);
      expect(mail.parsed.subject).toBe(`Cancelled: Intro call with ${other}`);
      expect(mail.parsed.text).toContain('Bea Booker cancelled this booking:');
      expect(mail.parsed.text).toContain('Reason: Something came up');
      expect(inviteOf(mail).invite).toMatchObject({ method: 'CANCEL', status: 'CANCELLED', uid: `booking-${b.id}@calento`, sequence: 1 });
    }
  });

  it('sends the new time to both sides with the same UID and a higher SEQUENCE', async () => {
    const b = booking({ sequence: 2, start: new Date('2026-06-02T13:00:00Z'), end: new Date('2026-06-02T13:30:00Z') });
    await notifications.bookingReschedule(b, { start: new Date('2026-06-01T09:00:00Z'), end: new Date('2026-06-01T09:30:00Z') });
    const mail = await mailTo(b.booker.email);
    expect(mail.parsed.subject).toBe('Rescheduled: Intro call with Hana Host');
    expect(mail.parsed.text).toContain('Now: Tue 2 Jun 2026, 14:00–14:30 (Europe/London)');
    expect(mail.parsed.text).toContain('Was: Mon 1 Jun 2026, 10:00–10:30 (Europe/London)');
    const { invite } = inviteOf(mail);
    expect(invite).toMatchObject({ method: 'REQUEST', uid: `booking-${b.id}@calento`, sequence: 2 });
    expect(invite.start.toISOString()).toBe('2026-06-02T13:00:00.000Z');
    const hostMail = await mailTo(b.host.email);
    expect(hostMail.parsed.text).not.toContain('Reschedule or cancel');
  });
});

describe('daily summary', () => {
  const zone = 'Europe/Berlin';

  it('lists the day in the user zone, once per day', async () => {
    const user = { id: owner.id, email: uniqueEmail('summary'), name: 'Sam', timezone: zone };
    const today = DateTime.now().setZone(zone).minus({ days: 1 }).toISODate() as string; // 07:00 has passed: due now
    const dayStart = DateTime.fromISO(today, { zone });
    const events = [
      { title: 'Standup', start: dayStart.set({ hour: 9 }).toJSDate(), end: dayStart.set({ hour: 9, minute: 15 }).toJSDate() },
      { title: 'Lunch <with> team', start: dayStart.set({ hour: 12 }).toJSDate(), end: dayStart.set({ hour: 13 }).toJSDate(), location: 'Canteen' },
    ];
    expect(await notifications.dailySummary(user, today, events)).not.toBeNull();
    expect(await notifications.dailySummary(user, today, events)).toBeNull();
    const mail = await mailTo(user.email);
    expect(mail.parsed.subject).toBe(`Your day, ${dayStart.toFormat('cccc d LLLL yyyy')}: 2 events`);
    expect(mail.parsed.text).toContain(`- ${dayStart.toFormat('ccc d LLL yyyy')}, 09:00–09:15 (Europe/Berlin)  Standup`);
    expect(mail.parsed.text).toContain('Lunch <with> team (Canteen)');
    expect(mail.parsed.html).toContain('Lunch &lt;with&gt; team (Canteen)');
  });

  it('is scheduled for 07:00 local time, across daylight saving changes', async () => {
    const user = { id: owner.id, email: uniqueEmail('future-summary'), name: 'Sam', timezone: zone };
    await notifications.dailySummary(user, '2030-01-15', []);
    await notifications.dailySummary(user, '2030-07-15', []);
    const { rows } = await t.db.query<{ scheduled_at: Date; status: string }>(
      'SELECT scheduled_at, status FROM email_queue WHERE recipient = $1 ORDER BY scheduled_at',
      [user.email],
    );
    expect(rows.map((row) => row.scheduled_at.toISOString())).toEqual(['2030-01-15T06:00:00.000Z', '2030-07-15T05:00:00.000Z']);
    expect(rows.every((row) => row.status === 'queued')).toBe(true);
  });

  it('says so when the day is empty', async () => {
    const user = { id: owner.id, email: uniqueEmail('empty'), name: 'Sam', timezone: zone };
    // Another day than the test above: one summary per user and day.
    const yesterday = DateTime.now().setZone(zone).minus({ days: 2 }).toISODate() as string;
    expect(await notifications.dailySummary(user, yesterday, [])).not.toBeNull();
    const mail = await mailTo(user.email);
    expect(mail.parsed.subject).toMatch(/: 0 events$/);
    expect(mail.parsed.text).toContain('Nothing on your calendar today.');
  });
});

describe('rendering', () => {
  it('refuses a missing required variable before anything is queued', async () => {
    const to = uniqueEmail('incomplete');
    await expect(t.app.get(EmailService).enqueue('welcome', to, { name: 'No link' })).rejects.toThrow(TemplateVariablesError);
    await expect(t.app.get(EmailService).enqueue('no_such_template', to, {})).rejects.toThrow(/Unknown email template/);
    const { rows } = await t.db.query('SELECT 1 FROM email_queue WHERE recipient = $1', [to]);
    expect(rows).toHaveLength(0);
  });

  it('keeps a subject on one line whatever a variable holds', async () => {
    const rendered = await t.app.get(EmailRenderer).render('welcome', { name: 'Eve\r\nBcc: victim@example.com', appUrl: 'http://x' });
    expect(rendered.subject).toBe('Welcome to Calento, Eve Bcc: victim@example.com');
    expect(rendered.html).toMatch(/^<!doctype html>/);
    expect(rendered.text.endsWith('-- \nSent by Calento.\n')).toBe(true);
  });

  it('queues a recipient whose name holds a line break with the name on one line, never a forged header', async () => {
    const to = uniqueEmail('two-lines');
    const queued = await t.app.get(EmailService).enqueue('welcome', { email: to, name: 'Eve\r\nBcc: victim@example.com\u2028' }, { name: 'x', appUrl: 'http://x' });
    expect(queued).not.toBeNull();
    const { rows } = await t.db.query<{ recipient_name: string }>('SELECT recipient_name FROM email_queue WHERE recipient = $1', [to]);
    expect(rows).toEqual([{ recipient_name: 'Eve Bcc: victim@example.com' }]);
  });

  it('refuses a recipient that is not one address', async () => {
    await expect(t.app.get(EmailService).enqueue('welcome', 'a@example.com, b@example.com', { name: 'x', appUrl: 'http://x' })).rejects.toThrow(/single address/);
  });
});
