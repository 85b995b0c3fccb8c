import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import {
  toClaimedJob,
  toJob,
  toJobKindMetrics,
  type CancelledJobRow,
  type ClaimedJob,
  type ClaimedJobRow,
  type Job,
  type JobKindMetrics,
  type JobKindMetricsRow,
  type JobRow,
} from './jobs.rows.js';

const jobColumns = `id, kind, payload, user_id, status, attempts, max_attempts, run_at, dedupe_key, claimed_by,
  lease_token, locked_until, last_error, created_at, finished_at`;

export interface NewJob {
  kind: string;
  payload: unknown;
  userId: string | null;
  runAt: Date | null;
  dedupeKey: string | null;
  maxAttempts: number;
}

/**
 * Every statement of the queue. Claims and outcomes are fenced by the lease token: a worker whose
 * lease expired (and whose job another worker reclaimed) changes nothing when it reports back.
 */
@Injectable()
export class JobsRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /** Null when a live job with the same dedupe key exists (cancelled jobs do not count). */
  async insert(job: NewJob): Promise<string | null> {
    const { rows } = await this.db.query<{ id: string }>(
      `INSERT INTO jobs (kind, payload, user_id, run_at, dedupe_key, max_attempts)
       VALUES ($1, $2::jsonb, $3, COALESCE($4, now()), $5, $6)
       ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL AND status <> 'cancelled' DO NOTHING
       RETURNING id`,
      // Always JSON text: pg would send a JS array as a PostgreSQL array, which jsonb refuses.
      [job.kind, JSON.stringify(job.payload ?? {}), job.userId, job.runAt, job.dedupeKey, job.maxAttempts],
    );
    return rows[0]?.id ?? null;
  }

  async find(id: string): Promise<Job | null> {
    const { rows } = await this.db.query<JobRow>(`SELECT ${jobColumns} FROM jobs WHERE id = $1`, [id]);
    return rows[0] ? toJob(rows[0]) : null;
  }

  /**
   * Takes up to `limit` due jobs of the given kinds: queued ones whose time has come, and running ones
   * whose lease expired (their worker died). SKIP LOCKED lets concurrent workers pass over rows another
   * claim is taking, so no two workers get one job; the claim counts as an attempt.
   */
  async claim(kinds: readonly string[], limit: number, workerId: string, leaseSeconds: number): Promise<ClaimedJob[]> {
    const { rows } = await this.db.query<ClaimedJobRow>(
      `WITH due AS (
         SELECT id FROM jobs
         WHERE kind = ANY($1::text[])
           AND ((status = 'queued' AND run_at <= now()) OR (status = 'running' AND locked_until < now()))
         ORDER BY run_at, id
         LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE jobs SET status = 'running', attempts = jobs.attempts + 1, claimed_by = $3,
         lease_token = gen_random_uuid(), locked_until = now() + make_interval(secs => $4::float8), updated_at = now()
       FROM due WHERE jobs.id = due.id
       RETURNING jobs.id, jobs.kind, jobs.payload, jobs.attempts, jobs.max_attempts, jobs.lease_token`,
      [kinds, limit, workerId, leaseSeconds],
    );
    return rows.map(toClaimedJob);
  }

  /** Heartbeat: false when the lease is no longer ours. */
  async extendLease(id: string, leaseToken: string, leaseSeconds: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE jobs SET locked_until = now() + make_interval(secs => $3::float8)
       WHERE id = $1 AND lease_token = $2 AND status = 'running'`,
      [id, leaseToken, leaseSeconds],
    );
    return rowCount > 0;
  }

  async markSucceeded(id: string, leaseToken: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE jobs SET status = 'succeeded', lease_token = NULL, locked_until = NULL,
         last_error = NULL, finished_at = now(), updated_at = now()
       WHERE id = $1 AND lease_token = $2 AND status = 'running'`,
      [id, leaseToken],
    );
    return rowCount > 0;
  }

  /** Back to the queue for another attempt after `delayMs`, keeping the error. */
  async markRetry(id: string, leaseToken: string, error: string, delayMs: number): Promise<Date | null> {
    const { rows } = await this.db.query<{ run_at: Date }>(
      `UPDATE jobs SET status = 'queued', lease_token = NULL, locked_until = NULL,
         last_error = $3, run_at = now() + make_interval(secs => $4::float8 / 1000), updated_at = now()
       WHERE id = $1 AND lease_token = $2 AND status = 'running'
       RETURNING run_at`,
      [id, leaseToken, error, delayMs],
    );
    return rows[0]?.run_at ?? null;
  }

  async markFailed(id: string, leaseToken: string, error: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE jobs SET status = 'failed', lease_token = NULL, locked_until = NULL,
         last_error = $3, finished_at = now(), updated_at = now()
       WHERE id = $1 AND lease_token = $2 AND status = 'running'`,
      [id, leaseToken, error],
    );
    return rowCount > 0;
  }

  /** Gives a claimed job back unrun (shutdown): the attempt does not count. */
  async release(id: string, leaseToken: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE jobs SET status = 'queued', attempts = GREATEST(attempts - 1, 0),
         lease_token = NULL, locked_until = NULL, run_at = now(), updated_at = now()
       WHERE id = $1 AND lease_token = $2 AND status = 'running'`,
      [id, leaseToken],
    );
    return rowCount > 0;
  }

  /** Cancels the queued (not yet running) job holding this dedupe key. */
  async cancelQueuedByDedupeKey(dedupeKey: string): Promise<CancelledJobRow[]> {
    const { rows } = await this.db.query<CancelledJobRow>(
      `UPDATE jobs SET status = 'cancelled', finished_at = now(), updated_at = now()
       WHERE dedupe_key = $1 AND status = 'queued'
       RETURNING id, kind, payload`,
      [dedupeKey],
    );
    return rows;
  }

  /**
   * Dedupe keys of queued jobs that start with `prefix` (a scheduler's view of what it queued), only
   * those due before `dueBefore`, and only those of `userId`, when given.
   */
  async findQueuedDedupeKeys(prefix: string, dueBefore: Date | null, userId: string | null = null): Promise<string[]> {
    const { rows } = await this.db.query<{ dedupe_key: string }>(
      `SELECT dedupe_key FROM jobs
       WHERE status = 'queued' AND dedupe_key IS NOT NULL AND dedupe_key LIKE $1 ESCAPE '\\'
         AND ($2::timestamptz IS NULL OR run_at < $2)
         AND ($3::uuid IS NULL OR user_id = $3)
       ORDER BY dedupe_key`,
      [`${prefix.replace(/[\\%_]/g, '\\$&')}%`, dueBefore, userId],
    );
    return rows.map((row) => row.dedupe_key);
  }

  /** A failed job gets a fresh set of attempts, due now. */
  async requeueFailed(id: string): Promise<CancelledJobRow | null> {
    const { rows } = await this.db.query<CancelledJobRow>(
      `UPDATE jobs SET status = 'queued', attempts = 0, run_at = now(), finished_at = NULL, updated_at = now()
       WHERE id = $1 AND status = 'failed'
       RETURNING id, kind, payload`,
      [id],
    );
    return rows[0] ?? null;
  }

  async metricsByKind(): Promise<JobKindMetrics[]> {
    const { rows } = await this.db.query<JobKindMetricsRow>(
      `SELECT kind,
         count(*) FILTER (WHERE status = 'queued') AS queued,
         count(*) FILTER (WHERE status = 'queued' AND run_at <= now()) AS due,
         count(*) FILTER (WHERE status = 'running') AS running,
         count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
         count(*) FILTER (WHERE status = 'failed') AS failed,
         count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
         count(*) FILTER (WHERE status = 'failed' AND finished_at > now() - interval '1 hour') AS failed_last_hour,
         count(*) FILTER (WHERE status = 'queued' AND attempts > 0) AS retries_pending,
         EXTRACT(EPOCH FROM now() - min(run_at) FILTER (WHERE status = 'queued' AND run_at <= now()))::float8
           AS oldest_due_seconds
       FROM jobs GROUP BY kind ORDER BY kind`,
    );
    return rows.map(toJobKindMetrics);
  }

  /** Deletes up to `limit` finished jobs older than the retention; failed jobs stay for inspection. */
  async deleteFinishedBefore(retentionDays: number, limit: number): Promise<number> {
    const { rowCount } = await this.db.query(
      `DELETE FROM jobs WHERE id IN (
         SELECT id FROM jobs
         WHERE status IN ('succeeded', 'cancelled') AND finished_at < now() - make_interval(days => $1)
         LIMIT $2
       )`,
      [retentionDays, limit],
    );
    return rowCount;
  }
}
