import { Inject, Injectable } from '@nestjs/common';
import { JobHandlerProvider, PermanentJobError, type JobContext, type JobHandler, type JobOutcome } from '../jobs/job-handler.js';
import { EmailRepository } from './email.repository.js';
import { isPermanentSmtpError, MailTransport } from './mail-transport.js';

export const EMAIL_SEND_JOB = 'email.send';

export interface EmailSendPayload {
  emailId: string;
}

/**
 * Delivers one email_queue row. Idempotent: a row already sent, cancelled, or deleted with its user is
 * skipped, and every attempt reuses one Message-ID. The row's status, attempts and error follow the
 * job's outcome in the same transaction.
 */
@JobHandlerProvider()
@Injectable()
export class EmailSendHandler implements JobHandler<EmailSendPayload> {
  readonly kind = EMAIL_SEND_JOB;

  constructor(
    @Inject(EmailRepository) private readonly emails: EmailRepository,
    @Inject(MailTransport) private readonly transport: MailTransport,
  ) {}

  async run(payload: EmailSendPayload, context: JobContext): Promise<void> {
    const email = await this.emails.findOutgoing(payload.emailId);
    if (!email || email.status === 'sent' || email.status === 'cancelled') return;
    if (email.status === 'failed') throw new PermanentJobError('The email was marked failed and cannot be sent again');
    await this.transport.send(email, context.signal);
  }

  isPermanent(error: unknown): boolean {
    return isPermanentSmtpError(error);
  }

  async onOutcome(payload: EmailSendPayload, outcome: JobOutcome): Promise<void> {
    const id = payload.emailId;
    switch (outcome.state) {
      case 'succeeded':
        return this.emails.markSent(id, outcome.attempt, this.transport.messageIdFor(id));
      case 'retrying':
        return this.emails.markRetrying(id, outcome.attempt, outcome.error, outcome.nextRunAt);
      case 'failed':
        return this.emails.markFailed(id, outcome.attempt, outcome.error);
      case 'cancelled':
        return this.emails.markCancelled(id);
      case 'requeued':
        return this.emails.markRequeued(id);
    }
  }
}
