/** Row shapes of email_templates and email_queue, as PostgreSQL returns them, and their mapping. */
export type EmailStatus = 'queued' | 'retrying' | 'sent' | 'failed' | 'cancelled';

export const emailStatuses: readonly EmailStatus[] = ['queued', 'retrying', 'sent', 'failed', 'cancelled'];

export type IcsMethod = 'REQUEST' | 'CANCEL';

export interface TemplateVariable {
  name: string;
  required: boolean;
  description?: string;
}

export interface EmailTemplateRow {
  template_key: string;
  subject: string;
  body_html: string;
  body_text: string;
  variables: TemplateVariable[];
  updated_at: Date;
}

export interface EmailTemplate {
  key: string;
  subject: string;
  bodyHtml: string;
  bodyText: string;
  variables: TemplateVariable[];
  updatedAt: Date;
}

export function toEmailTemplate(row: EmailTemplateRow): EmailTemplate {
  return {
    key: row.template_key,
    subject: row.subject,
    bodyHtml: row.body_html,
    bodyText: row.body_text,
    variables: row.variables,
    updatedAt: row.updated_at,
  };
}

/** What the send job needs to deliver one email. */
export interface OutgoingEmailRow {
  id: string;
  status: EmailStatus;
  recipient: string;
  recipient_name: string | null;
  subject: string;
  body_html: string;
  body_text: string;
  ics_method: IcsMethod | null;
  ics_content: string | null;
}

export interface OutgoingEmail {
  id: string;
  status: EmailStatus;
  to: { email: string; name: string | null };
  subject: string;
  html: string;
  text: string;
  ics: { method: IcsMethod; content: string } | null;
}

export function toOutgoingEmail(row: OutgoingEmailRow): OutgoingEmail {
  return {
    id: row.id,
    status: row.status,
    to: { email: row.recipient, name: row.recipient_name },
    subject: row.subject,
    html: row.body_html,
    text: row.body_text,
    ics: row.ics_method && row.ics_content ? { method: row.ics_method, content: row.ics_content } : null,
  };
}

/** An email as its owner sees it in GET /notifications/emails: state, never the body. */
export interface EmailNotificationRow {
  id: string;
  template_key: string;
  recipient: string;
  subject: string;
  status: EmailStatus;
  attempts: number;
  scheduled_at: Date;
  sent_at: Date | null;
  error_message: string | null;
  ics_method: IcsMethod | null;
  created_at: Date;
  updated_at: Date;
}

export interface EmailNotification {
  id: string;
  templateKey: string;
  recipient: string;
  subject: string;
  status: EmailStatus;
  attempts: number;
  scheduledAt: Date;
  sentAt: Date | null;
  errorMessage: string | null;
  calendarMethod: IcsMethod | null;
  createdAt: Date;
  updatedAt: Date;
}

export function toEmailNotification(row: EmailNotificationRow): EmailNotification {
  return {
    id: row.id,
    templateKey: row.template_key,
    recipient: row.recipient,
    subject: row.subject,
    status: row.status,
    attempts: row.attempts,
    scheduledAt: row.scheduled_at,
    sentAt: row.sent_at,
    errorMessage: row.error_message,
    calendarMethod: row.ics_method,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
