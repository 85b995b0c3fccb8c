import { describe, expect, it, jest } from '@jest/globals';
import { GoogleWorld, type Connected } from '../setup/google-world.js';
import { eventually } from '../setup/wait.js';
import { GoogleSyncTick } from '../../src/modules/google-sync/google-sync.jobs.js';

/**
 * The reference scenarios (google-calendar-fake.md §6) the other Google files left out or covered in part:
 * local edits on their way during a 410 (§6.5), delete races (§6.10), local edits of series (§6.14), a
 * sync message before the watch answer (§6.16), duplicated, reordered and lost notifications (§6.17), a New
 * York series with an EXDATE across DST (§6.11), an event turned all-day and back (§6.15),
 * rate limits on the write path (§6.20), and a calendar whose access drops to reader (§6.25). The fake delivers its push
 * notifications to the app here (through a small front door), so a change at Google arrives as it would.
 */

jest.setTimeout(60_000);

const world = new GoogleWorld('scenario');
const api = () => world.api();

interface LocalEvent {
  id: string;
  title: string;
  startTime: string;
}

const localEvents = (c: Connected) => world.localEvents<LocalEvent>(c);

describe('§6.5 expired token with local edits on their way', () => {
  it('keeps a local edit still being sent while a 410 forces a full listing: it reaches Google and stays here', async () => {
    const c = await world.connectedAccount();
    const [googleId] = world.fake.seedEvents(c.calendarId, [
      { summary: 'Outbox', start: { dateTime: '2027-01-11T09:00:00Z' }, end: { dateTime: '2027-01-11T10:00:00Z' } },
      { summary: 'Other', start: { dateTime: '2027-01-12T09:00:00Z' }, end: { dateTime: '2027-01-12T10:00:00Z' } },
    ]);
    await world.startSync(c, 'merge');
    const local = (await localEvents(c)).find((e) => e.title === 'Outbox')!;
    world.fake.invalidateSyncTokens({ calendarId: c.calendarId });
    // The edit's PATCH hangs at Google while a change there starts a sync that meets the 410.
    world.fake.injectFault({ method: 'PATCH', path: '/calendar/v3/calendars/*/events/*', delayMs: 4000, times: 1 });
    const since = Date.now();
    await api().patch(`/api/v1/events/${local.id}`).set(c.user.auth).send({ title: 'Outbox (mine)' }).expect(200);
    const other = world.fake.events(c.calendarId).find((e) => e.summary === 'Other')!;
    world.fake.updateEvent(c.calendarId, other.id as string, { summary: 'Other (Google)' });
    const status = await world.synced(c, since);
    expect(status.counts.fullSyncs).toBe(2);
    // The full listing ran while the edit was still on its way (Google had the old title), and kept it here.
    expect(world.fake.requests({ method: 'PATCH', account: c.email }).filter((r) => r.status === 200)).toEqual([]);
    expect((await api().get(`/api/v1/events/${local.id}`).set(c.user.auth).expect(200)).body.title).toBe('Outbox (mine)');
    await eventually(() => world.fake.getEvent(c.calendarId, googleId)?.summary === 'Outbox (mine)', 10_000, 'the edit at Google');
    const titles = (await localEvents(c)).map((e) => e.title).sort();
    expect(titles).toEqual(['Other (Google)', 'Outbox (mine)']);
    expect((await world.pushJobsSettled(c, 1)).map((job) => job.status)).toEqual(['succeeded']);
  });
});

describe('§6.10 delete races', () => {
  it('deletes here an event Google already deleted: the 410 is fine and the job succeeds', async () => {
    const c = await world.connectedAccount();
    const [googleId] = world.fake.seedEvents(c.calendarId, [{ summary: 'Gone twice', start: { dateTime: '2027-02-01T09:00:00Z' }, end: { dateTime: '2027-02-01T10:00:00Z' } }]);
    await world.startSync(c, 'merge');
    const [local] = await localEvents(c);
    // Deleted at Google, with the notification still on its way: the local delete races it.
    world.fake.setPushFaults({ paused: true });
    world.fake.deleteEvent(c.calendarId, googleId);
    await api().delete(`/api/v1/events/${local.id}`).set(c.user.auth).expect(204);
    const jobs = await world.pushJobsSettled(c, 1);
    expect(jobs.map((job) => job.status)).toEqual(['succeeded']);
    const deletes = world.fake.requests({ method: 'DELETE', account: c.email });
    expect(deletes.map((r) => r.status)).toContain(410);
    // The late notification then changes nothing, and the run stays healthy.
    const since = Date.now();
    world.fake.setPushFaults({ paused: false });
    world.fake.flushPush();
    const status = await world.synced(c, since);
    expect(status.lastError).toBeNull();
    expect(await localEvents(c)).toEqual([]);
    expect(world.fake.getEvent(c.calendarId, googleId)?.status).toBe('cancelled');
  });

  it('an edit here of an event deleted at Google meanwhile: the deletion wins, nothing comes back, no conflict', async () => {
    const c = await world.connectedAccount();
    const [googleId] = world.fake.seedEvents(c.calendarId, [{ summary: 'Edited late', start: { dateTime: '2027-02-02T09:00:00Z' }, end: { dateTime: '2027-02-02T10:00:00Z' } }]);
    await world.startSync(c, 'merge');
    const [local] = await localEvents(c);
    world.fake.setPushFaults({ paused: true });
    world.fake.deleteEvent(c.calendarId, googleId);
    await api().patch(`/api/v1/events/${local.id}`).set(c.user.auth).send({ title: 'Edited late (v2)' }).expect(200);
    const jobs = await world.pushJobsSettled(c, 1);
    expect(jobs.map((job) => job.status)).toEqual(['succeeded']);
    // The PATCH met the deletion (its etag is gone: 412, and Google's copy reads cancelled); it is not
    // patched back to life, and no second copy is inserted to carry the edit.
    expect(world.fake.requests({ method: 'PATCH', account: c.email }).map((r) => r.status)).toEqual([412]);
    expect(world.fake.requests({ method: 'POST', path: /\/events$/, account: c.email })).toEqual([]);
    const since = Date.now();
    world.fake.setPushFaults({ paused: false });
    world.fake.flushPush();
    await world.synced(c, since);
    await eventually(async () => (await localEvents(c)).length === 0, 10_000, 'the local copy deleted');
    expect(world.fake.getEvent(c.calendarId, googleId)?.status).toBe('cancelled');
    expect((await api().get('/api/v1/calendar/sync/conflicts').set(c.user.auth).expect(200)).body.data).toEqual([]);
  });
});

describe('§6.14 local edits to recurring events', () => {
  /** A Berlin series created here on a newly synced calendar, once Google has it; `masterId` is Google's id. */
  async function seriesAtGoogle(fields: { title: string; startTime: string; endTime: string; recurrenceRule: string }) {
    const c = await world.connectedAccount();
    await world.startSync(c, 'merge');
    const series = (await api().post('/api/v1/events').set(c.user.auth).send({ ...fields, timezone: 'Europe/Berlin' }).expect(201)).body;
    await eventually(() => world.fake.events(c.calendarId).some((e) => e.summary === fields.title), 10_000, 'the series at Google');
    const masterId = world.fake.events(c.calendarId).find((e) => e.summary === fields.title)!.id as string;
    return { c, series, masterId };
  }

  it('sends an edited occurrence to its instance id (never the master), and deleting the series cancels every occurrence at Google', async () => {
    const { c, series, masterId } = await seriesAtGoogle({ title: 'Standup', startTime: '2027-05-03T09:00:00+02:00', endTime: '2027-05-03T09:15:00+02:00', recurrenceRule: 'FREQ=DAILY;COUNT=5' });
    world.fake.clearRequests();
    await api().put(`/api/v1/events/${series.id}/occurrences/2027-05-05T07:00:00Z`).set(c.user.auth).send({ title: 'Standup (demo)' }).expect(200);
    const instance = world.fake.instanceId(masterId, '2027-05-05T07:00:00Z');
    await eventually(() => world.fake.getEvent(c.calendarId, instance)?.summary === 'Standup (demo)', 10_000, 'the edited instance');
    const writes = world.fake.requests({ account: c.email }).filter((r) => r.method !== 'GET');
    expect(writes.length).toBeGreaterThanOrEqual(1);
    expect(writes.map((r) => `${r.method} ${r.path.split('/events/')[1]}`)).toEqual([`PATCH ${instance}`]);
    expect(world.fake.getEvent(c.calendarId, masterId)?.summary).toBe('Standup');

    await api().delete(`/api/v1/events/${series.id}`).set(c.user.auth).expect(204);
    await eventually(() => world.fake.getEvent(c.calendarId, masterId)?.status === 'cancelled', 10_000, 'the series cancelled');
    // No occurrence is left at Google, the edited one included.
    expect(world.fake.events(c.calendarId).filter((e) => String(e.summary).startsWith('Standup'))).toEqual([]);
    expect(world.fake.getEvent(c.calendarId, instance)?.status).toBe('cancelled');
    expect((await localEvents(c)).filter((e) => e.title.startsWith('Standup'))).toEqual([]);
  });

  it('a listing that left Google before the series was deleted here, and arrives after, does not bring its edited occurrence back', async () => {
    const { c, series, masterId } = await seriesAtGoogle({ title: 'Retro', startTime: '2027-06-07T16:00:00+02:00', endTime: '2027-06-07T17:00:00+02:00', recurrenceRule: 'FREQ=WEEKLY;COUNT=4' });
    // Google's notification of the edit is held, so the next listing carries the edited instance.
    world.fake.setPushFaults({ paused: true });
    await api().put(`/api/v1/events/${series.id}/occurrences/2027-06-14T14:00:00Z`).set(c.user.auth).send({ title: 'Retro (moved)' }).expect(200);
    const instance = world.fake.instanceId(masterId, '2027-06-14T14:00:00Z');
    await eventually(() => world.fake.getEvent(c.calendarId, instance)?.summary === 'Retro (moved)', 10_000, 'the edited instance');
    await world.pushJobsSettled(c, 2);

    // That listing is made at once and answered 3 s later; meanwhile the series is deleted here and at Google.
    const stale = world.fake.injectFault({ method: 'GET', path: '/calendar/v3/calendars/*/events', account: c.email, delayReplyMs: 3000 });
    world.fake.flushPush();
    await eventually(() => world.fake.faults().find((f) => f.id === stale.id)!.hits === 1, 10_000, 'the listing asked for');
    await api().delete(`/api/v1/events/${series.id}`).set(c.user.auth).expect(204);
    const deletedAt = Date.now();
    await eventually(() => world.fake.getEvent(c.calendarId, masterId)?.status === 'cancelled', 10_000, 'the series cancelled at Google');
    await world.synced(c, deletedAt);
    // The stale listing has been applied: the occurrence it carried is not here as an event of its own.
    expect((await localEvents(c)).filter((e) => e.title.startsWith('Retro'))).toEqual([]);

    // Google's notification of the deletion, when it comes, changes nothing either.
    const since = Date.now();
    world.fake.setPushFaults({ paused: false });
    world.fake.flushPush();
    await world.synced(c, since);
    expect((await localEvents(c)).filter((e) => e.title.startsWith('Retro'))).toEqual([]);
    expect(world.fake.getEvent(c.calendarId, instance)?.status).toBe('cancelled');
  });
});

describe('§6.16 push basics', () => {
  it("acknowledges a channel's first sync message sent before the watch call answered, then acts on changes", async () => {
    const c = await world.connectedAccount();
    world.fake.setPushFaults({ syncBeforeWatchResponse: true });
    await world.startSync(c, 'import');
    await world.fake.waitForPush();
    const channel = world.fake.channels().find((ch) => ch.email === c.email && !ch.stopped)!;
    const first = world.fake.pushDeliveries().filter((d) => d.channelId === channel.id);
    expect(first.map((d) => `${d.state}:${d.attempt}:${d.status}`)).toEqual(['sync:1:200']);
    const since = Date.now();
    world.fake.createEvent(c.calendarId, { summary: 'Announced', start: { dateTime: '2027-06-01T09:00:00Z' }, end: { dateTime: '2027-06-01T10:00:00Z' } });
    await world.synced(c, since);
    await eventually(async () => (await localEvents(c)).some((e) => e.title === 'Announced'), 10_000, 'the pushed change');
  });
});

describe('§6.17 lost notifications', () => {
  it('converges through the heartbeat poll when Google drops the notification of a change', async () => {
    const c = await world.connectedAccount();
    await world.startSync(c, 'import');
    expect((await world.statusOf(c)).push.active).toBe(true);
    world.fake.setPushFaults({ dropNext: 5 });
    world.fake.createEvent(c.calendarId, { summary: 'Never announced', start: { dateTime: '2027-06-07T09:00:00Z' }, end: { dateTime: '2027-06-07T10:00:00Z' } });
    await world.fake.waitForPush();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await localEvents(c)).map((e) => e.title)).not.toContain('Never announced');

    // The heartbeat, an hour later: a calendar with a channel but no sync for that long is polled.
    const since = Date.now();
    const report = await world.t.app.get(GoogleSyncTick).tick(new Date(Date.now() + 61 * 60_000));
    expect(report.polled).toBeGreaterThanOrEqual(1);
    await world.synced(c, since);
    expect((await localEvents(c)).filter((e) => e.title === 'Never announced')).toHaveLength(1);
    // A calendar synced just now is not polled again.
    const quiet = await world.t.app.get(GoogleSyncTick).tick(new Date());
    expect(quiet.polled).toBe(0);
  });

  it('acts on duplicated and reordered notifications once', async () => {
    const c = await world.connectedAccount();
    await world.startSync(c, 'import');
    world.fake.clearRequests();
    world.fake.setPushFaults({ duplicateNext: 3, reorderWindow: 3 });
    const since = Date.now();
    for (let i = 0; i < 3; i++) world.fake.createEvent(c.calendarId, { summary: `Burst ${i}`, start: { dateTime: `2027-06-1${i}T09:00:00Z` }, end: { dateTime: `2027-06-1${i}T10:00:00Z` } });
    await world.fake.waitForPush();
    await world.synced(c, since);
    await eventually(async () => (await localEvents(c)).filter((e) => e.title.startsWith('Burst ')).length === 3, 10_000, 'the burst');
    expect(world.fake.requests({ method: 'GET', path: /\/events$/, account: c.email }).length).toBeLessThanOrEqual(2);
    expect((await localEvents(c)).filter((e) => e.title.startsWith('Burst '))).toHaveLength(3);
  });
});

describe('§6.20 rate limits on the write path', () => {
  it('backs off through 429 and 403 rate limits on insert and patch, then succeeds once each', async () => {
    const c = await world.connectedAccount();
    await world.startSync(c, 'merge');
    world.fake.injectFault({ method: 'POST', path: '/calendar/v3/calendars/*/events', status: 429, reason: 'rateLimitExceeded', times: 2 });
    world.fake.injectFault({ method: 'POST', path: '/calendar/v3/calendars/*/events', status: 403, reason: 'userRateLimitExceeded', times: 1 });
    const created = (await api().post('/api/v1/events').set(c.user.auth).send({ title: 'Throttled', startTime: '2027-07-05T09:00:00Z', endTime: '2027-07-05T10:00:00Z', timezone: 'UTC' }).expect(201)).body;
    await eventually(() => world.fake.events(c.calendarId).some((e) => e.summary === 'Throttled'), 15_000, 'the insert');
    // Every throttled attempt was answered (the fault log has no account: its hits count them), then one insert.
    expect(world.fake.faults().map((fault) => fault.hits)).toEqual([2, 1]);
    expect(world.fake.requests({ method: 'POST', path: /\/events$/, account: c.email }).map((r) => r.status)).toEqual([200]);

    world.fake.clearFaults();
    world.fake.injectFault({ method: 'PATCH', path: '/calendar/v3/calendars/*/events/*', status: 403, reason: 'rateLimitExceeded', times: 1 });
    world.fake.injectFault({ method: 'PATCH', path: '/calendar/v3/calendars/*/events/*', status: 429, reason: 'rateLimitExceeded', times: 2 });
    await api().patch(`/api/v1/events/${created.id}`).set(c.user.auth).send({ title: 'Throttled (v2)' }).expect(200);
    await eventually(() => world.fake.events(c.calendarId).some((e) => e.summary === 'Throttled (v2)'), 15_000, 'the patch');
    expect(world.fake.faults().map((fault) => fault.hits)).toEqual([1, 2]);
    expect(world.fake.requests({ method: 'PATCH', account: c.email }).map((r) => r.status)).toEqual([200]);
    expect(world.fake.events(c.calendarId).filter((e) => String(e.summary).startsWith('Throttled'))).toHaveLength(1);
    expect((await world.pushJobsSettled(c, 2)).map((job) => job.status)).toEqual(['succeeded', 'succeeded']);
  });
});

describe('§6.25 calendar access', () => {
  it("stops writing to a calendar whose access dropped to reader: one 403, no retries, Google's copy untouched and the local edit kept", async () => {
    const c = await world.connectedAccount();
    const team = world.fake.createCalendar(c.email, { summary: 'Team', accessRole: 'writer' }).id;
    await api().get(`/api/v1/clients/${c.clientId}/calendars`).set(c.user.auth).expect(200);
    const cal: Connected = { ...c, calendarId: team };
    const [googleId] = world.fake.seedEvents(team, [{ summary: 'Shared plan', start: { dateTime: '2027-08-02T09:00:00Z' }, end: { dateTime: '2027-08-02T10:00:00Z' } }]);
    await world.startSync(cal, 'merge');
    const [local] = await localEvents(cal);
    world.fake.setAccessRole(c.email, team, 'reader');
    world.fake.clearRequests();
    await api().patch(`/api/v1/events/${local.id}`).set(c.user.auth).send({ title: 'Shared plan (mine)' }).expect(200);
    const jobs = await world.pushJobsSettled(cal, 1);
    expect(jobs).toEqual([{ status: 'failed', attempts: 1 }]);
    expect(world.fake.requests({ method: 'PATCH', account: c.email }).map((r) => r.status)).toEqual([403]);
    expect(world.fake.getEvent(team, googleId)?.summary).toBe('Shared plan');
    expect((await api().get(`/api/v1/events/${local.id}`).set(c.user.auth).expect(200)).body.title).toBe('Shared plan (mine)');
  });
});

describe('time (§6.11, §6.15)', () => {
  it('imports a New York series with an EXDATE across the DST change at the right instants (§6.11)', async () => {
    const c = await world.connectedAccount();
    world.fake.seedEvents(c.calendarId, [
      {
        summary: 'NY standup',
        start: { dateTime: '2027-03-01T09:00:00', timeZone: 'America/New_York' },
        end: { dateTime: '2027-03-01T09:30:00', timeZone: 'America/New_York' },
        recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4', 'EXDATE;TZID=America/New_York:20270315T090000'],
      },
    ]);
    await world.startSync(c, 'import');
    const starts = (await localEvents(c)).filter((e) => e.title === 'NY standup').map((e) => e.startTime);
    // 09:00 in New York: 14:00Z before the change on 14 March 2027, 13:00Z after; the 15th is excluded.
    expect(starts).toEqual(['2027-03-01T14:00:00.000Z', '2027-03-08T14:00:00.000Z', '2027-03-22T13:00:00.000Z']);
  });

  it('follows an event Google turns from timed to all-day and back (§6.15)', async () => {
    const c = await world.connectedAccount();
    const [googleId] = world.fake.seedEvents(c.calendarId, [{ summary: 'Shape shifter', start: { dateTime: '2027-04-05T10:00:00+02:00' }, end: { dateTime: '2027-04-05T11:00:00+02:00' } }]);
    await world.startSync(c, 'import');
    const [timed] = (await localEvents(c)).filter((e) => e.title === 'Shape shifter');
    expect(timed.startTime).toBe('2027-04-05T08:00:00.000Z');

    // Patch semantics, as at Google: the old dateTime is cleared with null.
    world.fake.updateEvent(c.calendarId, googleId, { start: { date: '2027-04-05', dateTime: null }, end: { date: '2027-04-07', dateTime: null } });
    const allDay = await eventually(async () => {
      const event = (await api().get(`/api/v1/events/${timed.id}`).set(c.user.auth).expect(200)).body;
      return event.isAllDay ? event : undefined;
    }, 20_000, 'the all-day version');
    // Google's end date is exclusive: two days, the 5th and the 6th.
    expect(allDay).toMatchObject({ isAllDay: true, startDate: '2027-04-05' });
    expect((await localEvents(c)).filter((e) => e.title === 'Shape shifter')).toHaveLength(1);

    world.fake.updateEvent(c.calendarId, googleId, { start: { dateTime: '2027-04-06T15:00:00+02:00', date: null }, end: { dateTime: '2027-04-06T16:00:00+02:00', date: null } });
    const timedAgain = await eventually(async () => {
      const event = (await api().get(`/api/v1/events/${timed.id}`).set(c.user.auth).expect(200)).body;
      return event.isAllDay ? undefined : event;
    }, 20_000, 'the timed version');
    expect(timedAgain).toMatchObject({ isAllDay: false, startTime: '2027-04-06T13:00:00.000Z', endTime: '2027-04-06T14:00:00.000Z' });
  });
});
