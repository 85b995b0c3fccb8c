-- The daily summary shows an all-day event as all-day: its instants are midnights of its own zone,
-- which written as a time range in the reader's zone looked like a timed span across two days.
UPDATE email_templates SET
  body_html = $h$<p>Good morning {{name}},</p>
{{#if count}}<p>Here is your day ({{timezone}}):</p>
<ul>
{{#each events}}<li><strong>{{#if allDay}}All day{{else}}{{range start end ../timezone}}{{/if}}</strong> {{title}}{{#if location}} ({{location}}){{/if}}</li>
{{/each}}</ul>{{else}}<p>Nothing on your calendar today.</p>{{/if}}
<p><a href="{{appUrl}}">Open Calento</a></p>$h$,
  body_text = $t$Good morning {{name}},

{{#if count}}Here is your day ({{timezone}}):

{{#each events}}- {{#if allDay}}All day{{else}}{{range start end ../timezone}}{{/if}}  {{title}}{{#if location}} ({{location}}){{/if}}
{{/each}}{{else}}Nothing on your calendar today.
{{/if}}
Open Calento: {{appUrl}}
$t$,
  variables = $v$[{"name":"name","required":true,"description":"The user's name"},
     {"name":"day","required":true,"description":"The local day summarized (instant at its 07:00)"},
     {"name":"timezone","required":true,"description":"The user's IANA zone"},
     {"name":"count","required":true,"description":"Number of events"},
     {"name":"events","required":true,"description":"[{ title, start, end, allDay, location? }]: all-day ones are listed without times"},
     {"name":"appUrl","required":true,"description":"Link to the app"}]$v$,
  updated_at = now()
WHERE template_key = 'daily_summary';
