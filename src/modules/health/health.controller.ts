import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../../common/auth/public.decorator.js';
import { NoRateLimit } from '../../common/rate-limit/rate-limit.js';
import { ApiProblems } from '../../common/http/api-problems.decorator.js';
import { Database } from '../../db/database.js';
import { readMigrations } from '../../db/migrator.js';

/** Probes for orchestrators; served outside /api/v1 at /health/live and /health/ready. */
@ApiTags('health')
@Public()
@NoRateLimit()
@Controller('health')
export class HealthController {
  // The migration files cannot change while the process runs: read them once.
  private readonly expected = readMigrations().map((file) => ({ version: file.version, checksum: file.checksum }));

  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(Database) private readonly db: Database,
  ) {}

  @Get('live')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Liveness: the process serves HTTP' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Readiness: database reachable and every migration applied' })
  @ApiOkResponse({
    schema: {
      example: {
        status: 'ok',
        info: { database: { status: 'up', kind: 'pglite' }, migrations: { status: 'up', applied: 3 } },
        error: {},
        details: { database: { status: 'up', kind: 'pglite' }, migrations: { status: 'up', applied: 3 } },
      },
    },
  })
  @ApiProblems('SERVICE_UNAVAILABLE')
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () =>
        this.indicators
          .check('database')
          .attempt(async () => {
            await this.db.query('SELECT 1');
            return { kind: this.db.kind };
          })
          .withTimeout(3000),
      () =>
        this.indicators.check('migrations').attempt(async () => {
          const { rows } = await this.db.query<{ version: number; checksum: string }>(
            'SELECT version, checksum FROM schema_migrations',
          );
          const applied = new Map(rows.map((row) => [row.version, row.checksum]));
          const pending = this.expected.filter((file) => applied.get(file.version) !== file.checksum);
          if (pending.length) throw new Error(`${pending.length} migration(s) pending`);
          return { applied: rows.length };
        }),
    ]);
  }
}
