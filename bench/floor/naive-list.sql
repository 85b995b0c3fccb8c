-- Calento's GET /events list statement before PostgreSQL built the page's JSON (listPage, commit 2b40e98):
-- rows that Node parses, maps and stringifies. The floor bench's "events-naive" route runs it, to show
-- where JSON built by PostgreSQL puts Calento against the naive floor.
SELECT id, user_id, title, description, location, start_time, end_time, timezone, is_all_day,
  start_date::text AS start_date, end_date::text AS end_date, status, transparency, color, visibility, reminders,
  attachments, recurrence_rule, recurrence_exdates, local_start, recurrence_end, series_id, original_start, ical_uid,
  sequence, source, created_at, updated_at, role, my_response,
  (SELECT coalesce(json_agg(json_build_object('id', t.id, 'name', t.name, 'color', t.color) ORDER BY t.name), '[]')
   FROM event_tags et JOIN tags t ON t.id = et.tag_id WHERE et.event_id = coalesce(v.series_id, v.id)) AS tags,
  (SELECT coalesce(json_agg(json_build_object('email', a.email, 'name', a.name, 'responseStatus', a.response_status,
     'respondedAt', a.responded_at) ORDER BY a.created_at, a.email), '[]')
   FROM event_attendees a WHERE a.event_id = coalesce(v.series_id, v.id)) AS attendees, count(*) OVER ()::int AS total FROM (
  SELECT e.id, e.user_id, e.title, e.description, e.location, e.start_time, e.end_time, e.timezone, e.is_all_day, e.start_date, e.end_date, e.status, e.transparency, e.color, e.visibility, e.reminders, e.attachments, e.recurrence_rule, e.recurrence_exdates, e.local_start, e.recurrence_end, e.series_id, e.original_start, e.ical_uid, e.span, e.search, e.sequence, e.source, e.created_at, e.updated_at, 'owner'::text AS role, NULL::text AS my_response
  FROM events e WHERE e.user_id = $1
  UNION ALL
  SELECT e.id, e.user_id, e.title, e.description, e.location, e.start_time, e.end_time, e.timezone, e.is_all_day, e.start_date, e.end_date, e.status, e.transparency, e.color, e.visibility, e.reminders, e.attachments, e.recurrence_rule, e.recurrence_exdates, e.local_start, e.recurrence_end, e.series_id, e.original_start, e.ical_uid, e.span, e.search, e.sequence, e.source, e.created_at, e.updated_at, 'attendee'::text AS role, a.response_status AS my_response
  FROM event_attendees a JOIN events e ON e.id = a.event_id OR e.series_id = a.event_id
  WHERE a.email = $2 AND e.user_id <> $1
) v WHERE series_id IS NULL AND span && tstzrange($3, $4)
       ORDER BY start_time ASC, id ASC LIMIT $5 OFFSET $6
