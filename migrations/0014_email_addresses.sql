-- Email verification (docs/auth.md): the addresses a user verified, or is verifying: their account
-- address (the row whose email is users.email) and extra notification addresses they added. The email
-- module is the one writer.
CREATE TABLE email_addresses (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  email citext NOT NULL,
  verified_at timestamptz,
  -- SHA-256 of the pending verification token (the link's), single use; null once used or never sent.
  token_hash bytea,
  token_expires_at timestamptz,
  token_sent_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT email_addresses_user_email_key UNIQUE (user_id, email),
  CONSTRAINT email_addresses_token_check CHECK ((token_hash IS NULL) = (token_expires_at IS NULL))
);
CREATE UNIQUE INDEX email_addresses_token_key ON email_addresses (token_hash) WHERE token_hash IS NOT NULL;

-- The verification email: a single-use link to the app's /verify-email page (FRONTEND_URL).
INSERT INTO email_templates (template_key, subject, body_html, body_text, variables) VALUES
('email_verification',
 $s$Confirm {{email}} for Calento$s$,
 $h$<p>Hi {{name}},</p>
<p>Please confirm that Calento may send your notifications to <strong>{{email}}</strong>.</p>
<p><a href="{{verifyUrl}}">Confirm this address</a></p>
<p>Or send this token to <code>POST /api/v1/integrations/email/confirm</code>: <code>{{token}}</code></p>
<p>The link works once and expires in {{ttlHours}} hours. If you did not ask for this, ignore this email.</p>$h$,
 $t$Hi {{name}},

Please confirm that Calento may send your notifications to {{email}}.

Open {{verifyUrl}}
or send this token to POST /api/v1/integrations/email/confirm:
{{token}}

The link works once and expires in {{ttlHours}} hours. If you did not ask for this, ignore this email.
$t$,
 $v$[{"name":"name","required":true,"description":"The user's name"},
     {"name":"email","required":true,"description":"The address being verified"},
     {"name":"verifyUrl","required":true,"description":"The app's verification page with the token"},
     {"name":"token","required":true,"description":"The single-use token (also in the link)"},
     {"name":"ttlHours","required":true,"description":"Hours until the link expires"}]$v$);
