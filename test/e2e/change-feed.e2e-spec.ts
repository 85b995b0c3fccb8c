import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ChangeDispatcher } from '../../src/modules/changes/change-dispatcher.js';
import { ChangeFeed } from '../../src/modules/changes/change-feed.service.js';
import type { ChangeSubscriber } from '../../src/modules/changes/change-subscriber.js';
import type { Change } from '../../src/modules/changes/changes.rows.js';
import { Database } from '../../src/db/database.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { registerUser } from '../factories/users.js';
import { eventually } from '../setup/wait.js';

class Recorder implements ChangeSubscriber {
  readonly seen: Change[] = [];
  failNext = 0;
  calls = 0;
  constructor(
    readonly name: string,
    readonly kinds?: string[],
    readonly skipOrigins?: string[],
  ) {}
  async onChanges(changes: Change[]): Promise<void> {
    this.calls += 1;
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('subscriber down');
    }
    this.seen.push(...changes);
  }
}

let t: TestApp;
let feed: ChangeFeed;
let dispatcher: ChangeDispatcher;
let db: Database;
let userId: string;

beforeAll(async () => {
  t = await createTestApp();
  feed = t.app.get(ChangeFeed);
  dispatcher = t.app.get(ChangeDispatcher);
  db = t.app.get(Database);
  userId = (await registerUser(t.http)).id;
});
afterAll(async () => t?.close());

// Kinds no real subscriber takes (probe.*), so the app's own subscribers stay out of these tests.
const append = (kind: string, origin = 'api') => feed.append({ kind: `probe.${kind}`, userId, origin, eventId: null, fields: ['title'], data: { n: 1 } });

describe('change feed', () => {
  it('refuses an append outside a transaction', async () => {
    await expect(append('event.created')).rejects.toThrow(/inside the transaction/);
  });

  it('keeps a committed change and none of a rolled-back one; seq grows', async () => {
    const before = await feed.since(userId);
    const first = await db.tx(() => append('event.created'));
    await expect(
      db.tx(async () => {
        await append('event.updated');
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    const second = await db.tx(() => append('event.deleted'));
    const after = await feed.since(userId, before.at(-1)?.seq ?? 0);
    expect(after.map((change) => change.kind)).toEqual(['probe.event.created', 'probe.event.deleted']);
    expect(second.seq).toBeGreaterThan(first.seq);
    expect(after[0]).toMatchObject({ userId, origin: 'api', fields: ['title'], data: { n: 1 } });
  });

  it('hands each change to each subscriber once, filtered by kind and origin, without waiting for a poll', async () => {
    const all = new Recorder('test.all', ['probe.*']);
    const bookings = new Recorder('test.bookings', ['probe.booking.*']);
    const notGoogle = new Recorder('test.not-google', ['probe.*'], ['google:*', 'ics']);
    await dispatcher.drain();
    for (const subscriber of [all, bookings, notGoogle]) dispatcher.register(subscriber);
    const start = Date.now();
    const made = await db.tx(async () => [
      await append('event.created', 'google:primary'),
      await append('booking.created', 'booking'),
      await append('event.updated', 'ics'),
      await append('event.deleted', 'api'),
    ]);
    await eventually(() => all.seen.length === 4, 5000, 'dispatch');
    // Woken by the commit: well under the 1 s poll interval.
    expect(Date.now() - start).toBeLessThan(900);
    expect(all.seen.map((change) => change.seq)).toEqual(made.map((change) => change.seq));
    expect(bookings.seen.map((change) => change.kind)).toEqual(['probe.booking.created']);
    expect(notGoogle.seen.map((change) => change.kind)).toEqual(['probe.booking.created', 'probe.event.deleted']);
    await dispatcher.drain();
    expect(all.seen).toHaveLength(4);
  });

  it('dispatches a batch again when a subscriber fails, so nobody misses it or gets it twice', async () => {
    // Subscribers queue their work in the dispatch transaction; these record into a table, so a failed
    // batch takes the steady subscriber's row back with it, as it would a queued job.
    await db.query('CREATE TABLE IF NOT EXISTS feed_probe (subscriber text NOT NULL, seq bigint NOT NULL)');
    const recording = (name: string, failures: number): ChangeSubscriber & { calls: number } => ({
      name,
      kinds: ['probe.*'],
      calls: 0,
      async onChanges(changes) {
        this.calls += 1;
        for (const change of changes) await db.query('INSERT INTO feed_probe VALUES ($1, $2)', [name, change.seq]);
        if (failures-- > 0) throw new Error('subscriber down');
      },
    });
    await dispatcher.drain();
    const steady = recording('test.steady', 0);
    const flaky = recording('test.flaky', 2);
    dispatcher.register(steady);
    dispatcher.register(flaky);
    const change = await db.tx(() => append('booking.cancelled', 'booking'));
    const rows = async () =>
      (await db.query<{ subscriber: string }>('SELECT subscriber FROM feed_probe WHERE seq = $1 ORDER BY subscriber', [change.seq])).rows;
    await eventually(async () => (await rows()).length === 2, 15_000, 'redispatch after failures');
    await dispatcher.drain();
    expect(flaky.calls).toBe(3);
    expect(steady.calls).toBe(3);
    expect((await rows()).map((row) => row.subscriber)).toEqual(['test.flaky', 'test.steady']);
  });
});
