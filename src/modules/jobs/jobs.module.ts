import { Module } from '@nestjs/common';
import { JobRegistry } from './job-handler.js';
import { JobWorker } from './job-worker.js';
import { JobsController } from './jobs.controller.js';
import { JobsRepository } from './jobs.repository.js';
import { JobsService } from './jobs.service.js';

/**
 * The durable job queue. Modules with side effects import it, register a JobHandler for their kind in
 * onModuleInit, and call JobsService.enqueue inside the transaction of the change.
 */
@Module({
  controllers: [JobsController],
  providers: [JobRegistry, JobsRepository, JobsService, JobWorker],
  exports: [JobRegistry, JobsService, JobWorker],
})
export class JobsModule {}
