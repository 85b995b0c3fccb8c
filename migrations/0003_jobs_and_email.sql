-- The durable job queue every side effect uses (emails now; webhooks, Slack and Google pushes later),
-- and the email module on top of it: templates and the email queue.

-- One row per unit of work. A job is written in the same transaction as the change that causes it,
-- claimed by a worker with FOR UPDATE SKIP LOCKED under a lease (lease_token + locked_until), retried
-- with backoff until max_attempts, then left 'failed' with its last error (the dead letters).
CREATE TABLE jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'queued',
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL,
  run_at timestamptz NOT NULL DEFAULT now(),
  -- Enqueueing twice with one key is a no-op (reminders, daily summaries, scheduler ticks).
  dedupe_key text,
  -- The worker that claimed the job last (kept after it finishes, for inspection).
  claimed_by text,
  -- A new token per claim: a worker whose lease expired cannot complete a job someone else reclaimed.
  lease_token uuid,
  locked_until timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  CONSTRAINT jobs_status_check CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  CONSTRAINT jobs_attempts_check CHECK (attempts >= 0 AND max_attempts >= 1),
  CONSTRAINT jobs_lease_check CHECK ((status = 'running') = (lease_token IS NOT NULL AND locked_until IS NOT NULL)),
  CONSTRAINT jobs_kind_format CHECK (kind ~ '^[a-z][a-z0-9_.-]{0,63}$')
);
CREATE UNIQUE INDEX jobs_dedupe_key_key ON jobs (dedupe_key) WHERE dedupe_key IS NOT NULL AND status <> 'cancelled';
CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE status = 'queued';
CREATE INDEX jobs_lease_idx ON jobs (locked_until) WHERE status = 'running';
CREATE INDEX jobs_finished_idx ON jobs (finished_at) WHERE status IN ('succeeded', 'failed', 'cancelled');
CREATE INDEX jobs_user_idx ON jobs (user_id) WHERE user_id IS NOT NULL;

-- Handlebars templates. subject and body_text render without HTML escaping, body_html with it.
-- variables documents each variable: [{ "name", "required", "description" }]; required ones are checked.
CREATE TABLE email_templates (
  template_key text PRIMARY KEY,
  subject text NOT NULL,
  body_html text NOT NULL,
  body_text text NOT NULL,
  variables jsonb NOT NULL DEFAULT '[]'::jsonb,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT email_templates_key_format CHECK (template_key ~ '^[a-z][a-z0-9_]{0,63}$'),
  CONSTRAINT email_templates_variables_array CHECK (jsonb_typeof(variables) = 'array')
);

-- Every email Calento sends, rendered when it is queued; its 'email.send' job delivers it. The owner
-- (user_id) sees these rows through GET /notifications/emails.
CREATE TABLE email_queue (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  job_id uuid REFERENCES jobs (id) ON DELETE SET NULL,
  template_key text NOT NULL REFERENCES email_templates (template_key),
  recipient text NOT NULL,
  recipient_name text,
  subject text NOT NULL,
  body_html text NOT NULL,
  body_text text NOT NULL,
  ics_method text,
  ics_content text,
  status text NOT NULL DEFAULT 'queued',
  attempts integer NOT NULL DEFAULT 0,
  scheduled_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  error_message text,
  message_id text,
  -- Bodies holding a secret (password reset) are blanked once the message is sent or has failed.
  redact_after_send boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT email_queue_status_check CHECK (status IN ('queued', 'retrying', 'sent', 'failed', 'cancelled')),
  CONSTRAINT email_queue_ics_check CHECK (
    (ics_method IS NULL AND ics_content IS NULL) OR (ics_method IN ('REQUEST', 'CANCEL') AND ics_content IS NOT NULL)
  ),
  CONSTRAINT email_queue_sent_check CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX email_queue_user_idx ON email_queue (user_id, created_at DESC, id DESC);
CREATE INDEX email_queue_job_idx ON email_queue (job_id);

INSERT INTO email_templates (template_key, subject, body_html, body_text, variables) VALUES
('welcome',
 $s$Welcome to Calento, {{name}}$s$,
 $h$<h1>Welcome to Calento, {{name}}!</h1>
<p>Your account is ready. Connect your calendars, share a booking link and let Calento find the time.</p>
<p><a href="{{appUrl}}">Open Calento</a></p>$h$,
 $t$Welcome to Calento, {{name}}!

Your account is ready. Connect your calendars, share a booking link and let Calento find the time.

Open Calento: {{appUrl}}
$t$,
 $v$[{"name":"name","required":true,"description":"The new user's name"},
     {"name":"appUrl","required":true,"description":"Link to the app"}]$v$),

('password_reset',
 $s$Reset your Calento password$s$,
 $h$<p>Hi {{name}},</p>
<p>Someone asked to reset the password of your Calento account.</p>
<p><a href="{{resetUrl}}">Choose a new password</a></p>
<p>Or send this token to <code>POST /api/v1/auth/reset-password</code>: <code>{{token}}</code></p>
<p>The token works once and expires in {{ttlMinutes}} minutes. If you did not ask for this, ignore this email.</p>$h$,
 $t$Hi {{name}},

Someone asked to reset the password of your Calento account.

Open {{resetUrl}}
or send this token to POST /api/v1/auth/reset-password:
{{token}}

The token works once and expires in {{ttlMinutes}} minutes. If you did not ask for this, ignore this email.
$t$,
 $v$[{"name":"name","required":true,"description":"The user's name"},
     {"name":"resetUrl","required":true,"description":"Link to the reset page, token included"},
     {"name":"token","required":true,"description":"The single-use reset token"},
     {"name":"ttlMinutes","required":true,"description":"Minutes until the token expires"}]$v$),

('event_invitation',
 $s$Invitation: {{title}} @ {{datetime start timezone}}$s$,
 $h${{#if recipientName}}<p>Hi {{recipientName}},</p>{{/if}}
<p>{{organizerName}} invites you to:</p>
<h2>{{title}}</h2>
<p><strong>When:</strong> {{range start end timezone}}</p>
{{#if location}}<p><strong>Where:</strong> {{location}}</p>{{/if}}
{{#if description}}<p>{{description}}</p>{{/if}}
<p>The invitation is attached: your calendar app can accept or decline it.</p>$h$,
 $t${{#if recipientName}}Hi {{recipientName}},

{{/if}}{{organizerName}} invites you to:

{{title}}
When: {{range start end timezone}}
{{#if location}}Where: {{location}}
{{/if}}{{#if description}}
{{description}}
{{/if}}
The invitation is attached: your calendar app can accept or decline it.
$t$,
 $v$[{"name":"organizerName","required":true,"description":"Who invites"},
     {"name":"title","required":true,"description":"Event title"},
     {"name":"start","required":true,"description":"Start instant"},
     {"name":"end","required":true,"description":"End instant"},
     {"name":"timezone","required":true,"description":"IANA zone the times are shown in"},
     {"name":"recipientName","required":false,"description":"The attendee's name"},
     {"name":"location","required":false,"description":"Where"},
     {"name":"description","required":false,"description":"Event description"}]$v$),

('event_update',
 $s$Updated: {{title}} @ {{datetime start timezone}}$s$,
 $h${{#if recipientName}}<p>Hi {{recipientName}},</p>{{/if}}
<p>{{organizerName}} changed this event:</p>
<h2>{{title}}</h2>
<p><strong>When:</strong> {{range start end timezone}}</p>
{{#if location}}<p><strong>Where:</strong> {{location}}</p>{{/if}}
{{#if description}}<p>{{description}}</p>{{/if}}
<p>The updated invitation is attached.</p>$h$,
 $t${{#if recipientName}}Hi {{recipientName}},

{{/if}}{{organizerName}} changed this event:

{{title}}
When: {{range start end timezone}}
{{#if location}}Where: {{location}}
{{/if}}{{#if description}}
{{description}}
{{/if}}
The updated invitation is attached.
$t$,
 $v$[{"name":"organizerName","required":true,"description":"Who changed the event"},
     {"name":"title","required":true,"description":"Event title"},
     {"name":"start","required":true,"description":"New start instant"},
     {"name":"end","required":true,"description":"New end instant"},
     {"name":"timezone","required":true,"description":"IANA zone the times are shown in"},
     {"name":"recipientName","required":false,"description":"The attendee's name"},
     {"name":"location","required":false,"description":"Where"},
     {"name":"description","required":false,"description":"Event description"}]$v$),

('event_cancellation',
 $s$Cancelled: {{title}} @ {{datetime start timezone}}$s$,
 $h${{#if recipientName}}<p>Hi {{recipientName}},</p>{{/if}}
<p>{{organizerName}} cancelled this event:</p>
<h2>{{title}}</h2>
<p><strong>When:</strong> <s>{{range start end timezone}}</s></p>
<p>The attached cancellation removes it from your calendar.</p>$h$,
 $t${{#if recipientName}}Hi {{recipientName}},

{{/if}}{{organizerName}} cancelled this event:

{{title}}
When: {{range start end timezone}} (cancelled)

The attached cancellation removes it from your calendar.
$t$,
 $v$[{"name":"organizerName","required":true,"description":"Who cancelled"},
     {"name":"title","required":true,"description":"Event title"},
     {"name":"start","required":true,"description":"Start instant"},
     {"name":"end","required":true,"description":"End instant"},
     {"name":"timezone","required":true,"description":"IANA zone the times are shown in"},
     {"name":"recipientName","required":false,"description":"The attendee's name"}]$v$),

('event_reminder',
 $s$Reminder: {{title}} at {{time start timezone}}$s$,
 $h${{#if name}}<p>Hi {{name}},</p>{{/if}}
<p><strong>{{title}}</strong> starts in {{duration minutesBefore}}.</p>
<p><strong>When:</strong> {{range start end timezone}}</p>
{{#if location}}<p><strong>Where:</strong> {{location}}</p>{{/if}}$h$,
 $t${{#if name}}Hi {{name}},

{{/if}}{{title}} starts in {{duration minutesBefore}}.

When: {{range start end timezone}}
{{#if location}}Where: {{location}}
{{/if}}$t$,
 $v$[{"name":"title","required":true,"description":"Event title"},
     {"name":"start","required":true,"description":"Start instant"},
     {"name":"end","required":true,"description":"End instant"},
     {"name":"timezone","required":true,"description":"IANA zone the times are shown in"},
     {"name":"minutesBefore","required":true,"description":"Lead time of the reminder, in minutes"},
     {"name":"name","required":false,"description":"The recipient's name"},
     {"name":"location","required":false,"description":"Where"}]$v$),

('booking_confirmation_booker',
 $s$Confirmed: {{title}} with {{hostName}}$s$,
 $h$<p>Hi {{bookerName}},</p>
<p>Your booking with {{hostName}} is confirmed.</p>
<h2>{{title}}</h2>
<p><strong>When:</strong> {{range start end timezone}}</p>
{{#if location}}<p><strong>Where:</strong> {{location}}</p>{{/if}}
{{#if notes}}<p><strong>Your notes:</strong> {{notes}}</p>{{/if}}
{{#if manageUrl}}<p><a href="{{manageUrl}}">Reschedule or cancel</a></p>{{/if}}
<p>The invitation is attached.</p>$h$,
 $t$Hi {{bookerName}},

Your booking with {{hostName}} is confirmed.

{{title}}
When: {{range start end timezone}}
{{#if location}}Where: {{location}}
{{/if}}{{#if notes}}Your notes: {{notes}}
{{/if}}{{#if manageUrl}}
Reschedule or cancel: {{manageUrl}}
{{/if}}
The invitation is attached.
$t$,
 $v$[{"name":"bookerName","required":true,"description":"Who booked"},
     {"name":"hostName","required":true,"description":"The host"},
     {"name":"title","required":true,"description":"Booking link title"},
     {"name":"start","required":true,"description":"Start instant"},
     {"name":"end","required":true,"description":"End instant"},
     {"name":"timezone","required":true,"description":"The booker's IANA zone"},
     {"name":"location","required":false,"description":"Where"},
     {"name":"notes","required":false,"description":"The booker's notes"},
     {"name":"manageUrl","required":false,"description":"The booker's manage link"}]$v$),

('booking_confirmation_host',
 $s$New booking: {{title}} with {{bookerName}}$s$,
 $h$<p>Hi {{hostName}},</p>
<p>{{bookerName}} (<a href="mailto:{{bookerEmail}}">{{bookerEmail}}</a>) booked time with you.</p>
<h2>{{title}}</h2>
<p><strong>When:</strong> {{range start end timezone}}</p>
{{#if location}}<p><strong>Where:</strong> {{location}}</p>{{/if}}
{{#if notes}}<p><strong>Notes:</strong> {{notes}}</p>{{/if}}
<p>The invitation is attached.</p>$h$,
 $t$Hi {{hostName}},

{{bookerName}} <{{bookerEmail}}> booked time with you.

{{title}}
When: {{range start end timezone}}
{{#if location}}Where: {{location}}
{{/if}}{{#if notes}}Notes: {{notes}}
{{/if}}
The invitation is attached.
$t$,
 $v$[{"name":"hostName","required":true,"description":"The host"},
     {"name":"bookerName","required":true,"description":"Who booked"},
     {"name":"bookerEmail","required":true,"description":"The booker's email"},
     {"name":"title","required":true,"description":"Booking link title"},
     {"name":"start","required":true,"description":"Start instant"},
     {"name":"end","required":true,"description":"End instant"},
     {"name":"timezone","required":true,"description":"The host's IANA zone"},
     {"name":"location","required":false,"description":"Where"},
     {"name":"notes","required":false,"description":"The booker's notes"}]$v$),

('booking_cancellation',
 $s$Cancelled: {{title}} with {{otherPartyName}}$s$,
 $h$<p>Hi {{recipientName}},</p>
<p>{{cancelledByName}} cancelled this booking:</p>
<h2>{{title}}</h2>
<p><strong>When:</strong> <s>{{range start end timezone}}</s></p>
{{#if reason}}<p><strong>Reason:</strong> {{reason}}</p>{{/if}}
<p>The attached cancellation removes it from your calendar.</p>$h$,
 $t$Hi {{recipientName}},

{{cancelledByName}} cancelled this booking:

{{title}}
When: {{range start end timezone}} (cancelled)
{{#if reason}}Reason: {{reason}}
{{/if}}
The attached cancellation removes it from your calendar.
$t$,
 $v$[{"name":"recipientName","required":true,"description":"Who receives this email"},
     {"name":"otherPartyName","required":true,"description":"The other side of the booking"},
     {"name":"cancelledByName","required":true,"description":"Who cancelled"},
     {"name":"title","required":true,"description":"Booking link title"},
     {"name":"start","required":true,"description":"Start instant"},
     {"name":"end","required":true,"description":"End instant"},
     {"name":"timezone","required":true,"description":"The recipient's IANA zone"},
     {"name":"reason","required":false,"description":"Why it was cancelled"}]$v$),

('booking_reschedule',
 $s$Rescheduled: {{title}} with {{otherPartyName}}$s$,
 $h$<p>Hi {{recipientName}},</p>
<p>Your booking with {{otherPartyName}} has moved.</p>
<h2>{{title}}</h2>
<p><strong>Now:</strong> {{range start end timezone}}</p>
<p><strong>Was:</strong> <s>{{range previousStart previousEnd timezone}}</s></p>
{{#if manageUrl}}<p><a href="{{manageUrl}}">Reschedule or cancel</a></p>{{/if}}
<p>The updated invitation is attached.</p>$h$,
 $t$Hi {{recipientName}},

Your booking with {{otherPartyName}} has moved.

{{title}}
Now: {{range start end timezone}}
Was: {{range previousStart previousEnd timezone}}
{{#if manageUrl}}
Reschedule or cancel: {{manageUrl}}
{{/if}}
The updated invitation is attached.
$t$,
 $v$[{"name":"recipientName","required":true,"description":"Who receives this email"},
     {"name":"otherPartyName","required":true,"description":"The other side of the booking"},
     {"name":"title","required":true,"description":"Booking link title"},
     {"name":"start","required":true,"description":"New start instant"},
     {"name":"end","required":true,"description":"New end instant"},
     {"name":"previousStart","required":true,"description":"Old start instant"},
     {"name":"previousEnd","required":true,"description":"Old end instant"},
     {"name":"timezone","required":true,"description":"The recipient's IANA zone"},
     {"name":"manageUrl","required":false,"description":"The booker's manage link"}]$v$),

('daily_summary',
 $s$Your day, {{date day timezone}}: {{plural count "event" "events"}}$s$,
 $h$<p>Good morning {{name}},</p>
{{#if count}}<p>Here is your day ({{timezone}}):</p>
<ul>
{{#each events}}<li><strong>{{range start end ../timezone}}</strong> {{title}}{{#if location}} ({{location}}){{/if}}</li>
{{/each}}</ul>{{else}}<p>Nothing on your calendar today.</p>{{/if}}
<p><a href="{{appUrl}}">Open Calento</a></p>$h$,
 $t$Good morning {{name}},

{{#if count}}Here is your day ({{timezone}}):

{{#each events}}- {{range start end ../timezone}}  {{title}}{{#if location}} ({{location}}){{/if}}
{{/each}}{{else}}Nothing on your calendar today.
{{/if}}
Open Calento: {{appUrl}}
$t$,
 $v$[{"name":"name","required":true,"description":"The user's name"},
     {"name":"day","required":true,"description":"The local day summarized (instant at its 07:00)"},
     {"name":"timezone","required":true,"description":"The user's IANA zone"},
     {"name":"count","required":true,"description":"Number of events"},
     {"name":"events","required":true,"description":"[{ title, start, end, location? }]"},
     {"name":"appUrl","required":true,"description":"Link to the app"}]$v$);
