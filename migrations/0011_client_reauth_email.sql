-- The email a user gets when Google stops accepting a client's tokens (revoked access, expired grant, a
-- deleted OAuth client): Calento stops syncing that client until they connect it again.
INSERT INTO email_templates (template_key, subject, body_html, body_text, variables) VALUES
('client_needs_reauth',
 $s$Reconnect {{clientName}}'s Google Calendar$s$,
 $h$<p>Hi {{name}},</p>
<p>Google no longer accepts Calento's access to the calendars of <strong>{{clientName}}</strong>{{#if accountEmail}} ({{accountEmail}}){{/if}}. Access may have been revoked in the Google account, or it expired.</p>
<p>Until you connect it again, Calento cannot read or update these calendars.</p>
<p><a href="{{reconnectUrl}}">Reconnect {{clientName}}</a></p>$h$,
 $t$Hi {{name}},

Google no longer accepts Calento's access to the calendars of {{clientName}}{{#if accountEmail}} ({{accountEmail}}){{/if}}. Access may have been revoked in the Google account, or it expired.

Until you connect it again, Calento cannot read or update these calendars.

Reconnect {{clientName}}: {{reconnectUrl}}
$t$,
 $v$[{"name":"name","required":true,"description":"The user's name"},
     {"name":"clientName","required":true,"description":"The client whose Google account needs consent again"},
     {"name":"accountEmail","required":false,"description":"The Google account of the client"},
     {"name":"reconnectUrl","required":true,"description":"The client's page in the app, where the user authorizes again"}]$v$);
