import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { pageOf, type Page, type PageQueryDto } from '../../common/http/pagination.js';
import { Database } from '../../db/database.js';
import { Clock } from '../../common/time/clock.js';
import { JobsService } from '../jobs/jobs.service.js';
import { EMAIL_SEND_JOB, type EmailSendPayload } from './email-send.job.js';
import { EmailRenderer } from './email-renderer.js';
import { EmailRepository } from './email.repository.js';
import type { EmailNotification, EmailStatus, IcsMethod } from './email.rows.js';
import { buildIcs, type IcsEvent } from './ics.js';
import { toOneLine } from '../../common/text/one-line.js';

export interface EmailAddress {
  email: string;
  name?: string | null;
}

export interface EnqueueEmailOptions {
  /** The Calento user this email belongs to: they see it in GET /notifications/emails. */
  userId?: string | null;
  /** Send no earlier than this (reminders, daily summaries); now when absent. */
  sendAt?: Date | null;
  /** A second enqueue with the same key is a no-op until the first is cancelled (see cancel()). */
  dedupeKey?: string | null;
  /** Attach an iCalendar invitation (REQUEST) or cancellation (CANCEL). */
  calendar?: { method: IcsMethod; event: IcsEvent } | null;
  /** Blank the stored bodies once sent or failed: for emails that carry a secret. */
  redactAfterSend?: boolean;
  maxAttempts?: number;
}

export interface QueuedEmail {
  id: string;
  jobId: string;
}

/**
 * Queues emails. `enqueue` renders the template (a bad template or a missing variable throws before
 * anything is written), then writes the email row and its send job; inside a caller's `db.tx(...)` both
 * commit or roll back with the caller's change. Nothing is sent here: a worker delivers it.
 */
@Injectable()
export class EmailService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(EmailRepository) private readonly emails: EmailRepository,
    @Inject(EmailRenderer) private readonly renderer: EmailRenderer,
    @Inject(JobsService) private readonly jobs: JobsService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** Returns null when `dedupeKey` was already used. */
  async enqueue(
    templateKey: string,
    to: string | EmailAddress,
    variables: Record<string, unknown>,
    options: EnqueueEmailOptions = {},
  ): Promise<QueuedEmail | null> {
    const recipient = typeof to === 'string' ? { email: to, name: null } : { email: to.email, name: displayName(to.name) };
    if (!/^[^\s@<>]+@[^\s@<>]+$/.test(recipient.email)) throw new Error('An email recipient must be a single address');
    const rendered = await this.renderer.render(templateKey, variables);
    const ics = options.calendar ? { method: options.calendar.method, content: buildIcs(options.calendar.method, options.calendar.event, this.clock.now()) } : null;
    const write = async (): Promise<QueuedEmail | null> => {
      const id = randomUUID();
      const jobId = await this.jobs.enqueue<EmailSendPayload>(EMAIL_SEND_JOB, { emailId: id }, {
        runAt: options.sendAt ?? null,
        dedupeKey: options.dedupeKey ? emailDedupeKey(options.dedupeKey) : null,
        userId: options.userId ?? null,
        maxAttempts: options.maxAttempts,
      });
      if (!jobId) return null;
      await this.emails.insert({
        id,
        userId: options.userId ?? null,
        jobId,
        templateKey,
        recipient: recipient.email,
        recipientName: recipient.name,
        subject: rendered.subject,
        bodyHtml: rendered.html,
        bodyText: rendered.text,
        ics,
        scheduledAt: options.sendAt ?? null,
        redactAfterSend: options.redactAfterSend ?? false,
      });
      return { id, jobId };
    };
    // Inside the caller's transaction both rows already commit or roll back with it.
    return this.db.inTransaction ? write() : this.db.tx(write);
  }

  /** Cancels a scheduled email that has not started sending (a reminder of a moved event). */
  cancel(dedupeKey: string): Promise<number> {
    return this.jobs.cancel(emailDedupeKey(dedupeKey));
  }

  /**
   * Dedupe keys (as given to enqueue) of the emails not yet sending whose key starts with `prefix`, only
   * those to be sent before `sendBefore`, and only those belonging to `userId`, when given.
   */
  async queuedKeys(prefix: string, sendBefore: Date | null = null, userId: string | null = null): Promise<string[]> {
    const keys = await this.jobs.queuedDedupeKeys(emailDedupeKey(prefix), sendBefore, userId);
    return keys.map((key) => key.slice(emailDedupeKey('').length));
  }

  async listForUser(userId: string, query: PageQueryDto & { status?: EmailStatus }): Promise<Page<EmailNotification>> {
    const { page, limit, offset } = pageOf(query);
    const status = query.status ?? null;
    const [data, total] = await Promise.all([
      this.emails.listForUser(userId, status, limit, offset),
      this.emails.countForUser(userId, status),
    ]);
    return { data, meta: { page, limit, total } };
  }
}

function emailDedupeKey(key: string): string {
  return `email:${key}`;
}

/**
 * A recipient's display name fit for the To header: names are checked on input (one line), but older
 * rows and other sources may still hold a line break, which must neither forge a header nor stop the mail.
 */
function displayName(name: string | null | undefined): string | null {
  return name ? toOneLine(name) || null : null;
}
