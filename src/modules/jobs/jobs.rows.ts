/** Row shapes of the jobs table, as PostgreSQL returns them, and their mapping. */
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobRow {
  id: string;
  kind: string;
  payload: unknown;
  user_id: string | null;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  run_at: Date;
  dedupe_key: string | null;
  claimed_by: string | null;
  lease_token: string | null;
  locked_until: Date | null;
  last_error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

export interface Job {
  id: string;
  kind: string;
  payload: unknown;
  userId: string | null;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  dedupeKey: string | null;
  claimedBy: string | null;
  leaseToken: string | null;
  lockedUntil: Date | null;
  lastError: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export function toJob(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind,
    payload: row.payload,
    userId: row.user_id,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: row.run_at,
    dedupeKey: row.dedupe_key,
    claimedBy: row.claimed_by,
    leaseToken: row.lease_token,
    lockedUntil: row.locked_until,
    lastError: row.last_error,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

/** A job a worker holds: the lease token proves the claim when it reports the outcome. */
export interface ClaimedJobRow {
  id: string;
  kind: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
  lease_token: string;
}

export interface ClaimedJob {
  id: string;
  kind: string;
  payload: unknown;
  attempt: number;
  maxAttempts: number;
  leaseToken: string;
}

export function toClaimedJob(row: ClaimedJobRow): ClaimedJob {
  return {
    id: row.id,
    kind: row.kind,
    payload: row.payload,
    attempt: row.attempts,
    maxAttempts: row.max_attempts,
    leaseToken: row.lease_token,
  };
}

export interface CancelledJobRow {
  id: string;
  kind: string;
  payload: unknown;
}

export interface JobKindMetricsRow {
  kind: string;
  queued: number;
  due: number;
  running: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  failed_last_hour: number;
  retries_pending: number;
  oldest_due_seconds: number | null;
}

export interface JobKindMetrics {
  kind: string;
  queued: number;
  due: number;
  running: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  failedLastHour: number;
  retriesPending: number;
  oldestDueSeconds: number | null;
}

export function toJobKindMetrics(row: JobKindMetricsRow): JobKindMetrics {
  return {
    kind: row.kind,
    queued: row.queued,
    due: row.due,
    running: row.running,
    succeeded: row.succeeded,
    failed: row.failed,
    cancelled: row.cancelled,
    failedLastHour: row.failed_last_hour,
    retriesPending: row.retries_pending,
    oldestDueSeconds: row.oldest_due_seconds === null ? null : Math.round(row.oldest_due_seconds * 10) / 10,
  };
}
