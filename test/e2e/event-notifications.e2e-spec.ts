import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import request from 'supertest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { SmtpSink, type ReceivedMail } from '../setup/smtp-sink.js';
import { inviteOf } from '../setup/ics.js';
import { registerUser, uniqueEmail, type TestUser } from '../factories/users.js';
import { settleChanges } from '../setup/changes.js';
import { eventually, sleep } from '../setup/wait.js';

let t: TestApp;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await SmtpSink.start();
  t = await createTestApp({ SMTP_URL: sink.url, MAIL_FROM: 'Calento <no-reply@calento.test>', JOB_POLL_INTERVAL_MS: '25' });
});
afterAll(async () => {
  await t?.close();
  await sink?.stop();
});

const api = () => request(t.http);

/** The `count`-th message to `address` (1-based), once it arrived. */
async function nth(address: string, count: number): Promise<ReceivedMail> {
  const mails = await eventually(() => (sink.to(address).length >= count ? sink.to(address) : undefined), 10_000, `${count} mails to ${address}`);
  return mails[count - 1];
}

/** Email rows queued for an event's attendees (templates event_*), by recipient. */
async function queuedFor(recipients: string[]): Promise<Array<{ recipient: string; template_key: string; ics_method: string | null }>> {
  const { rows } = await t.db.query<{ recipient: string; template_key: string; ics_method: string | null }>(
    `SELECT recipient, template_key, ics_method FROM email_queue
     WHERE recipient = ANY($1) AND template_key LIKE 'event\\_%' ORDER BY created_at, recipient`,
    [recipients],
  );
  return rows;
}

function recurrenceIdOf(mail: ReceivedMail): string | null {
  const part = mail.parsed.attachments.find((attachment) => attachment.contentType === 'text/calendar');
  const vevent = new ICAL.Component(ICAL.parse(part!.content.toString('utf8'))).getFirstSubcomponent('vevent')!;
  const value = vevent.getFirstPropertyValue('recurrence-id') as ICAL.Time | null;
  return value ? value.toJSDate().toISOString() : null;
}

async function createEvent(owner: TestUser, body: Record<string, unknown>): Promise<string> {
  const res = await api()
    .post('/api/v1/events')
    .set(owner.auth)
    .send({ title: 'Planning', startTime: '2030-05-06T09:00:00Z', endTime: '2030-05-06T10:00:00Z', ...body })
    .expect(201);
  return res.body.id;
}

describe('invitations', () => {
  it('invite each new attendee with METHOD:REQUEST, in the transaction of the change, never the owner', async () => {
    const owner = await registerUser(t.http, { name: 'Olive Owner' });
    const ann = uniqueEmail('ann');
    const bob = uniqueEmail('bob');
    const id = await createEvent(owner, {
      location: 'Room 4',
      attendees: [{ email: ann, name: 'Ann' }, { email: bob }, { email: owner.email.toUpperCase() }],
    });

    for (const address of [ann, bob]) {
      const mail = await nth(address, 1);
      expect(mail.parsed.subject).toBe('Invitation: Planning @ Mon 6 May 2030, 09:00 (UTC)');
      expect(mail.parsed.from?.value).toEqual([{ name: 'Calento', address: 'no-reply@calento.test' }]);
      const { contentType, invite } = inviteOf(mail);
      expect(contentType).toBe('text/calendar; method=REQUEST');
      expect(invite).toMatchObject({
        method: 'REQUEST',
        uid: `${id}@calento`,
        sequence: 0,
        summary: 'Planning',
        location: 'Room 4',
        start: new Date('2030-05-06T09:00:00Z'),
        end: new Date('2030-05-06T10:00:00Z'),
        organizer: `mailto:${owner.email}`,
      });
      expect(invite.attendees.sort()).toEqual([`mailto:${ann}`, `mailto:${bob}`].sort());
    }
    await settleChanges(t.app);
    await sleep(200);
    expect(sink.to(owner.email).filter((mail) => mail.parsed.subject?.startsWith('Invitation'))).toHaveLength(0);
    // The owner sees them in their notifications.
    const mine = await api().get('/api/v1/notifications/emails').set(owner.auth).expect(200);
    const invitations = mine.body.data.filter((email: { templateKey: string }) => email.templateKey === 'event_invitation');
    expect(invitations.map((email: { recipient: string }) => email.recipient).sort()).toEqual([ann, bob].sort());
  });

  it('queues nothing when the change rolls back', async () => {
    const owner = await registerUser(t.http);
    const other = await registerUser(t.http);
    const tag = await api().post('/api/v1/tags').set(other.auth).send({ name: 'not yours' }).expect(201);
    const guest = uniqueEmail('rolled-back');
    const res = await api()
      .post('/api/v1/events')
      .set(owner.auth)
      .send({ title: 'Nope', startTime: '2030-05-06T09:00:00Z', endTime: '2030-05-06T10:00:00Z', attendees: [{ email: guest }], tagIds: [tag.body.id] });
    expect(res.status).toBe(400);
    await settleChanges(t.app);
    expect(await queuedFor([guest])).toEqual([]);
  });

  it('invites attendees added later, and only them', async () => {
    const owner = await registerUser(t.http);
    const first = uniqueEmail('first');
    const later = uniqueEmail('later');
    const id = await createEvent(owner, { attendees: [{ email: first }] });
    await nth(first, 1);
    await api().patch(`/api/v1/events/${id}`).set(owner.auth).send({ attendees: [{ email: first }, { email: later }] }).expect(200);
    const { invite } = inviteOf(await nth(later, 1));
    expect(invite).toMatchObject({ method: 'REQUEST', uid: `${id}@calento` });
    expect(invite.sequence).toBeGreaterThan(0);
    await settleChanges(t.app);
    await sleep(200);
    expect(sink.to(first)).toHaveLength(1);
  });
});

describe('updates and cancellations', () => {
  it('mails an update with a higher SEQUENCE after a time change', async () => {
    const owner = await registerUser(t.http);
    const guest = uniqueEmail('guest');
    const id = await createEvent(owner, { attendees: [{ email: guest }] });
    const invitation = inviteOf(await nth(guest, 1)).invite;

    await api()
      .patch(`/api/v1/events/${id}`)
      .set(owner.auth)
      .send({ startTime: '2030-05-06T11:00:00Z', endTime: '2030-05-06T12:30:00Z' })
      .expect(200);
    const mail = await nth(guest, 2);
    expect(mail.parsed.subject).toBe('Updated: Planning @ Mon 6 May 2030, 11:00 (UTC)');
    const { contentType, invite } = inviteOf(mail);
    expect(contentType).toBe('text/calendar; method=REQUEST');
    expect(invite).toMatchObject({ uid: invitation.uid, start: new Date('2030-05-06T11:00:00Z'), end: new Date('2030-05-06T12:30:00Z') });
    expect(invite.sequence).toBeGreaterThan(invitation.sequence);

    await api().patch(`/api/v1/events/${id}`).set(owner.auth).send({ title: 'Planning (moved)' }).expect(200);
    const renamed = inviteOf(await nth(guest, 3)).invite;
    expect(renamed.summary).toBe('Planning (moved)');
    expect(renamed.sequence).toBeGreaterThan(invite.sequence);
  });

  it("writes each attendee's answer in an update, and asks for a reply only from those who have not answered", async () => {
    const owner = await registerUser(t.http);
    const invitee = await registerUser(t.http);
    const guest = uniqueEmail('unanswered');
    const id = await createEvent(owner, { attendees: [{ email: invitee.email }, { email: guest }] });
    await nth(guest, 1);
    await api().post(`/api/v1/events/${id}/rsvp`).set(invitee.auth).send({ response: 'accepted' }).expect(200);
    await api().patch(`/api/v1/events/${id}`).set(owner.auth).send({ title: 'Planning (renamed)' }).expect(200);
    const update = await eventually(
      () => sink.to(invitee.email).find((mail) => mail.parsed.subject?.startsWith('Updated:')),
      10_000,
      'the update to the invitee',
    );
    const text = update.parsed.attachments.find((part) => part.contentType === 'text/calendar')!.content.toString('utf8');
    const attendees = text
      .replace(/\r?\n /g, '')
      .split(/\r?\n/)
      .filter((line) => line.startsWith('ATTENDEE'));
    expect(attendees.sort()).toEqual([
      `ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:${invitee.email}`,
      `ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${guest}`,
    ]);
  });

  it('sends nothing for a change attendees do not see: tags, color, reminders, visibility', async () => {
    const owner = await registerUser(t.http);
    const guest = uniqueEmail('quiet');
    const id = await createEvent(owner, { attendees: [{ email: guest }] });
    await nth(guest, 1);
    const tag = await api().post('/api/v1/tags').set(owner.auth).send({ name: 'quiet' }).expect(201);
    await api()
      .patch(`/api/v1/events/${id}`)
      .set(owner.auth)
      .send({ color: '#ff0000', tagIds: [tag.body.id], visibility: 'private', reminders: [{ method: 'popup', minutesBefore: 5 }] })
      .expect(200);
    await api().delete(`/api/v1/events/${id}/tags/${tag.body.id}`).set(owner.auth).expect(204);
    await settleChanges(t.app);
    expect(await queuedFor([guest])).toEqual([{ recipient: guest, template_key: 'event_invitation', ics_method: 'REQUEST' }]);
    await settleChanges(t.app);
    await sleep(300);
    expect(sink.to(guest)).toHaveLength(1);
  });

  it('cancels for a removed attendee (METHOD:CANCEL) while the others hear nothing', async () => {
    const owner = await registerUser(t.http);
    const stays = uniqueEmail('stays');
    const goes = uniqueEmail('goes');
    const id = await createEvent(owner, { attendees: [{ email: stays }, { email: goes }] });
    await nth(goes, 1);
    await api().patch(`/api/v1/events/${id}`).set(owner.auth).send({ attendees: [{ email: stays }] }).expect(200);
    const mail = await nth(goes, 2);
    expect(mail.parsed.subject).toMatch(/^Cancelled: Planning/);
    const { contentType, invite } = inviteOf(mail);
    expect(contentType).toBe('text/calendar; method=CANCEL');
    expect(invite).toMatchObject({ method: 'CANCEL', uid: `${id}@calento`, status: 'CANCELLED' });
    expect(invite.sequence).toBeGreaterThan(0);
    await settleChanges(t.app);
    await sleep(200);
    expect(sink.to(stays)).toHaveLength(1);
  });

  it('cancels for everyone when the event is deleted, or its status becomes cancelled', async () => {
    const owner = await registerUser(t.http);
    const ann = uniqueEmail('ann');
    const bob = uniqueEmail('bob');
    const deleted = await createEvent(owner, { attendees: [{ email: ann }, { email: bob }] });
    await nth(ann, 1);
    await api().delete(`/api/v1/events/${deleted}`).set(owner.auth).expect(204);
    for (const address of [ann, bob]) {
      const { invite } = inviteOf(await nth(address, 2));
      expect(invite).toMatchObject({ method: 'CANCEL', uid: `${deleted}@calento`, sequence: 1 });
    }

    const carol = uniqueEmail('carol');
    const called = await createEvent(owner, { attendees: [{ email: carol }] });
    await nth(carol, 1);
    await api().patch(`/api/v1/events/${called}`).set(owner.auth).send({ status: 'cancelled' }).expect(200);
    expect(inviteOf(await nth(carol, 2)).invite).toMatchObject({ method: 'CANCEL', sequence: 1 });
    // Deleting the already cancelled event sends nothing more.
    await api().delete(`/api/v1/events/${called}`).set(owner.auth).expect(204);
    await settleChanges(t.app);
    await sleep(300);
    expect(sink.to(carol)).toHaveLength(2);
  });
});

describe('series', () => {
  it('writes a series in its own zone, so calendar apps keep it at 09:00 local across DST', async () => {
    const owner = await registerUser(t.http, { timezone: 'America/New_York' });
    const guest = uniqueEmail('dst');
    await createEvent(owner, {
      title: 'Weekly',
      startTime: '2030-02-25T09:00:00-05:00',
      endTime: '2030-02-25T09:30:00-05:00',
      recurrenceRule: 'FREQ=WEEKLY;COUNT=4',
      attendees: [{ email: guest }],
    });
    const text = (await nth(guest, 1)).parsed.attachments.find((a) => a.contentType === 'text/calendar')!.content.toString('utf8');
    expect(text).toContain('DTSTART;TZID=America/New_York:20300225T090000');
    expect(text).toContain('BEGIN:VTIMEZONE');
    // What a client computes: register the message's VTIMEZONE and expand the RRULE (DST starts 10 March 2030).
    const calendar = new ICAL.Component(ICAL.parse(text));
    for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(zone));
    const iterator = new ICAL.Event(calendar.getFirstSubcomponent('vevent')!).iterator();
    const starts: string[] = [];
    for (let next = iterator.next(); next; next = iterator.next()) starts.push(next.toJSDate().toISOString());
    expect(starts).toEqual(['2030-02-25T14:00:00.000Z', '2030-03-04T14:00:00.000Z', '2030-03-11T13:00:00.000Z', '2030-03-18T13:00:00.000Z']);
  });

  it("mails an update when only a timed series' zone changes, which moves its occurrences across DST", async () => {
    const owner = await registerUser(t.http, { timezone: 'America/New_York' });
    const guest = uniqueEmail('zone');
    const id = await createEvent(owner, {
      title: 'Weekly',
      startTime: '2030-03-04T09:00:00-05:00',
      endTime: '2030-03-04T09:30:00-05:00',
      timezone: 'America/New_York',
      recurrenceRule: 'FREQ=WEEKLY;COUNT=4',
      attendees: [{ email: guest }],
    });
    const invitation = inviteOf(await nth(guest, 1)).invite;
    await api().patch(`/api/v1/events/${id}`).set(owner.auth).send({ timezone: 'Europe/London' }).expect(200);
    const update = await nth(guest, 2);
    const text = update.parsed.attachments.find((part) => part.contentType === 'text/calendar')!.content.toString('utf8');
    expect(text).toContain('DTSTART;TZID=Europe/London:');
    expect(inviteOf(update).invite.sequence).toBeGreaterThan(invitation.sequence);
  });

  it('invites to the series with its RRULE, and mails one occurrence with its RECURRENCE-ID', async () => {
    const owner = await registerUser(t.http);
    const guest = uniqueEmail('series');
    const id = await createEvent(owner, {
      title: 'Standup',
      startTime: '2030-06-03T09:00:00Z',
      endTime: '2030-06-03T09:15:00Z',
      recurrenceRule: 'FREQ=DAILY;COUNT=5',
      attendees: [{ email: guest }],
    });
    const series = inviteOf(await nth(guest, 1)).invite;
    expect(series).toMatchObject({ method: 'REQUEST', uid: `${id}@calento`, rrule: 'FREQ=DAILY;COUNT=5' });
    expect(recurrenceIdOf(await nth(guest, 1))).toBeNull();

    // Move one occurrence: an update of that occurrence only.
    await api()
      .put(`/api/v1/events/${id}/occurrences/2030-06-04T09:00:00Z`)
      .set(owner.auth)
      .send({ startTime: '2030-06-04T10:00:00Z', endTime: '2030-06-04T10:15:00Z' })
      .expect(200);
    const moved = await nth(guest, 2);
    expect(inviteOf(moved).invite).toMatchObject({ method: 'REQUEST', uid: series.uid, rrule: null, start: new Date('2030-06-04T10:00:00Z') });
    expect(recurrenceIdOf(moved)).toBe('2030-06-04T09:00:00.000Z');

    // Cancel another: a cancellation of that occurrence.
    await api().delete(`/api/v1/events/${id}/occurrences/2030-06-05T09:00:00Z`).set(owner.auth).expect(204);
    const cancelled = await nth(guest, 3);
    expect(inviteOf(cancelled).invite).toMatchObject({ method: 'CANCEL', uid: series.uid });
    expect(recurrenceIdOf(cancelled)).toBe('2030-06-05T09:00:00.000Z');
    // Cancelling it again (idempotent) mails nothing.
    await api().delete(`/api/v1/events/${id}/occurrences/2030-06-05T09:00:00Z`).set(owner.auth).expect(204);

    // A new series update carries the cancelled occurrence as an EXDATE.
    await api().patch(`/api/v1/events/${id}`).set(owner.auth).send({ title: 'Daily standup' }).expect(200);
    const update = await nth(guest, 4);
    const text = update.parsed.attachments.find((part) => part.contentType === 'text/calendar')!.content.toString('utf8');
    expect(text).toContain('EXDATE:20300605T090000Z');
    expect(inviteOf(update).invite.sequence).toBeGreaterThan(inviteOf(cancelled).invite.sequence);
    await settleChanges(t.app);
    await sleep(300);
    expect(sink.to(guest)).toHaveLength(4);
  });
});

describe('series with edited occurrences', () => {
  /** What a calendar client stores from a message: each VEVENT's RECURRENCE-ID (null: the master) and start. */
  function veventsOf(mail: ReceivedMail): Array<{ recurrenceId: string | null; start: string; rrule: string | null }> {
    const part = mail.parsed.attachments.find((attachment) => attachment.contentType === 'text/calendar');
    const calendar = new ICAL.Component(ICAL.parse(part!.content.toString('utf8')));
    for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(zone));
    return calendar.getAllSubcomponents('vevent').map((vevent) => {
      const recurrenceId = vevent.getFirstPropertyValue('recurrence-id') as ICAL.Time | null;
      const rrule = vevent.getFirstPropertyValue('rrule');
      return {
        recurrenceId: recurrenceId ? recurrenceId.toJSDate().toISOString() : null,
        start: (vevent.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate().toISOString(),
        rrule: rrule ? String(rrule) : null,
      };
    });
  }

  it('carry them as VEVENTs with their RECURRENCE-ID in a whole-series update, and to an attendee invited later', async () => {
    const owner = await registerUser(t.http, { timezone: 'America/New_York' });
    const guest = uniqueEmail('override');
    const id = await createEvent(owner, {
      title: 'Weekly',
      startTime: '2030-03-04T09:00:00-05:00',
      endTime: '2030-03-04T09:30:00-05:00',
      timezone: 'America/New_York',
      recurrenceRule: 'FREQ=WEEKLY;COUNT=4',
      attendees: [{ email: guest }],
    });
    await nth(guest, 1);
    await api()
      .put(`/api/v1/events/${id}/occurrences/2030-03-18T13:00:00Z`)
      .set(owner.auth)
      .send({ startTime: '2030-03-18T10:00:00-04:00', endTime: '2030-03-18T10:30:00-04:00' })
      .expect(200);
    await nth(guest, 2);
    await api().delete(`/api/v1/events/${id}/occurrences/2030-03-25T13:00:00Z`).set(owner.auth).expect(204);
    await nth(guest, 3);

    // The series moves to 09:30: the edited occurrence keeps 10:00, now keyed to its new occurrence id.
    await api()
      .patch(`/api/v1/events/${id}`)
      .set(owner.auth)
      .send({ startTime: '2030-03-04T09:30:00-05:00', endTime: '2030-03-04T10:00:00-05:00' })
      .expect(200);
    const update = await nth(guest, 4);
    expect(veventsOf(update)).toEqual([
      { recurrenceId: null, start: '2030-03-04T14:30:00.000Z', rrule: 'FREQ=WEEKLY;COUNT=4' },
      { recurrenceId: '2030-03-18T13:30:00.000Z', start: '2030-03-18T14:00:00.000Z', rrule: null },
    ]);
    const text = update.parsed.attachments.find((part) => part.contentType === 'text/calendar')!.content.toString('utf8');
    expect(text).toContain('EXDATE;TZID=America/New_York:20300325T093000');

    // Someone invited now gets the series as it is, edited occurrence included.
    const late = uniqueEmail('late');
    await api().patch(`/api/v1/events/${id}`).set(owner.auth).send({ attendees: [{ email: guest }, { email: late }] }).expect(200);
    expect(veventsOf(await nth(late, 1)).map((vevent) => vevent.recurrenceId)).toEqual([null, '2030-03-18T13:30:00.000Z']);
  });
});

describe('booking events', () => {
  it('are mailed by the bookings module only, even when the host edits the event', async () => {
    const host = await registerUser(t.http, { timezone: 'UTC', name: 'Host' });
    const rules = [1, 2, 3, 4, 5].map((dayOfWeek) => ({ dayOfWeek, startTime: '09:00', endTime: '17:00' }));
    await api().put('/api/v1/availability/schedule').set(host.auth).send({ timezone: 'UTC', rules }).expect(200);
    const slug = `notify-${Date.now().toString(36)}`;
    await api().post('/api/v1/booking-links').set(host.auth).send({ slug, title: 'Intro', durationMinutes: 30 }).expect(201);
    const today = DateTime.utc().startOf('day');
    const monday = today.plus({ days: 14 + ((8 - today.weekday) % 7) }).set({ hour: 10 });
    const booker = uniqueEmail('booker');
    const booked = await api()
      .post('/api/v1/bookings')
      .send({ slug, name: 'Bea', email: booker, timezone: 'UTC', start: monday.toISO({ suppressMilliseconds: true }) })
      .expect(201);
    const view = await api().get(`/api/v1/bookings/${booked.body.id}`).set(host.auth).expect(200);
    await nth(booker, 1);
    await api().patch(`/api/v1/events/${view.body.eventId}`).set(host.auth).send({ title: 'Intro with Bea' }).expect(200);
    await settleChanges(t.app);
    await sleep(300);
    expect(sink.to(booker).map((mail) => mail.parsed.subject)).toEqual([expect.stringMatching(/^Confirmed/)]);
    await settleChanges(t.app);
    expect(await queuedFor([booker])).toEqual([]);
  });
});

describe('reminders', () => {
  it('are queued when the event is saved and delivered to the owner at their time', async () => {
    const owner = await registerUser(t.http, { name: 'Remi' });
    const guest = uniqueEmail('no-reminder');
    const start = new Date(Math.ceil((Date.now() + 62_000) / 1000) * 1000);
    await createEvent(owner, {
      title: 'Soon',
      startTime: start.toISOString(),
      endTime: new Date(start.getTime() + 30 * 60_000).toISOString(),
      attendees: [{ email: guest }],
      reminders: [{ method: 'email', minutesBefore: 1 }],
    });
    const mail = await eventually(
      () => sink.to(owner.email).find((received) => received.parsed.subject?.startsWith('Reminder: Soon')),
      15_000,
      'the reminder',
    );
    expect(Date.now()).toBeGreaterThanOrEqual(start.getTime() - 60_000);
    expect(mail.parsed.text).toContain('Soon');
    expect(sink.to(guest).map((received) => received.parsed.subject)).toEqual([expect.stringMatching(/^Invitation: Soon/)]);
  });
});
