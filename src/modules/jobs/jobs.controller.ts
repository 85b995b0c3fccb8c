import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiSessionAuth } from '../../common/http/api-problems.decorator.js';
import { AdminOnly } from '../../common/auth/admin.decorator.js';
import { JobsService } from './jobs.service.js';
import { JobMetricsDto } from './dto/job-metrics.dto.js';

@ApiTags('jobs')
@Controller('jobs')
export class JobsController {
  constructor(@Inject(JobsService) private readonly jobs: JobsService) {}

  @Get('metrics')
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'Queue depth and failures of the job queue',
    description:
      'Counts over the whole queue (all users, no per-user data), per job kind and in total. Admins only ' +
      '(users.role = admin, or an email in ADMIN_EMAILS); API keys never reach it.',
  })
  @ApiOkResponse({ type: JobMetricsDto })
  @AdminOnly()
  @ApiSessionAuth('FORBIDDEN')
  metrics(): Promise<JobMetricsDto> {
    return this.jobs.metrics();
  }
}
