import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import request from 'supertest';
import { Database } from '../../src/db/database.js';
import { CALLBACK_URL, clientWithCredentials, connect, fakeGoogleEnv } from '../factories/clients.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { startFakeGoogle, type FakeGoogle, type OAuthClient } from '../fakes/google/index.js';
import { startFrontDoor, type FrontDoor } from './front-door.js';
import { createTestApp, type TestApp } from './test-app.js';
import { eventually } from './wait.js';

/** A user with a fresh Google account connected to a new client; `calendarId` is the primary calendar. */
export interface Connected {
  user: TestUser;
  clientId: string;
  email: string;
  calendarId: string;
}

export interface SyncStatus {
  calendarId: string;
  state: string;
  lastSyncedAt: string | null;
  lastError: string | null;
  counts: Record<string, number>;
  push: { active: boolean };
}

export interface PushJob {
  status: string;
  attempts: number;
}

/**
 * The app and the fake Google of a two-way sync test file, with Google's push notifications delivered to
 * the app (through a small front door) as they would be, and quick job retries. Call at the top of the
 * file: it registers the file's beforeAll/afterAll/beforeEach. `fake` and `t` are there once beforeAll ran.
 */
export class GoogleWorld {
  fake!: FakeGoogle;
  t!: TestApp;
  acme!: OAuthClient;
  private front?: FrontDoor;
  private accounts = 0;

  constructor(private readonly accountPrefix: string) {
    beforeAll(async () => {
      this.fake = await startFakeGoogle({ allowHttpPush: true, pushRetryBaseMs: 50 });
      this.acme = this.fake.registerOAuthClient({ redirectUris: [CALLBACK_URL] });
      this.front = await startFrontDoor(() => this.t.app);
      this.t = await createTestApp({
        ...fakeGoogleEnv(this.fake),
        GOOGLE_PUSH_URL: this.front.url('/api/v1/webhooks/google'),
        GOOGLE_PUSH_DEBOUNCE_MS: '200',
        JOB_POLL_INTERVAL_MS: '25',
        JOB_BACKOFF_BASE_MS: '20',
        JOB_BACKOFF_MAX_MS: '100',
      });
    }, 120_000);
    afterAll(async () => {
      await this.front?.close();
      await this.t?.close();
      await this.fake?.close();
    });
    beforeEach(() => {
      this.fake.clearFaults();
      this.fake.setPushFaults({ dropNext: 0, duplicateNext: 0, reorderWindow: 0, paused: false });
    });
  }

  api() {
    return request(this.t.http);
  }

  async connectedAccount(): Promise<Connected> {
    this.accounts += 1;
    const email = `${this.accountPrefix}${this.accounts}@acme.example`;
    this.fake.createAccount(email, { timeZone: 'Europe/Berlin' });
    const user = await registerUser(this.t.http);
    const { clientId, credentialId } = await clientWithCredentials(this.t.http, user, this.acme);
    await connect(this.t.http, this.fake, user, credentialId, clientId, email);
    await this.api().get(`/api/v1/clients/${clientId}/calendars`).set(user.auth).expect(200);
    return { user, clientId, email, calendarId: email };
  }

  async statusOf(c: Connected): Promise<SyncStatus> {
    const res = await this.api().get(`/api/v1/calendar/sync/status?clientId=${c.clientId}`).set(c.user.auth).expect(200);
    return res.body.data.find((s: SyncStatus) => s.calendarId === c.calendarId);
  }

  /** Waits until the calendar's sync is idle after a run that finished at or after `since`. */
  async synced(c: Connected, since = 0): Promise<SyncStatus> {
    let last: SyncStatus | undefined;
    try {
      await eventually(async () => {
        last = await this.statusOf(c);
        return last?.state === 'idle' && last.lastSyncedAt !== null && Date.parse(last.lastSyncedAt) >= since;
      }, 20_000, 'the sync');
    } catch (error) {
      throw new Error(`${(error as Error).message}; last status ${JSON.stringify(last)}`);
    }
    return last as SyncStatus;
  }

  async startSync(c: Connected, strategy: 'merge' | 'import' = 'merge'): Promise<SyncStatus> {
    await this.api().post('/api/v1/calendar/sync/initial').set(c.user.auth).send({ clientId: c.clientId, calendarId: c.calendarId, strategy }).expect(202);
    return this.synced(c);
  }

  /** The user's calendar as a calendar view draws it (series expanded), 2026 to 2028. */
  async localEvents<T>(c: Connected): Promise<T[]> {
    const res = await this.api().get('/api/v1/events?from=2026-01-01T00:00:00Z&to=2028-12-31T00:00:00Z&expand=true&limit=200').set(c.user.auth).expect(200);
    return res.body.data;
  }

  /** The google.push jobs of this user, oldest first. */
  async pushJobs(c: Connected): Promise<PushJob[]> {
    const { rows } = await this.t.app.get(Database).query<PushJob>(
      "SELECT status, attempts FROM jobs WHERE kind = 'google.push' AND user_id = $1 ORDER BY created_at",
      [c.user.id],
    );
    return rows;
  }

  async pushJobsSettled(c: Connected, count: number): Promise<PushJob[]> {
    let jobs: PushJob[] = [];
    await eventually(async () => {
      jobs = await this.pushJobs(c);
      return jobs.length >= count && jobs.every((job) => job.status === 'succeeded' || job.status === 'failed');
    }, 20_000, 'the google.push jobs');
    return jobs;
  }
}
