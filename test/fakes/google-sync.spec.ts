import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { calendar_v3 } from 'googleapis/build/src/apis/calendar/index.js';
import { calendarFor, startFakeGoogle, type FakeGoogle, type OAuthClient } from './google/index.js';

let fake: FakeGoogle;
let client: OAuthClient;
let calendar: calendar_v3.Calendar;
const EMAIL = 'sync@example.com';
const ZONE = 'America/New_York';

beforeAll(async () => {
  fake = await startFakeGoogle();
  client = fake.registerOAuthClient({ redirectUris: ['http://localhost:3000/cb'] });
  fake.createAccount(EMAIL, { timeZone: ZONE });
  ({ calendar } = calendarFor(fake, client, fake.issueTokens(EMAIL, client.clientId)));
});
afterAll(async () => {
  await fake?.close();
});

const timed = (i: number, extra: Record<string, unknown> = {}) => ({
  summary: `Event ${i}`,
  start: { dateTime: new Date(Date.UTC(2030, 0, 1, 9) + i * 3_600_000).toISOString() },
  end: { dateTime: new Date(Date.UTC(2030, 0, 1, 10) + i * 3_600_000).toISOString() },
  ...extra,
});

type ListParams = calendar_v3.Params$Resource$Events$List;
async function listAll(params: ListParams, between?: (page: number) => Promise<void>) {
  const items: calendar_v3.Schema$Event[] = [];
  const pages: calendar_v3.Schema$Events[] = [];
  let pageToken: string | undefined;
  do {
    const { data } = await calendar.events.list({ ...params, pageToken });
    pages.push(data);
    items.push(...(data.items ?? []));
    pageToken = data.nextPageToken ?? undefined;
    if (pageToken && between) await between(pages.length);
  } while (pageToken);
  return { items, pages, nextSyncToken: pages.at(-1)!.nextSyncToken! };
}

const reasonOf = (e: unknown) => (e as { response?: { data?: { error?: { errors?: { reason: string; domain: string; location?: string }[] } } } }).response?.data?.error?.errors?.[0];

describe('events.list paging and full sync', () => {
  let calId: string;
  beforeAll(() => {
    calId = fake.createCalendar(EMAIL, { summary: 'Paging', timeZone: ZONE }).id;
    fake.seedEvents(calId, Array.from({ length: 600 }, (_, i) => timed(i)));
  });

  it('pages 600 events by 250 with nextSyncToken only on the last page; an insert during paging is not lost', async () => {
    let inserted = '';
    const full = await listAll({ calendarId: calId, maxResults: 250 }, async (page) => {
      if (page === 1) inserted = (await calendar.events.insert({ calendarId: calId, requestBody: timed(9999) })).data.id!;
    });
    expect(full.pages.map((p) => p.items!.length)).toEqual([250, 250, 101]);
    expect(full.pages.slice(0, -1).every((p) => p.nextPageToken && !p.nextSyncToken)).toBe(true);
    expect(full.pages.at(-1)!.nextPageToken).toBeUndefined();
    expect(new Set(full.items.map((e) => e.id)).size).toBe(full.items.length);
    expect(full.pages[0]).toMatchObject({ kind: 'calendar#events', summary: 'Paging', timeZone: ZONE, accessRole: 'owner' });
    // The page request repeats the query; with a syncToken the insert comes back (again) as a change.
    const incremental = await listAll({ calendarId: calId, syncToken: full.nextSyncToken });
    expect(incremental.items.map((e) => e.id)).toContain(inserted);
  });

  it('caps maxResults at 2500 and refuses 0; pages may be short when the fake is told so', async () => {
    const { data } = await calendar.events.list({ calendarId: calId, maxResults: 5000 });
    expect(data.items).toHaveLength(601);
    await expect(calendar.events.list({ calendarId: calId, maxResults: 0 })).rejects.toMatchObject({ status: 400 });
    fake.setListSettings({ pageSizeCap: 7 });
    try {
      const { data: short } = await calendar.events.list({ calendarId: calId, maxResults: 100 });
      expect(short.items).toHaveLength(7);
      expect(short.nextPageToken).toBeTruthy();
    } finally {
      fake.setListSettings({ pageSizeCap: undefined });
    }
  });

  it('refuses a page token used with a different query', async () => {
    const { data } = await calendar.events.list({ calendarId: calId, maxResults: 10 });
    const err = await calendar.events.list({ calendarId: calId, maxResults: 10, pageToken: data.nextPageToken!, showDeleted: true }).catch((e) => e);
    expect(err.status).toBe(400);
    expect(reasonOf(err)).toMatchObject({ reason: 'invalid', location: 'pageToken' });
  });
});

describe('incremental sync', () => {
  let calId: string;
  let token: string;
  let ids: string[];
  beforeAll(async () => {
    calId = fake.createCalendar(EMAIL, { summary: 'Sync', timeZone: ZONE }).id;
    ids = fake.seedEvents(calId, Array.from({ length: 5 }, (_, i) => timed(i)));
    token = (await listAll({ calendarId: calId })).nextSyncToken;
  });

  it('returns remote creates, updates and deletes; a deletion carries only id and status', async () => {
    const created = fake.createEvent(calId, timed(50, { summary: 'Remote new' }));
    fake.updateEvent(calId, ids[0], { summary: 'Renamed remotely' });
    fake.deleteEvent(calId, ids[1]);
    const { items, nextSyncToken } = await listAll({ calendarId: calId, syncToken: token });
    const byId = new Map(items.map((e) => [e.id, e]));
    expect(items).toHaveLength(3);
    expect(byId.get(created.id)).toMatchObject({ summary: 'Remote new', status: 'confirmed' });
    expect(byId.get(ids[0])).toMatchObject({ summary: 'Renamed remotely' });
    expect(byId.get(ids[1])).toEqual({ kind: 'calendar#event', etag: expect.any(String), id: ids[1], status: 'cancelled' });
    const { items: none, nextSyncToken: same } = await listAll({ calendarId: calId, syncToken: nextSyncToken });
    expect(none).toEqual([]);
    expect(same).toBeTruthy();
    token = same;
  });

  it('pages an incremental sync with the same syncToken on every page', async () => {
    fake.seedEvents(calId, Array.from({ length: 30 }, (_, i) => timed(100 + i)));
    fake.clearRequests();
    const { items, pages } = await listAll({ calendarId: calId, syncToken: token, maxResults: 12 });
    expect(items).toHaveLength(30);
    expect(pages).toHaveLength(3);
    const sent = fake.requests({ path: `/calendar/v3/calendars/${encodeURIComponent(calId)}/events` });
    expect(sent.map((r) => r.query.syncToken)).toEqual([token, token, token]);
    expect(sent.slice(1).every((r) => typeof r.query.pageToken === 'string')).toBe(true);
    token = pages.at(-1)!.nextSyncToken!;
  });

  it('answers 400 for each parameter Google forbids with a syncToken, and accepts showDeleted=false', async () => {
    const forbidden: Partial<ListParams>[] = [
      { timeMin: '2030-01-01T00:00:00Z' }, { timeMax: '2030-01-01T00:00:00Z' }, { updatedMin: new Date().toISOString() },
      { q: 'x' }, { orderBy: 'updated' }, { iCalUID: 'x@google.com' },
      { privateExtendedProperty: ['a=b'] }, { sharedExtendedProperty: ['a=b'] },
    ];
    for (const extra of forbidden) {
      const err = await calendar.events.list({ calendarId: calId, syncToken: token, ...extra }).catch((e) => e);
      expect(err.status).toBe(400);
      expect(reasonOf(err)).toMatchObject({ reason: 'invalid', location: Object.keys(extra)[0] });
    }
    fake.deleteEvent(calId, ids[2]);
    const { data } = await calendar.events.list({ calendarId: calId, syncToken: token, showDeleted: false });
    expect(data.items).toEqual([{ kind: 'calendar#event', etag: expect.any(String), id: ids[2], status: 'cancelled' }]);
    token = data.nextSyncToken!;
  });

  it('410 fullSyncRequired once tokens are invalidated, also in the middle of paging', async () => {
    fake.seedEvents(calId, Array.from({ length: 4 }, (_, i) => timed(200 + i)));
    const first = await calendar.events.list({ calendarId: calId, syncToken: token, maxResults: 2 });
    fake.invalidateSyncTokens({ calendarId: calId });
    for (const params of [{ syncToken: token }, { syncToken: token, pageToken: first.data.nextPageToken!, maxResults: 2 }]) {
      const err = await calendar.events.list({ calendarId: calId, ...params }).catch((e) => e);
      expect(err.status).toBe(410);
      expect(err.response.data.error).toEqual({
        errors: [{ domain: 'calendar', reason: 'fullSyncRequired', message: 'Sync token is no longer valid, a full sync is required.', locationType: 'parameter', location: 'syncToken' }],
        code: 410,
        message: 'Sync token is no longer valid, a full sync is required.',
      });
    }
    const fresh = await listAll({ calendarId: calId });
    await expect(calendar.events.list({ calendarId: calId, syncToken: fresh.nextSyncToken })).resolves.toMatchObject({ status: 200 });
  });

  it('an access-role change invalidates sync tokens (Google: ACL changes do)', async () => {
    const shared = fake.createCalendar(EMAIL, { summary: 'Shared', timeZone: ZONE, accessRole: 'writer' }).id;
    const { nextSyncToken } = await listAll({ calendarId: shared });
    fake.setAccessRole(EMAIL, shared, 'reader');
    await expect(calendar.events.list({ calendarId: shared, syncToken: nextSyncToken })).rejects.toMatchObject({ status: 410 });
    const err = await calendar.events.insert({ calendarId: shared, requestBody: timed(1) }).catch((e) => e);
    expect(err.status).toBe(403);
    expect(reasonOf(err)).toMatchObject({ reason: 'requiredAccessLevel', domain: 'calendar' });
  });

  it('updatedMin lists changes including deletions; too far back is 410 updatedMinTooLongAgo', async () => {
    const since = fake.now().toISOString();
    fake.advanceClock({ seconds: 1 });
    fake.deleteEvent(calId, ids[3]);
    const { data } = await calendar.events.list({ calendarId: calId, updatedMin: since });
    expect(data.items).toEqual([expect.objectContaining({ id: ids[3], status: 'cancelled' })]);
    const old = new Date(fake.now().getTime() - 40 * 86_400_000).toISOString();
    const err = await calendar.events.list({ calendarId: calId, updatedMin: old }).catch((e) => e);
    expect([err.status, reasonOf(err)?.reason]).toEqual([410, 'updatedMinTooLongAgo']);
  });
});

describe('calendarList', () => {
  it('lists the primary calendar first, pages, syncs hidden and removed entries, and refuses minAccessRole with a syncToken', async () => {
    fake.createAccount('lists@example.com', { timeZone: 'Europe/Berlin' });
    const { calendar: cal } = calendarFor(fake, client, fake.issueTokens('lists@example.com', client.clientId));
    const a = fake.createCalendar('lists@example.com', { summary: 'A', backgroundColor: '#123456' }).id;
    const b = fake.createCalendar('lists@example.com', { summary: 'B', accessRole: 'reader' }).id;
    const page1 = await cal.calendarList.list({ maxResults: 2 });
    expect(page1.data.items![0]).toMatchObject({ id: 'lists@example.com', primary: true, accessRole: 'owner', timeZone: 'Europe/Berlin' });
    expect(page1.data.nextSyncToken).toBeUndefined();
    const page2 = await cal.calendarList.list({ maxResults: 2, pageToken: page1.data.nextPageToken! });
    expect(page2.data.items).toHaveLength(1);
    const token = page2.data.nextSyncToken!;
    const readers = await cal.calendarList.list({ minAccessRole: 'writer' });
    expect(readers.data.items!.map((e) => e.id)).not.toContain(b);

    fake.updateCalendarListEntry('lists@example.com', a, { hidden: true });
    fake.unshareCalendar('lists@example.com', b);
    const plain = await cal.calendarList.list();
    expect(plain.data.items!.map((e) => e.id)).toEqual(['lists@example.com']);
    const changes = await cal.calendarList.list({ syncToken: token });
    expect(changes.data.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: a, hidden: true, backgroundColor: '#123456' }), expect.objectContaining({ id: b, deleted: true })]),
    );
    await expect(cal.calendarList.list({ syncToken: token, minAccessRole: 'reader' })).rejects.toMatchObject({ status: 400 });
    fake.invalidateSyncTokens({ email: 'lists@example.com' });
    await expect(cal.calendarList.list({ syncToken: token })).rejects.toMatchObject({ status: 410 });
    await expect(cal.events.list({ calendarId: b })).rejects.toMatchObject({ status: 404 });
  });
});
