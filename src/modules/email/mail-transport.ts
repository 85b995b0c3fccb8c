import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type Nodemailer from 'nodemailer';
import type { NodemailerError, Transporter } from 'nodemailer';
import { lazyModule } from '../../common/lazy-module.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import type { OutgoingEmail } from './email.rows.js';

/** Loaded with the first email a process sends (src/common/lazy-module.ts). */
const nodemailerModule = lazyModule<typeof Nodemailer>('nodemailer');

/**
 * Delivers one rendered email. With SMTP_URL: a pooled SMTP connection. Without it: the development
 * mailbox — each message becomes `<email id>.eml` under MAILBOX_DIR (openable in any mail client) and
 * one log line that never includes the body.
 */
@Injectable()
export class MailTransport implements OnApplicationShutdown {
  readonly kind: 'smtp' | 'mailbox';
  private readonly logger = new Logger('Mail');
  private transporter: Transporter | null = null;
  private readonly messageDomain: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.kind = config.smtpUrl ? 'smtp' : 'mailbox';
    this.messageDomain = /@([^>\s]+)>?\s*$/.exec(config.mailFrom)?.[1] ?? 'calento.local';
    if (!config.smtpUrl && config.nodeEnv === 'production') {
      this.logger.warn({ mailboxDir: config.mailboxDir }, 'SMTP_URL is not set: emails are written to the mailbox folder, not sent');
    }
  }

  /** Every attempt of one email carries the same Message-ID, so a receiver can drop a duplicate. */
  messageIdFor(emailId: string): string {
    return `<${emailId}@${this.messageDomain}>`;
  }

  /** The pooled SMTP transport, or the mailbox's stream transport: made with the first email sent. */
  private transport(): Transporter {
    const { smtpUrl, jobs } = this.config;
    return (this.transporter ??= smtpUrl
      ? nodemailerModule().createTransport({
          url: smtpUrl,
          pool: true,
          maxConnections: Math.min(jobs.concurrency, 10),
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 60_000,
        })
      : nodemailerModule().createTransport({ streamTransport: true, buffer: true, newline: 'unix' }));
  }

  async send(email: OutgoingEmail, signal?: AbortSignal): Promise<void> {
    const info = await this.transport().sendMail({
      from: this.config.mailFrom,
      to: email.to.name ? { name: email.to.name, address: email.to.email } : email.to.email,
      subject: email.subject,
      text: email.text,
      html: email.html,
      messageId: this.messageIdFor(email.id),
      headers: { 'Auto-Submitted': 'auto-generated' },
      ...(email.ics ? { icalEvent: { method: email.ics.method, filename: 'invite.ics', content: email.ics.content } } : {}),
      ...(signal && this.kind === 'smtp' ? { signal } : {}),
    });
    if (this.kind === 'smtp') return;
    await mkdir(this.config.mailboxDir, { recursive: true });
    const file = join(this.config.mailboxDir, `${email.id}.eml`);
    await writeFile(file, (info as unknown as { message: Buffer }).message);
    // Subject and recipient only: bodies (which may hold a reset token) stay in the file.
    this.logger.log(
      this.config.nodeEnv === 'production' ? { file } : { file, to: email.to.email, subject: email.subject },
      'Wrote an email to the development mailbox',
    );
  }

  onApplicationShutdown(): void {
    this.transporter?.close();
  }
}

/**
 * SMTP failures that retrying cannot fix: a 5xx reply to the message or a recipient (nodemailer sets
 * `permanent` from the reply class; 503 is a session-state error and retried). Connection failures,
 * timeouts and 4xx replies are temporary. Authentication failures are retried too: they are a
 * configuration problem of this server, not of the message, and are fixed without losing it.
 */
export function isPermanentSmtpError(error: unknown): boolean {
  const smtp = error as NodemailerError | null;
  if (!smtp || typeof smtp !== 'object') return false;
  if (smtp.code === 'EAUTH' || smtp.code === 'ENOAUTH') return false;
  if (typeof smtp.permanent === 'boolean') return smtp.permanent;
  return typeof smtp.responseCode === 'number' && smtp.responseCode >= 500 && smtp.responseCode !== 503;
}
