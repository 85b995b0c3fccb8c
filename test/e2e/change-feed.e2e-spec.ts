import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ChangeDispatcher, MAX_CHANGE_ATTEMPTS } from '../../src/modules/changes/change-dispatcher.js';
import { Metrics } from '../../src/common/metrics/metrics.js';
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

describe('a change one subscriber cannot take', () => {
  let quiet: TestApp;
  beforeAll(async () => {
    // No dispatch loop: the test dispatches by hand, so it counts every attempt.
    quiet = await createTestApp({ WORKERS: 'off' }, { captureLogs: true });
  });
  afterAll(async () => quiet?.close());

  it('is retried in order MAX_CHANGE_ATTEMPTS times, then skipped by that subscriber alone; the feed moves on', async () => {
    const qFeed = quiet.app.get(ChangeFeed);
    const qDispatcher = quiet.app.get(ChangeDispatcher);
    const qDb = quiet.app.get(Database);
    const owner = (await registerUser(quiet.http)).id;
    await qDispatcher.drain();
    await qDb.query('CREATE TABLE IF NOT EXISTS feed_poison_probe (subscriber text NOT NULL, seq bigint NOT NULL)');
    const seen = async (name: string) =>
      (await qDb.query<{ seq: string }>('SELECT seq FROM feed_poison_probe WHERE subscriber = $1 ORDER BY seq', [name])).rows.map((row) => Number(row.seq));
    // Each subscriber records what it took into a table, so work of a failed attempt is rolled back with it.
    const subscriber = (name: string, refuses: (change: Change) => boolean): ChangeSubscriber & { attempts: number[] } => ({
      name,
      kinds: ['probe.*'],
      attempts: [],
      async onChanges(changes) {
        for (const change of changes) {
          await qDb.query('INSERT INTO feed_poison_probe VALUES ($1, $2)', [name, change.seq]);
          if (refuses(change)) {
            this.attempts.push(change.seq);
            throw new Error(`cannot take change ${change.seq}`);
          }
        }
      },
    });
    const picky = subscriber('test.picky', (change) => (change.data as { poison?: boolean }).poison === true);
    const steady = subscriber('test.steady', () => false);
    qDispatcher.register(picky);
    qDispatcher.register(steady);
    const add = (poison: boolean) =>
      qDb.tx(() => qFeed.append({ kind: 'probe.event.updated', userId: owner, origin: 'api', eventId: null, fields: ['title'], data: { poison } }));
    const before = await add(false);
    const poison = await add(true);
    const after = await add(false);

    for (let attempt = 1; attempt < MAX_CHANGE_ATTEMPTS; attempt++) {
      await expect(qDispatcher.dispatchBatch()).rejects.toThrow(`cannot take change ${poison.seq}`);
      // Nothing of a failed dispatch stays: not even the changes before the bad one.
      expect(await seen('test.steady')).toEqual([]);
      expect(await seen('test.picky')).toEqual([]);
    }
    expect(await qDispatcher.dispatchBatch()).toBe(3);
    expect(picky.attempts.filter((seq) => seq === poison.seq).length).toBeGreaterThanOrEqual(MAX_CHANGE_ATTEMPTS);
    expect(await seen('test.picky')).toEqual([before.seq, after.seq]);
    expect(await seen('test.steady')).toEqual([before.seq, poison.seq, after.seq]);
    expect(await qDispatcher.dispatchBatch()).toBe(0);
    const skipLine = quiet
      .logs()
      .split('\n')
      .find((line) => line.includes('it skips that change'));
    expect(skipLine && JSON.parse(skipLine)).toMatchObject({ level: 50, subscriber: 'test.picky', seq: poison.seq, attempts: MAX_CHANGE_ATTEMPTS });
    const metrics = await quiet.app.get(Metrics).render();
    expect(metrics).toContain(`calento_change_subscriber_failures_total{subscriber="test.picky",skipped="true"} 1`);
    expect(metrics).toContain(`calento_change_subscriber_failures_total{subscriber="test.picky",skipped="false"} ${MAX_CHANGE_ATTEMPTS - 1}`);
  });
});
