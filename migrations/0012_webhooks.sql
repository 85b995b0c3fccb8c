-- Outgoing webhooks (Standard Webhooks): a user's endpoints and one delivery per (endpoint, change). The
-- webhooks module is the one writer of both tables; each delivery is sent by a 'webhook.deliver' job.

CREATE TABLE webhooks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  url text NOT NULL,
  description text,
  -- The event types it receives; empty means every type.
  event_types text[] NOT NULL DEFAULT '{}',
  -- Sealed with SecretBox, context 'webhooks.secret:<id>'; the previous one (after a rotation) signs too
  -- until previous_secret_expires_at, so a receiver can switch without losing a message.
  secret text NOT NULL,
  previous_secret text,
  previous_secret_expires_at timestamptz,
  enabled boolean NOT NULL DEFAULT true,
  -- Why it was disabled: 'user', 'gone' (the receiver answered 410) or 'failing' (5 days of failures).
  disabled_reason text,
  disabled_at timestamptz,
  -- The first failed attempt since the last success: 5 days of failures disable the endpoint.
  failing_since timestamptz,
  last_success_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT webhooks_url_length CHECK (char_length(url) BETWEEN 1 AND 2048),
  CONSTRAINT webhooks_description_length CHECK (description IS NULL OR char_length(description) <= 500),
  CONSTRAINT webhooks_event_types_count CHECK (cardinality(event_types) <= 50),
  CONSTRAINT webhooks_disabled_reason_check CHECK (
    (enabled AND disabled_reason IS NULL) OR (NOT enabled AND disabled_reason IN ('user', 'gone', 'failing'))
  ),
  CONSTRAINT webhooks_previous_secret_check CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL))
);
CREATE INDEX webhooks_user_idx ON webhooks (user_id, created_at);

-- One message to one endpoint: its id is the `webhook-id` header (msg_<...>), the same on every attempt
-- and on a redelivery, so receivers can deduplicate.
CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  message_id text NOT NULL,
  webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- The change it carries (null for a ping).
  change_seq bigint,
  event_type text NOT NULL,
  -- The exact JSON body sent (signed as these bytes).
  body text NOT NULL,
  -- pending: queued or between attempts; succeeded: a 2xx; failed: attempts ran out, a 410, or the
  -- endpoint was disabled or refused by the address guard.
  status text NOT NULL DEFAULT 'pending',
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  last_attempt_at timestamptz,
  response_status integer,
  -- The first 1 KiB of the last response, and the last error (timeout, refused address, redirect...).
  response_excerpt text,
  last_error text,
  duration_ms integer,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('pending', 'succeeded', 'failed'))
);
-- A change is delivered to an endpoint once, however often the feed hands it over.
CREATE UNIQUE INDEX webhook_deliveries_change_key ON webhook_deliveries (webhook_id, change_seq) WHERE change_seq IS NOT NULL;
CREATE UNIQUE INDEX webhook_deliveries_message_key ON webhook_deliveries (message_id);
CREATE INDEX webhook_deliveries_list_idx ON webhook_deliveries (webhook_id, created_at DESC, id DESC);

-- The email an owner gets when Calento stops sending to one of their endpoints.
INSERT INTO email_templates (template_key, subject, body_html, body_text, variables) VALUES
('webhook_disabled',
 $s$Calento stopped sending webhooks to {{url}}$s$,
 $h$<p>Hi {{name}},</p>
<p>Calento disabled your webhook endpoint <code>{{url}}</code>: {{reason}}</p>
<p>Messages for it are no longer sent. Once the receiver works again, enable the endpoint (PATCH /api/v1/webhooks/{{webhookId}} with <code>{"enabled": true}</code>) and redeliver what it missed from its delivery log.</p>$h$,
 $t$Hi {{name}},

Calento disabled your webhook endpoint {{url}}: {{reason}}

Messages for it are no longer sent. Once the receiver works again, enable the endpoint (PATCH /api/v1/webhooks/{{webhookId}} with {"enabled": true}) and redeliver what it missed from its delivery log.
$t$,
 $v$[{"name":"name","required":true,"description":"The owner's name"},
     {"name":"url","required":true,"description":"The endpoint's URL"},
     {"name":"reason","required":true,"description":"Why it was disabled, in a sentence"},
     {"name":"webhookId","required":true,"description":"The endpoint's id"}]$v$);
