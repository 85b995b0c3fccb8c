import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { EmailService } from '../../src/modules/email/email.service.js';
import { EmailNotifications } from '../../src/modules/email/email-notifications.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { SmtpSink } from '../setup/smtp-sink.js';
import { expectProblem } from '../setup/problem.js';
import { registerUser, uniqueEmail } from '../factories/users.js';
import { eventually, sleep } from '../setup/wait.js';

let t: TestApp;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await SmtpSink.start();
  t = await createTestApp({
    SMTP_URL: sink.url,
    MAIL_FROM: 'Calento <no-reply@calento.test>',
    JOB_POLL_INTERVAL_MS: '25',
    JOB_BACKOFF_BASE_MS: '50',
    JOB_BACKOFF_MAX_MS: '400',
  });
});
afterAll(async () => {
  await t?.close();
  await sink?.stop();
});
beforeEach(() => {
  sink.onMessage = () => ({ accept: true });
  sink.refusedRecipients.clear();
});

const api = () => request(t.http);

interface EmailRow {
  id: string;
  status: string;
  attempts: number;
  error_message: string | null;
  body_text: string;
  body_html: string;
  sent_at: Date | null;
  message_id: string | null;
}

async function emailsTo(recipient: string): Promise<EmailRow[]> {
  const { rows } = await t.db.query<EmailRow>(
    `SELECT id, status, attempts, error_message, body_text, body_html, sent_at, message_id
     FROM email_queue WHERE recipient = $1 ORDER BY created_at`,
    [recipient],
  );
  return rows;
}

describe('welcome email', () => {
  it('is delivered over SMTP with both parts and the user name escaped in HTML', async () => {
    const name = `Ada <script>alert("x")</script> & Co`;
    const user = await registerUser(t.http, { name });
    const [mail] = await eventually(() => (sink.to(user.email).length ? sink.to(user.email) : undefined), 10_000, 'the welcome email');
    expect(mail.recipients).toEqual([user.email]);
    expect(mail.parsed.subject).toBe(`Welcome to Calento, ${name}`);
    expect(mail.parsed.from?.value).toEqual([{ name: 'Calento', address: 'no-reply@calento.test' }]);
    expect(mail.parsed.to).toMatchObject({ value: [{ address: user.email, name }] });
    expect(mail.parsed.text).toContain(`Welcome to Calento, ${name}!`);
    expect(mail.parsed.text).toContain('Open Calento: http://calento.test');
    const html = mail.parsed.html as string;
    expect(html).toContain('Welcome to Calento, Ada &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co!');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<a href="http://calento.test">Open Calento</a>');
    const [row] = await eventually(async () => {
      const rows = await emailsTo(user.email);
      return rows[0]?.status === 'sent' ? rows : undefined;
    });
    expect(row).toMatchObject({ attempts: 1, error_message: null, message_id: `<${row.id}@calento.test>` });
    expect(mail.messageId).toBe(row.message_id);
    expect(mail.parsed.headers.get('auto-submitted')).toBe('auto-generated');
  });

  it('is queued in the registration transaction: a failed registration queues nothing', async () => {
    const email = uniqueEmail('twice');
    await api().post('/api/v1/auth/register').send({ email, password: 'correct-horse-42', name: 'One' }).expect(201);
    await api().post('/api/v1/auth/register').send({ email, password: 'correct-horse-42', name: 'Two' }).expect(409);
    await sleep(300);
    expect(await emailsTo(email)).toHaveLength(1);
    expect(sink.to(email)).toHaveLength(1);
  });

  it('joins a caller transaction: rolled back with it, committed with it', async () => {
    const notifications = t.app.get(EmailNotifications);
    const user = await registerUser(t.http);
    const ghost = { id: user.id, email: uniqueEmail('rolled-back'), name: 'Ghost' };
    await expect(
      t.db.tx(async () => {
        await notifications.passwordReset(ghost, 'x'.repeat(43), 60);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await emailsTo(ghost.email)).toHaveLength(0);
    const { rows } = await t.db.query(`SELECT 1 FROM jobs WHERE kind = 'email.send' AND payload->>'emailId' NOT IN (SELECT id::text FROM email_queue)`);
    expect(rows).toHaveLength(0);
  });
});

describe('password reset email', () => {
  it('carries the token over SMTP, and the stored copy is blanked once sent', async () => {
    const user = await registerUser(t.http, { name: 'Reset Me' });
    await api().post('/api/v1/auth/forgot-password').send({ email: user.email }).expect(202);
    const mail = await eventually(() => sink.to(user.email).find((m) => m.parsed.subject === 'Reset your Calento password'));
    const token = /reset-password:\n([A-Za-z0-9_-]{43})/.exec(mail.parsed.text ?? '')?.[1];
    expect(token).toBeDefined();
    expect(mail.parsed.html).toContain(`<code>${token}</code>`);
    expect(mail.parsed.html).toContain(`href="http://calento.test/app/reset-password?token&#x3D;${token}"`);
    const reset = await eventually(async () => (await emailsTo(user.email)).find((row) => row.status === 'sent' && row.body_text.includes('removed')));
    expect(reset.body_text).not.toContain(token as string);
    expect(reset.body_html).not.toContain(token as string);
    // The token works.
    await api().post('/api/v1/auth/reset-password').send({ token, newPassword: 'brand-new-pass-7' }).expect(204);
  });
});

describe('SMTP failures', () => {
  it('stops at a permanent refusal (5xx) and records the error', async () => {
    const user = await registerUser(t.http);
    const bounce = uniqueEmail('bounce');
    sink.refusedRecipients.set(bounce, { code: 550, message: '5.1.1 No such mailbox' });
    await t.app.get(EmailService).enqueue('welcome', bounce, { name: 'Nobody', appUrl: 'http://calento.test' }, { userId: user.id });
    const [row] = await eventually(async () => {
      const rows = await emailsTo(bounce);
      return rows[0]?.status === 'failed' ? rows : undefined;
    });
    expect(row.attempts).toBe(1);
    expect(row.error_message).toMatch(/550/);
    expect(row.sent_at).toBeNull();
    const listed = await api().get('/api/v1/notifications/emails?status=failed').set(user.auth).expect(200);
    expect(listed.body.data).toEqual([expect.objectContaining({ recipient: bounce, status: 'failed', attempts: 1, errorMessage: expect.stringMatching(/550/) })]);
  });

  it('retries temporary refusals (4xx) until the message is accepted', async () => {
    const user = await registerUser(t.http);
    const target = uniqueEmail('greylisted');
    let refusals = 0;
    sink.onMessage = (_, recipients) => {
      if (recipients.includes(target) && refusals < 2) {
        refusals += 1;
        return { code: 451, message: '4.7.1 Greylisted, try again later' };
      }
      return { accept: true };
    };
    await t.app.get(EmailService).enqueue('welcome', target, { name: 'Patient', appUrl: 'http://calento.test' }, { userId: user.id });
    const [row] = await eventually(async () => {
      const rows = await emailsTo(target);
      return rows[0]?.status === 'sent' ? rows : undefined;
    });
    expect(row).toMatchObject({ attempts: 3, error_message: null });
    expect(sink.to(target)).toHaveLength(1);
  });

  it('delivers every message once the SMTP server, down when they were queued, comes back', async () => {
    const user = await registerUser(t.http);
    await eventually(() => sink.to(user.email).length === 1); // its welcome email, before the outage
    await sink.down();
    const service = t.app.get(EmailService);
    const recipients = Array.from({ length: 20 }, () => uniqueEmail('outage'));
    await t.db.tx(async () => {
      for (const to of recipients) await service.enqueue('welcome', to, { name: 'Outage', appUrl: 'http://calento.test' }, { userId: user.id });
    });
    // Connection refused: every message is waiting for a retry, none lost.
    await eventually(async () => {
      const { rows } = await t.db.query<{ retrying: number }>(
        `SELECT count(*) AS retrying FROM email_queue WHERE recipient = ANY($1) AND status = 'retrying' AND error_message IS NOT NULL`,
        [recipients],
      );
      return rows[0].retrying === recipients.length;
    }, 10_000, 'every email to fail its first attempt');
    const waiting = await api().get('/api/v1/notifications/emails?status=retrying&limit=50').set(user.auth).expect(200);
    expect(waiting.body.meta.total).toBe(recipients.length);
    expect(waiting.body.data[0].errorMessage).toMatch(/ECONNREFUSED|connect/i);
    await sink.up();
    await eventually(() => recipients.every((to) => sink.to(to).length > 0), 20_000, 'every email after the outage');
    await sleep(300);
    for (const to of recipients) expect(sink.to(to)).toHaveLength(1);
    const { rows } = await t.db.query<{ status: string; n: number }>(
      'SELECT status, count(*) AS n FROM email_queue WHERE recipient = ANY($1) GROUP BY status',
      [recipients],
    );
    expect(rows).toEqual([{ status: 'sent', n: recipients.length }]);
  });
});

describe('GET /notifications/emails', () => {
  it('lists only your own emails, newest first, paginated, without bodies', async () => {
    const ada = await registerUser(t.http, { name: 'Ada' });
    const bob = await registerUser(t.http, { name: 'Bob' });
    await api().post('/api/v1/auth/forgot-password').send({ email: ada.email }).expect(202);
    await eventually(async () => (await emailsTo(ada.email)).every((row) => row.status === 'sent') && (await emailsTo(ada.email)).length === 2);

    const all = await api().get('/api/v1/notifications/emails').set(ada.auth).expect(200);
    expect(all.body.meta).toEqual({ page: 1, limit: 50, total: 2 });
    expect(all.body.data.map((e: { templateKey: string }) => e.templateKey)).toEqual(['password_reset', 'welcome']);
    expect(all.body.data[0]).toEqual({
      id: expect.any(String),
      templateKey: 'password_reset',
      recipient: ada.email,
      subject: 'Reset your Calento password',
      status: 'sent',
      attempts: 1,
      scheduledAt: expect.any(String),
      sentAt: expect.any(String),
      errorMessage: null,
      calendarMethod: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(JSON.stringify(all.body)).not.toMatch(/body|token/i);

    const page2 = await api().get('/api/v1/notifications/emails?page=2&limit=1').set(ada.auth).expect(200);
    expect(page2.body.meta).toEqual({ page: 2, limit: 1, total: 2 });
    expect(page2.body.data.map((e: { templateKey: string }) => e.templateKey)).toEqual(['welcome']);
    const beyond = await api().get('/api/v1/notifications/emails?page=9&limit=1').set(ada.auth).expect(200);
    expect(beyond.body).toEqual({ data: [], meta: { page: 9, limit: 1, total: 2 } });

    const bobs = await api().get('/api/v1/notifications/emails').set(bob.auth).expect(200);
    expect(bobs.body.data.map((e: { recipient: string }) => e.recipient)).toEqual([bob.email]);
    const filtered = await api().get('/api/v1/notifications/emails?status=queued').set(ada.auth).expect(200);
    expect(filtered.body).toEqual({ data: [], meta: { page: 1, limit: 50, total: 0 } });
  });

  it('forgets the emails of a deleted account', async () => {
    const user = await registerUser(t.http);
    await eventually(async () => (await emailsTo(user.email)).length === 1);
    await api().delete('/api/v1/users/me').set(user.auth).send({ password: user.password }).expect(204);
    expect(await emailsTo(user.email)).toHaveLength(0);
  });

  it('needs a token', async () => {
    expectProblem(await api().get('/api/v1/notifications/emails'), 401, 'UNAUTHENTICATED');
  });

  it.each([
    ['page=0', 'page'],
    ['page=abc', 'page'],
    ['limit=0', 'limit'],
    ['limit=1000', 'limit'],
    ['limit=2.5', 'limit'],
    ['status=delivered', 'status'],
    ['sort=subject', 'sort'],
  ])('answers 400 for ?%s', async (query, field) => {
    const user = await registerUser(t.http);
    expectProblem(await api().get(`/api/v1/notifications/emails?${query}`).set(user.auth), 400, 'VALIDATION_FAILED', [field]);
  });
});
