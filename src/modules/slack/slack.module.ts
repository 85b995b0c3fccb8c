import { Module } from '@nestjs/common';
import { BookingsModule } from '../bookings/bookings.module.js';
import { EventsModule } from '../events/events.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { UserDirectoryModule } from '../users/user-directory.js';
import { SlackApi } from './slack-api.js';
import { SlackBookingsSubscriber } from './slack-bookings.subscriber.js';
import { SlackCommands } from './slack-commands.js';
import { SlackEventsSubscriber } from './slack-events.subscriber.js';
import { SlackMessagesRepository } from './slack-messages.repository.js';
import { SlackNotifier } from './slack-notifier.js';
import { SlackReminders } from './slack-reminders.js';
import { SlackRequestsRepository } from './slack-requests.repository.js';
import { SlackSendHandler } from './slack-send.job.js';
import { SlackStatusHandler, SlackStatusPlanner } from './slack-status.js';
import { SlackSummaries, SlackSummaryHandler } from './slack-summary.js';
import { SlackTickHandler } from './slack-tick.job.js';
import { SlackTokens } from './slack-tokens.js';
import { SlackController } from './slack.controller.js';
import { SlackRepository } from './slack.repository.js';
import { SlackService } from './slack.service.js';

/**
 * Slack (docs/slack.md): the install (OAuth v2), where notifications go, the messages (queued by change
 * feed subscribers, posted by the slack.send job), the status sync and the /calento slash command.
 * Listed in `jobModules`, so API processes and `npm run worker` both run its subscribers and jobs.
 */
@Module({
  imports: [JobsModule, UserDirectoryModule, EventsModule, BookingsModule],
  controllers: [SlackController],
  providers: [
    SlackApi,
    SlackTokens,
    SlackRepository,
    SlackMessagesRepository,
    SlackRequestsRepository,
    SlackService,
    SlackNotifier,
    SlackSendHandler,
    SlackBookingsSubscriber,
    SlackCommands,
    SlackReminders,
    SlackEventsSubscriber,
    SlackStatusPlanner,
    SlackStatusHandler,
    SlackTickHandler,
    SlackSummaries,
    SlackSummaryHandler,
  ],
})
export class SlackModule {}
