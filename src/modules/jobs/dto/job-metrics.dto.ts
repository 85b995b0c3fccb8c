import { ApiProperty } from '@nestjs/swagger';

export class JobCountsDto {
  /** Waiting, due or not. */
  @ApiProperty({ type: 'integer', example: 12 })
  queued: number;

  /** Waiting and due now: the backlog workers should be eating. */
  @ApiProperty({ type: 'integer', example: 3 })
  due: number;

  @ApiProperty({ type: 'integer', example: 2 })
  running: number;

  /** Kept for JOB_RETENTION_DAYS. */
  @ApiProperty({ type: 'integer', example: 5400 })
  succeeded: number;

  /** Out of attempts or permanently refused; kept until retried. */
  @ApiProperty({ type: 'integer', example: 1 })
  failed: number;

  @ApiProperty({ type: 'integer', example: 0 })
  cancelled: number;

  @ApiProperty({ type: 'integer', example: 1 })
  failedLastHour: number;

  /** Queued jobs that already failed at least once and wait for their retry. */
  @ApiProperty({ type: 'integer', example: 4 })
  retriesPending: number;

  /** Age in seconds of the oldest due job; null when nothing is due. */
  @ApiProperty({ example: 0.8, nullable: true, type: Number })
  oldestDueSeconds: number | null;
}

export class JobKindMetricsDto extends JobCountsDto {
  @ApiProperty({ example: 'email.send' })
  kind: string;
}

export class WorkerProcessDto {
  /** Whether this process runs workers (WORKERS=off runs API only). */
  @ApiProperty({ example: true })
  workerRunning: boolean;

  @ApiProperty({ type: 'integer', example: 1 })
  inFlight: number;

  @ApiProperty({ example: ['email.send'] })
  kinds: string[];
}

export class JobMetricsDto {
  @ApiProperty()
  generatedAt: Date;

  @ApiProperty({ type: JobCountsDto })
  totals: JobCountsDto;

  @ApiProperty({ type: [JobKindMetricsDto] })
  kinds: JobKindMetricsDto[];

  @ApiProperty({ type: WorkerProcessDto })
  thisProcess: WorkerProcessDto;
}
