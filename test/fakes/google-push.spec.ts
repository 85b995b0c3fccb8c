import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { calendar_v3 } from 'googleapis/build/src/apis/calendar/index.js';
import { calendarFor, startFakeGoogle, startPushReceiver, type FakeGoogle, type OAuthClient } from './google/index.js';
import { eventually } from '../setup/wait.js';

let fake: FakeGoogle;
let client: OAuthClient;
let calendar: calendar_v3.Calendar;
let receiver: Awaited<ReturnType<typeof startPushReceiver>>;
const EMAIL = 'push@example.com';
let channelSeq = 0;

beforeAll(async () => {
  fake = await startFakeGoogle({ allowHttpPush: true, pushRetryBaseMs: 20, pushMaxAttempts: 4 });
  client = fake.registerOAuthClient({ redirectUris: ['http://localhost:3000/cb'] });
  fake.createAccount(EMAIL);
  ({ calendar } = calendarFor(fake, client, fake.issueTokens(EMAIL, client.clientId)));
  receiver = await startPushReceiver();
});
afterEach(async () => {
  fake.setPushFaults({ dropRate: 0, dropNext: 0, duplicateRate: 0, duplicateNext: 0, reorderWindow: 0, delayMs: 0, paused: false, syncBeforeWatchResponse: false });
  await fake.waitForPush();
  receiver.status = () => 200;
});
afterAll(async () => {
  await fake?.close();
  await receiver?.close();
});

const event = (summary: string) => ({ summary, start: { dateTime: '2030-01-01T10:00:00Z' }, end: { dateTime: '2030-01-01T11:00:00Z' } });
const forChannel = (id: string) => receiver.received.filter((r) => r.headers['x-goog-channel-id'] === id);
const numbers = (id: string) => forChannel(id).map((r) => Number(r.headers['x-goog-message-number']));

async function watch(calendarId: string, extra: Record<string, unknown> = {}) {
  const id = `chan-${++channelSeq}`;
  const { data } = await calendar.events.watch({ calendarId, requestBody: { id, type: 'web_hook', address: receiver.url, token: `secret-${id}`, ...extra } });
  await eventually(() => forChannel(id).length >= 1, 5000, 'sync message');
  return data;
}

describe('events.watch and deliveries', () => {
  it('answers a channel, then posts a bodiless sync (number 1) and exists messages with Google\'s headers', async () => {
    const cal = fake.createCalendar(EMAIL, { summary: 'Watched' }).id;
    const channel = await watch(cal);
    expect(channel).toMatchObject({ kind: 'api#channel', id: `chan-${channelSeq}`, token: `secret-chan-${channelSeq}` });
    expect(typeof channel.expiration).toBe('string');
    expect(Number(channel.expiration)).toBeGreaterThan(fake.now().getTime() + 6 * 86_400_000);
    const [sync] = forChannel(channel.id!);
    expect(sync.body).toBe('');
    expect(sync.headers).toMatchObject({
      'x-goog-channel-id': channel.id, 'x-goog-channel-token': channel.token, 'x-goog-resource-id': channel.resourceId,
      'x-goog-resource-uri': channel.resourceUri, 'x-goog-resource-state': 'sync', 'x-goog-message-number': '1',
      'x-goog-channel-expiration': new Date(Number(channel.expiration)).toUTCString(),
    });
    await calendar.events.insert({ calendarId: cal, requestBody: event('one') });
    fake.createEvent(cal, event('two (remote)'));
    await eventually(() => forChannel(channel.id!).length === 3, 5000, 'two exists messages');
    expect(forChannel(channel.id!).map((r) => r.headers['x-goog-resource-state'])).toEqual(['sync', 'exists', 'exists']);
    const [, a, b] = numbers(channel.id!);
    expect(a).toBeGreaterThan(2);
    expect(b).toBeGreaterThan(a + 1);
    // A second channel on the same calendar shares the resource id.
    const second = await watch(cal);
    expect(second.resourceId).toBe(channel.resourceId);
  });

  it('refuses a reused channel id, http addresses unless allowed, and caps the expiration; a numeric expiration is accepted', async () => {
    const cal = fake.createCalendar(EMAIL, { summary: 'Rules' }).id;
    const channel = await watch(cal);
    const dup = await calendar.events.watch({ calendarId: cal, requestBody: { id: channel.id, type: 'web_hook', address: receiver.url } }).catch((e) => e);
    expect([dup.status, dup.response.data.error.errors[0].reason]).toEqual([400, 'channelIdNotUnique']);
    const far = fake.now().getTime() + 90 * 86_400_000;
    const { data } = await calendar.events.watch({ calendarId: cal, requestBody: { id: 'capped', type: 'web_hook', address: receiver.url, expiration: far as unknown as string } });
    expect(Number(data.expiration)).toBeLessThanOrEqual(fake.now().getTime() + 30 * 86_400_000 + 1000);

    const strict = await startFakeGoogle();
    try {
      const c = strict.registerOAuthClient({ redirectUris: ['http://x/cb'] });
      strict.createAccount(EMAIL);
      const { calendar: api } = calendarFor(strict, c, strict.issueTokens(EMAIL, c.clientId));
      const err = await api.events.watch({ calendarId: 'primary', requestBody: { id: 'x', type: 'web_hook', address: receiver.url } }).catch((e) => e);
      expect([err.status, err.response.data.error.errors[0].reason]).toEqual([400, 'push.webhookUrlNotHttps']);
    } finally {
      await strict.close();
    }
  });

  it('channels.stop ends deliveries; stopping again or by another OAuth client is 404', async () => {
    const cal = fake.createCalendar(EMAIL, { summary: 'Stop' }).id;
    const channel = await watch(cal);
    const otherClient = fake.registerOAuthClient({ redirectUris: ['http://x/cb'] });
    const { calendar: other } = calendarFor(fake, otherClient, fake.issueTokens(EMAIL, otherClient.clientId));
    await expect(other.channels.stop({ requestBody: { id: channel.id, resourceId: channel.resourceId } })).rejects.toMatchObject({ status: 404 });
    expect((await calendar.channels.stop({ requestBody: { id: channel.id, resourceId: channel.resourceId } })).status).toBe(204);
    await expect(calendar.channels.stop({ requestBody: { id: channel.id, resourceId: channel.resourceId } })).rejects.toMatchObject({ status: 404 });
    fake.createEvent(cal, event('after stop'));
    await fake.waitForPush();
    expect(forChannel(channel.id!)).toHaveLength(1);
  });

  it('calendarList.watch notifies when the account\'s list changes', async () => {
    const { data } = await calendar.calendarList.watch({ requestBody: { id: 'list-chan', type: 'web_hook', address: receiver.url } });
    expect(data.resourceUri).toContain('/calendar/v3/users/me/calendarList');
    await eventually(() => forChannel('list-chan').length === 1, 5000, 'sync message');
    fake.createCalendar(EMAIL, { summary: 'New in the list' });
    await eventually(() => forChannel('list-chan').length === 2, 5000, 'exists message');
    expect(forChannel('list-chan')[1].headers['x-goog-resource-state']).toBe('exists');
  });

  it('an expired channel receives nothing (fake clock)', async () => {
    const cal = fake.createCalendar(EMAIL, { summary: 'Expiry' }).id;
    const channel = await watch(cal, { params: { ttl: '60' } });
    fake.advanceClock({ minutes: 2 });
    fake.createEvent(cal, event('too late'));
    await fake.waitForPush();
    expect(forChannel(channel.id!)).toHaveLength(1);
  });
});

describe('delivery faults', () => {
  it('retries 500/502/503/504 with backoff and gives up on other statuses', async () => {
    const cal = fake.createCalendar(EMAIL, { summary: 'Retry' }).id;
    const channel = await watch(cal);
    let failures = 2;
    receiver.status = (push) => (push.headers['x-goog-resource-state'] === 'exists' && failures-- > 0 ? 503 : 200);
    fake.createEvent(cal, event('retried'));
    await eventually(() => forChannel(channel.id!).length === 4, 5000, 'three attempts');
    const attempts = forChannel(channel.id!).slice(1);
    expect(new Set(attempts.map((r) => r.headers['x-goog-message-number'])).size).toBe(1);
    // Backoff doubles from 20 ms (±25% jitter): the second retry waits at least 30 ms.
    expect(attempts[2].at - attempts[1].at).toBeGreaterThanOrEqual(25);
    receiver.status = () => 404;
    fake.createEvent(cal, event('refused'));
    await fake.waitForPush();
    const log = fake.pushDeliveries().filter((d) => d.channelId === channel.id);
    expect(log.map((d) => d.outcome)).toEqual(['delivered', 'retrying', 'retrying', 'delivered', 'failed']);
  });

  it('drops, duplicates and reorders when told to', async () => {
    const cal = fake.createCalendar(EMAIL, { summary: 'Chaos' }).id;
    const channel = await watch(cal);
    fake.setPushFaults({ dropNext: 1 });
    fake.createEvent(cal, event('dropped'));
    fake.setPushFaults({ duplicateNext: 1 });
    fake.createEvent(cal, event('twice'));
    await fake.waitForPush();
    const afterDup = numbers(channel.id!);
    expect(afterDup).toHaveLength(3);
    expect(afterDup[1]).toBe(afterDup[2]);
    fake.setPushFaults({ reorderWindow: 3 });
    for (const n of [1, 2, 3]) fake.createEvent(cal, event(`burst ${n}`));
    await eventually(() => numbers(channel.id!).length === 6, 5000, 'the reordered burst');
    const burst = numbers(channel.id!).slice(3);
    expect(burst).toEqual([...burst].sort((x, y) => y - x));
    expect(fake.pushDeliveries().filter((d) => d.channelId === channel.id && d.outcome === 'dropped')).toHaveLength(1);
  });

  it('can hold messages (paused) and deliver the first sync before the watch call returns', async () => {
    const cal = fake.createCalendar(EMAIL, { summary: 'Held' }).id;
    fake.setPushFaults({ syncBeforeWatchResponse: true });
    const { data } = await calendar.events.watch({ calendarId: cal, requestBody: { id: 'early-sync', type: 'web_hook', address: receiver.url } });
    expect(forChannel(data.id!).map((r) => r.headers['x-goog-resource-state'])).toEqual(['sync']);
    fake.setPushFaults({ paused: true });
    fake.createEvent(cal, event('held'));
    await fake.waitForPush();
    expect(forChannel(data.id!)).toHaveLength(1);
    fake.setPushFaults({ paused: false });
    await eventually(() => forChannel(data.id!).length === 2, 5000, 'released message');
  });
});
