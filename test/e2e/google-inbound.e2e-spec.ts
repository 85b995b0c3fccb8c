import { describe, expect, it, jest } from '@jest/globals';
import { GoogleWorld, type Connected } from '../setup/google-world.js';
import { eventually } from '../setup/wait.js';

/**
 * What a real Google calendar holds, imported and edited here: fields Calento does not model (rooms, the
 * calendar owner's own attendee entry, guests' answers and comments, default reminders, a description
 * longer than Calento keeps) survive a local edit, and guests' changes at Google arrive here.
 */

jest.setTimeout(60_000);

const world = new GoogleWorld('inbound');
const api = () => world.api();

interface LocalEvent {
  id: string;
  title: string;
  transparency: string;
  attendees: Array<{ email: string; name: string | null; responseStatus: string }>;
}

const localEvents = (c: Connected) => world.localEvents<LocalEvent>(c);

async function pushJobsSettled(c: Connected, count: number): Promise<string[]> {
  return (await world.pushJobsSettled(c, count)).map((job) => job.status);
}

/** An invitation as Google holds it: the owner's own entry, a room, guests' answers, Meet, default reminders. */
function meeting(calendarId: string, summary: string) {
  return {
    summary,
    description: `<p>${'Agenda '.repeat(2000)}</p><b>END</b>`,
    visibility: 'confidential',
    start: { dateTime: '2027-03-02T14:00:00+01:00', timeZone: 'Europe/Berlin' },
    end: { dateTime: '2027-03-02T15:00:00+01:00', timeZone: 'Europe/Berlin' },
    reminders: { useDefault: true },
    attendees: [
      { email: calendarId, self: true, organizer: true, responseStatus: 'accepted' },
      { email: 'c_1888room@resource.calendar.google.com', displayName: 'Room 1', resource: true, responseStatus: 'accepted' },
      { email: 'bob@example.com', displayName: 'Bob', optional: true, comment: 'Might be late', responseStatus: 'tentative' },
      { email: 'carol@example.com', responseStatus: 'declined' },
    ],
    conferenceData: { conferenceId: 'abc-defg-hij', conferenceSolution: { key: { type: 'hangoutsMeet' }, name: 'Google Meet' }, entryPoints: [{ entryPointType: 'video', uri: 'https://meet.google.com/abc-defg-hij' }] },
  };
}

describe('a local edit of an imported event', () => {
  it("sends only the fields it changed: Google keeps the room, the owner's entry, guests' answers, default reminders and the whole description", async () => {
    const c = await world.connectedAccount();
    const [googleId] = world.fake.seedEvents(c.calendarId, [meeting(c.calendarId, 'Design review')]);
    const before = world.fake.getEvent(c.calendarId, googleId)!;
    await world.startSync(c);
    const [local] = await localEvents(c);
    await api().patch(`/api/v1/events/${local.id}`).set(c.user.auth).send({ location: 'Room 5' }).expect(200);
    expect(await pushJobsSettled(c, 1)).toEqual(['succeeded']);

    const after = world.fake.getEvent(c.calendarId, googleId)!;
    expect(after.location).toBe('Room 5');
    expect(after.attendees).toEqual(before.attendees);
    expect(after.reminders).toEqual({ useDefault: true });
    expect(after.visibility).toBe('confidential');
    expect(after.description).toBe(before.description);
    expect(String(after.description).length).toBeGreaterThan(10_000);
    expect(after.conferenceData).toEqual(before.conferenceData);
  });

  it("adds a guest without dropping the room or the owner's entry, and keeps the answers and comments Google holds", async () => {
    const c = await world.connectedAccount();
    const [googleId] = world.fake.seedEvents(c.calendarId, [meeting(c.calendarId, 'Planning')]);
    await world.startSync(c);
    const [local] = await localEvents(c);
    const guests = local.attendees.map((a) => ({ email: a.email, ...(a.name ? { name: a.name } : {}) }));
    await api().patch(`/api/v1/events/${local.id}`).set(c.user.auth).send({ attendees: [...guests, { email: 'dan@example.com', name: 'Dan' }] }).expect(200);
    expect(await pushJobsSettled(c, 1)).toEqual(['succeeded']);

    const attendees = world.fake.getEvent(c.calendarId, googleId)!.attendees as Array<{ email: string }>;
    const byEmail = Object.fromEntries(attendees.map((a) => [a.email, a]));
    expect(Object.keys(byEmail).sort()).toEqual(['bob@example.com', c.calendarId, 'c_1888room@resource.calendar.google.com', 'carol@example.com', 'dan@example.com'].sort());
    expect(byEmail[c.calendarId]).toMatchObject({ self: true, organizer: true, responseStatus: 'accepted' });
    expect(byEmail['c_1888room@resource.calendar.google.com']).toMatchObject({ resource: true, responseStatus: 'accepted' });
    expect(byEmail['bob@example.com']).toMatchObject({ optional: true, comment: 'Might be late', responseStatus: 'tentative' });
    expect(byEmail['carol@example.com']).toMatchObject({ responseStatus: 'declined' });
    expect(byEmail['dan@example.com']).toMatchObject({ displayName: 'Dan' });
  });
});

describe("guests' changes at Google", () => {
  it('imports guests with the answers they gave, and follows a guest added or answering at Google when nothing else changed', async () => {
    const c = await world.connectedAccount();
    const [googleId] = world.fake.seedEvents(c.calendarId, [meeting(c.calendarId, 'Budget')]);
    await world.startSync(c);
    const [local] = await localEvents(c);
    const answers = (event: LocalEvent) => Object.fromEntries(event.attendees.map((a) => [a.email, a.responseStatus]));
    // The owner's own entry and the room are not guests; the others keep Google's answers.
    expect(answers(local)).toEqual({ 'bob@example.com': 'tentative', 'carol@example.com': 'declined' });

    // Only the guests change at Google: Bob accepts, Dan is added and accepts.
    const attendees = world.fake.getEvent(c.calendarId, googleId)!.attendees as Array<{ email: string; responseStatus: string }>;
    world.fake.updateEvent(c.calendarId, googleId, {
      attendees: [...attendees.map((a) => (a.email === 'bob@example.com' ? { ...a, responseStatus: 'accepted' } : a)), { email: 'dan@example.com', responseStatus: 'accepted' }],
    });
    const since = Date.now();
    await world.synced(c, since);
    await eventually(async () => {
      const res = await api().get(`/api/v1/events/${local.id}`).set(c.user.auth).expect(200);
      return answers(res.body)['dan@example.com'] === 'accepted';
    }, 10_000, 'the guest added at Google');
    const now = (await api().get(`/api/v1/events/${local.id}`).set(c.user.auth).expect(200)).body as LocalEvent;
    expect(answers(now)).toEqual({ 'bob@example.com': 'accepted', 'carol@example.com': 'declined', 'dan@example.com': 'accepted' });
  });
});

describe('a calendar Google no longer lists', () => {
  it('takes the events mirrored from it away: they neither linger as your own events nor count as busy', async () => {
    const c = await world.connectedAccount();
    const team = world.fake.createCalendar(c.email, { summary: 'Colleague', timeZone: 'Europe/Berlin', accessRole: 'reader' }).id;
    world.fake.seedEvents(team, [{ summary: 'Their offsite', start: { dateTime: '2027-05-04T09:00:00+02:00' }, end: { dateTime: '2027-05-04T17:00:00+02:00' } }]);
    world.fake.seedEvents(c.calendarId, [{ summary: 'Mine', start: { dateTime: '2027-05-05T09:00:00+02:00' }, end: { dateTime: '2027-05-05T10:00:00+02:00' } }]);
    await api().get(`/api/v1/clients/${c.clientId}/calendars`).set(c.user.auth).expect(200);
    await api().post('/api/v1/calendar/sync/initial').set(c.user.auth).send({ clientId: c.clientId, calendarId: team, strategy: 'import' }).expect(202);
    await world.synced({ ...c, calendarId: team });
    await world.startSync(c);
    expect((await localEvents(c)).map((e) => e.title).sort()).toEqual(['Mine', 'Their offsite']);

    // The colleague deletes the calendar (or stops sharing it): Google's calendar list no longer has it.
    world.fake.deleteCalendar(team);
    const calendars = (await api().get(`/api/v1/clients/${c.clientId}/calendars`).set(c.user.auth).expect(200)).body.data as Array<{ id: string }>;
    expect(calendars.map((calendar) => calendar.id)).toEqual([c.calendarId]);

    expect((await localEvents(c)).map((e) => e.title)).toEqual(['Mine']);
    const freeBusy = (await api().get('/api/v1/availability/free-busy').query({ from: '2027-05-04T00:00:00Z', to: '2027-05-06T00:00:00Z', details: true }).set(c.user.auth).expect(200)).body;
    expect(freeBusy.busy).toEqual([{ start: '2027-05-05T07:00:00.000Z', end: '2027-05-05T08:00:00.000Z' }]);
  });
});

describe("the calendar's time zone changing at Google", () => {
  it('moves the all-day events (and timed ones without a zone of their own) to the new zone, though Google did not change them', async () => {
    const c = await world.connectedAccount();
    const [holidayId] = world.fake.seedEvents(c.calendarId, [
      { summary: 'Holiday', start: { date: '2027-07-05' }, end: { date: '2027-07-06' } },
      { summary: 'Call', start: { dateTime: '2027-07-06T09:00:00+02:00' }, end: { dateTime: '2027-07-06T10:00:00+02:00' } },
      { summary: 'Other', start: { dateTime: '2027-07-07T09:00:00+02:00' }, end: { dateTime: '2027-07-07T10:00:00+02:00' } },
    ]);
    await world.startSync(c);
    const holiday = (await localEvents(c)).find((e) => e.title === 'Holiday')!;
    expect((await api().get(`/api/v1/events/${holiday.id}`).set(c.user.auth).expect(200)).body).toMatchObject({ startTime: '2027-07-04T22:00:00.000Z', timezone: 'Europe/Berlin' });

    // The owner moves to California; later an unrelated event changes and the calendar syncs incrementally.
    world.fake.updateCalendar(c.calendarId, { timeZone: 'America/Los_Angeles' });
    const other = world.fake.events(c.calendarId).find((e) => e.summary === 'Other')!;
    const since = Date.now();
    world.fake.updateEvent(c.calendarId, other.id as string, { summary: 'Other (moved)' });
    await world.synced(c, since);
    await eventually(async () => (await localEvents(c)).some((e) => e.title === 'Other (moved)'), 10_000, 'the incremental change');

    expect(world.fake.getEvent(c.calendarId, holidayId)!.start).toEqual({ date: '2027-07-05' });
    const after = (await api().get(`/api/v1/events/${holiday.id}`).set(c.user.auth).expect(200)).body;
    expect(after).toMatchObject({ isAllDay: true, startDate: '2027-07-05', endDate: '2027-07-06', startTime: '2027-07-05T07:00:00.000Z', endTime: '2027-07-06T07:00:00.000Z', timezone: 'America/Los_Angeles' });
    const freeBusy = (await api().get('/api/v1/availability/free-busy').query({ from: '2027-07-04T00:00:00Z', to: '2027-07-06T12:00:00Z' }).set(c.user.auth).expect(200)).body;
    expect(freeBusy.busy).toEqual([{ start: '2027-07-05T07:00:00.000Z', end: '2027-07-06T08:00:00.000Z' }]);
    // The call's instant is Google's; only the zone it is shown in follows the calendar.
    const call = (await localEvents(c)).find((e) => e.title === 'Call')!;
    expect(call).toMatchObject({ startTime: '2027-07-06T07:00:00.000Z' });
    expect((await api().get(`/api/v1/events/${call.id}`).set(c.user.auth).expect(200)).body.timezone).toBe('America/Los_Angeles');
  });
});
