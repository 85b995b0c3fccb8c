import { Module } from '@nestjs/common';
import { BookingsModule } from '../bookings/bookings.module.js';
import { EventsModule } from '../events/events.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { UserDirectoryModule } from '../users/user-directory.js';
import { BookingEmailsSubscriber } from './booking-emails.subscriber.js';
import { EmailAddressesController } from './email-addresses.controller.js';
import { EmailAddressesRepository } from './email-addresses.repository.js';
import { EmailAddressesService } from './email-addresses.service.js';
import { EmailNotifications } from './email-notifications.js';
import { EmailRenderer } from './email-renderer.js';
import { EmailSendHandler } from './email-send.job.js';
import { EmailRepository } from './email.repository.js';
import { EmailService } from './email.service.js';
import { EventEmailsSubscriber } from './event-emails.subscriber.js';
import { MailTransport } from './mail-transport.js';
import { NotificationsController } from './notifications.controller.js';

/**
 * Email: templates, the email queue and its delivery job, and the messages other modules cause —
 * event and booking messages as subscribers of the change feed, account messages (welcome, reset) on
 * request of the auth module; email verification and where a user's notifications go (EmailAddressesService).
 */
@Module({
  imports: [JobsModule, UserDirectoryModule, BookingsModule, EventsModule],
  controllers: [NotificationsController, EmailAddressesController],
  providers: [
    EmailRepository,
    EmailRenderer,
    EmailService,
    EmailNotifications,
    EmailSendHandler,
    MailTransport,
    EventEmailsSubscriber,
    BookingEmailsSubscriber,
    EmailAddressesRepository,
    EmailAddressesService,
  ],
  exports: [EmailService, EmailNotifications, EmailRenderer, EmailAddressesService],
})
export class EmailModule {}
