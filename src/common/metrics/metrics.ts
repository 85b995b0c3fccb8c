import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Database } from '../../db/database.js';

/**
 * The app's Prometheus registry (prom-client), one per app rather than prom-client's global one, so two
 * apps in one process (tests, a worker beside the API) do not register the same metric twice.
 *
 * The hot path only observes: one histogram observation per request (labels: method, route pattern,
 * status class) and one per job. Everything that costs a query (queue depth, ages) is read at scrape
 * time by collectors registered with `onScrape`.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'calento_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern (never the raw URL) and status class',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'calento_job_duration_seconds',
    help: 'Duration of job attempts run by this process, by kind and outcome (succeeded, retrying, failed)',
    labelNames: ['kind', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 120],
    registers: [this.registry],
  });

  readonly jobFailures = new Counter({
    name: 'calento_job_failures_total',
    help: 'Failed job attempts run by this process, by kind (retrying or final)',
    labelNames: ['kind', 'final'] as const,
    registers: [this.registry],
  });

  readonly changeFailures = new Counter({
    name: 'calento_change_subscriber_failures_total',
    help: 'Changes a subscriber failed to take in this process, by subscriber; skipped="true" when it gave up on the change',
    labelNames: ['subscriber', 'skipped'] as const,
    registers: [this.registry],
  });

  constructor(@Inject(Database) db: Database) {
    collectDefaultMetrics({ register: this.registry, prefix: 'calento_' });
    const pool = (stat: 'total' | 'idle' | 'waiting') => () => db.poolStats()?.[stat] ?? 0;
    for (const [stat, help] of [
      ['total', 'Open connections of the PostgreSQL pool'],
      ['idle', 'Idle connections of the PostgreSQL pool'],
      ['waiting', 'Queries waiting for a pool connection'],
    ] as const) {
      this.gauge(`calento_db_pool_${stat}`, help, [], (set) => set({}, pool(stat)()));
    }
  }

  /** A gauge whose values are computed when Prometheus scrapes (stale label sets are dropped each time). */
  gauge(
    name: string,
    help: string,
    labelNames: string[],
    collect: (set: (labels: Record<string, string>, value: number) => void) => Promise<void> | void,
  ): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        await collect((labels, value) => this.set(labels, value));
      },
    });
  }

  private readonly httpChildren = new Map<string, { observe(seconds: number): void }>();

  /**
   * One request's duration, through a labelled child kept per (method, route pattern, status), so an
   * observation builds no label object or closure. Patterns and statuses are bounded, so the map is too.
   */
  observeHttp(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let child = this.httpChildren.get(key);
    if (!child) {
      child = this.httpDuration.labels({ method, route, status: String(status) });
      this.httpChildren.set(key, child);
    }
    child.observe(seconds);
  }

  /** The text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
