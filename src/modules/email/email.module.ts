import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { EmailNotifications } from './email-notifications.js';
import { EmailRenderer } from './email-renderer.js';
import { EmailSendHandler } from './email-send.job.js';
import { EmailRepository } from './email.repository.js';
import { EmailService } from './email.service.js';
import { MailTransport } from './mail-transport.js';
import { NotificationsController } from './notifications.controller.js';

@Module({
  imports: [JobsModule],
  controllers: [NotificationsController],
  providers: [EmailRepository, EmailRenderer, EmailService, EmailNotifications, EmailSendHandler, MailTransport],
  exports: [EmailService, EmailNotifications, EmailRenderer],
})
export class EmailModule {}
