import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Metrics } from '../../common/metrics/metrics.js';
import { JobsRepository } from './jobs.repository.js';
import type { JobKindMetrics } from './jobs.rows.js';

/**
 * Queue depth and ages per job kind on /metrics, read from PostgreSQL when Prometheus scrapes (one
 * query per scrape, shared by the gauges), so they describe the whole queue whichever replica answers.
 */
@Injectable()
export class JobMetricsCollector implements OnModuleInit {
  private snapshot: { at: number; kinds: Promise<JobKindMetrics[]> } | null = null;

  constructor(
    @Inject(Metrics) private readonly metrics: Metrics,
    @Inject(JobsRepository) private readonly jobs: JobsRepository,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge('calento_jobs', 'Jobs in the queue by kind and state (queued, due, running, failed)', ['kind', 'state'], async (set) => {
      for (const kind of await this.kinds()) {
        set({ kind: kind.kind, state: 'queued' }, kind.queued);
        set({ kind: kind.kind, state: 'due' }, kind.due);
        set({ kind: kind.kind, state: 'running' }, kind.running);
        set({ kind: kind.kind, state: 'failed' }, kind.failed);
      }
    });
    this.metrics.gauge('calento_jobs_oldest_due_seconds', 'Age of the oldest due job by kind (0: none due)', ['kind'], async (set) => {
      for (const kind of await this.kinds()) set({ kind: kind.kind }, kind.oldestDueSeconds ?? 0);
    });
  }

  private kinds(): Promise<JobKindMetrics[]> {
    const now = performance.now();
    if (!this.snapshot || now - this.snapshot.at > 1000) {
      const kinds = this.jobs.metricsByKind();
      kinds.catch(() => undefined);
      this.snapshot = { at: now, kinds };
    }
    return this.snapshot.kinds;
  }
}
