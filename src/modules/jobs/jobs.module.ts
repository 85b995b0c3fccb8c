import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobRegistry } from './job-handler.js';
import { JobWorker } from './job-worker.js';
import { JobMetricsCollector } from './job-metrics.collector.js';
import { JobsController } from './jobs.controller.js';
import { JobsRepository } from './jobs.repository.js';
import { JobsService } from './jobs.service.js';

/**
 * The durable job queue. Modules with side effects import it, mark their JobHandler providers with
 * @JobHandlerProvider(), and call JobsService.enqueue inside the transaction of the change.
 */
@Module({
  imports: [DiscoveryModule],
  controllers: [JobsController],
  providers: [JobRegistry, JobsRepository, JobsService, JobWorker, JobMetricsCollector],
  exports: [JobRegistry, JobsService, JobWorker],
})
export class JobsModule {}
