import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';

/** What a handler knows about the attempt it runs. */
export interface JobContext {
  id: string;
  kind: string;
  /** 1 for the first run; counts every claim, including one whose worker died. */
  attempt: number;
  maxAttempts: number;
  /** Aborted when the run times out, the lease is lost, or shutdown gives up waiting. */
  signal: AbortSignal;
}

/**
 * Each outcome is reported inside the transaction that records it on the job row, so a handler's own
 * bookkeeping (the email row's status, a webhook delivery log) can never disagree with the queue.
 */
export type JobOutcome =
  | { state: 'succeeded'; attempt: number }
  | { state: 'retrying'; attempt: number; error: string; nextRunAt: Date }
  | { state: 'failed'; attempt: number; error: string }
  | { state: 'cancelled' }
  | { state: 'requeued' };

/**
 * One kind of job. `run` must be idempotent: delivery is at-least-once (a worker can die after the side
 * effect and before recording it), so a handler checks its own state first and skips work already done.
 */
export interface JobHandler<P = unknown> {
  /** Stable name stored in jobs.kind, e.g. 'email.send', 'webhook.deliver'. */
  readonly kind: string;
  /** Overrides JOB_MAX_ATTEMPTS for this kind. */
  readonly maxAttempts?: number;
  /** Overrides JOB_TIMEOUT_SECONDS for this kind. */
  readonly timeoutSeconds?: number;
  run(payload: P, context: JobContext): Promise<void>;
  onOutcome?(payload: P, outcome: JobOutcome): Promise<void>;
  /**
   * The delay before the next attempt after `attempt` failed; JOB_BACKOFF_* (exponential with jitter)
   * when absent. Webhooks use their own fixed schedule.
   */
  retryDelayMs?(attempt: number): number;
  /** True for errors no retry can fix; PermanentJobError is always permanent. */
  isPermanent?(error: unknown): boolean;
}

/** Thrown by a handler when retrying cannot help (a 5xx SMTP reply, a 410 from a webhook receiver). */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

export class DuplicateJobKindError extends Error {}

/**
 * Marks a provider as a job handler: `@JobHandlerProvider() @Injectable() class X implements JobHandler`.
 * The registry finds every marked provider of the modules this process loads, so a handler is written
 * once and runs wherever its module is imported (API process, `npm run worker`).
 */
export const JobHandlerProvider = DiscoveryService.createDecorator<void>();

/**
 * The handlers of this process, found through Nest's discovery when the jobs module starts; a worker
 * only claims kinds registered here, so a process without a handler never takes that kind's jobs.
 */
@Injectable()
export class JobRegistry implements OnModuleInit {
  private readonly handlers = new Map<string, JobHandler<never>>();

  constructor(@Inject(DiscoveryService) private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders({ metadataKey: JobHandlerProvider.KEY })) {
      if (wrapper.instance) this.register(wrapper.instance as JobHandler);
    }
  }

  register<P>(handler: JobHandler<P>): void {
    if (!/^[a-z][a-z0-9_.-]{0,63}$/.test(handler.kind)) throw new Error(`Invalid job kind "${handler.kind}"`);
    if (this.handlers.has(handler.kind)) throw new DuplicateJobKindError(`Job kind "${handler.kind}" is registered twice`);
    this.handlers.set(handler.kind, handler as JobHandler<never>);
  }

  get(kind: string): JobHandler<unknown> | undefined {
    return this.handlers.get(kind) as JobHandler<unknown> | undefined;
  }

  kinds(): string[] {
    return [...this.handlers.keys()];
  }
}
