import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { QueryResultRow } from 'pg';
import { Database } from '../../db/database.js';
import { pageWithTotal } from '../../db/paged.js';
import { UserOwnedRepository } from '../../db/user-owned.repository.js';
import {
  busyEventColumns,
  eventColumns,
  sameTimeKey,
  toBusyEvent,
  toEvent,
  type Attendee,
  type BusyEventRecord,
  type EventRecord,
  type EventRow,
  type EventWrite,
  type ResponseStatus,
} from './events.rows.js';

export type Role = 'owner' | 'attendee';

/** The client's Google calendar an event was mirrored from (the stacked view). */
export interface EventCalendar {
  clientId: string;
  calendarId: string;
  clientName: string;
  color: string;
}

export interface VisibleEvent {
  event: EventRecord;
  role: Role;
  myResponse: ResponseStatus | null;
  /** Loaded with the event by the list queries; undefined when not loaded. */
  calendar?: EventCalendar | null;
  /** Loaded with the event (of its series, for overrides) by the list queries. */
  tags?: Array<{ id: string; name: string; color: string }>;
  attendees?: Attendee[];
}

interface VisibleRow extends EventRow {
  role: Role;
  my_response: ResponseStatus | null;
  calendar?: EventCalendar | null;
  tags?: Array<{ id: string; name: string; color: string }>;
  attendees?: Array<Omit<Attendee, 'respondedAt'> & { respondedAt: string | null }>;
}

/** An event of the busy-time read (findBusyInWindow): only what busy time needs. */
export interface BusyVisibleEvent {
  event: BusyEventRecord;
  role: Role;
  myResponse: ResponseStatus | null;
}

export interface EventFilters {
  from?: Date;
  to?: Date;
  q?: string;
  tagId?: string;
  status?: string;
  /** Only events mirrored from this client's Google calendars (and, with calendarId, that one). */
  clientId?: string;
  calendarId?: string;
  /** 'exclude': leave out every event mirrored from Google; a list: only events of those sources. */
  googleSources?: 'exclude' | string[];
  /** Only what blocks time (blocksTime in event-busy.ts): busy, not cancelled, owned or accepted. */
  blocksTime?: boolean;
}

const sortColumns = { startTime: 'start_time', endTime: 'end_time', title: 'title', createdAt: 'created_at' } as const;
export type EventSort = keyof typeof sortColumns;

const tableColumns = [
  'id', 'user_id', 'title', 'description', 'location', 'start_time', 'end_time', 'timezone', 'is_all_day', 'start_date',
  'end_date', 'status', 'transparency', 'color', 'visibility', 'reminders', 'attachments', 'recurrence_rule',
  'recurrence_exdates', 'local_start', 'recurrence_end', 'series_id', 'original_start', 'ical_uid', 'span', 'search',
  'sequence', 'source', 'created_at', 'updated_at',
];
const branchColumns = tableColumns.map((column) => `e.${column}`).join(', ');

/**
 * Everything the caller may see: their own events, and (read-only) events whose master lists their
 * email as an attendee. Written as UNION ALL so each branch keeps its index (user_id, attendee email);
 * PostgreSQL pushes the outer window/filter conditions into both branches.
 */
const visibleEvents = `(
  SELECT ${branchColumns}, 'owner'::text AS role, NULL::text AS my_response
  FROM events e WHERE e.user_id = $1
  UNION ALL
  SELECT ${branchColumns}, 'attendee'::text AS role, a.response_status AS my_response
  FROM event_attendees a JOIN events e ON e.id = a.event_id OR e.series_id = a.event_id
  WHERE a.email = $2 AND e.user_id <> $1
) v`;

/**
 * The client calendar an owned event was mirrored from (source 'google:<client_calendars.id>'), as the
 * response's `calendar` object; null for the user's own events and for invitations.
 */
const calendarOf = (alias: string) => `CASE WHEN ${alias}.role = 'owner' THEN
  (SELECT row_to_json(k) FROM (SELECT cc.client_id AS "clientId", cc.calendar_id AS "calendarId", cl.name AS "clientName", cl.color
     FROM client_calendars cc JOIN clients cl ON cl.id = cc.client_id
    WHERE cc.user_id = ${alias}.user_id
      AND 'google:' || cc.id = CASE WHEN ${alias}.series_id IS NULL THEN ${alias}.source
                                    ELSE (SELECT r.source FROM events r WHERE r.id = ${alias}.series_id) END) k) END`;

/** Enough to place events in time (busy time, schedules): no tags or attendees. */
const leanVisibleColumns = `${eventColumns}, role, my_response`;
const busyColumns = `${busyEventColumns}, role, my_response`;

// Tags and attendees come with each row (those of the series, for an override): one round trip per list.
const visibleColumns = `${leanVisibleColumns},
  (SELECT coalesce(json_agg(json_build_object('id', t.id, 'name', t.name, 'color', t.color) ORDER BY t.name), '[]')
   FROM event_tags et JOIN tags t ON t.id = et.tag_id WHERE et.event_id = coalesce(v.series_id, v.id)) AS tags,
  (SELECT coalesce(json_agg(json_build_object('email', a.email, 'name', a.name, 'responseStatus', a.response_status,
     'respondedAt', a.responded_at) ORDER BY a.created_at, a.email), '[]')
   FROM event_attendees a WHERE a.event_id = coalesce(v.series_id, v.id)) AS attendees,
  ${calendarOf('v')} AS calendar`;

/** An instant as JSON.stringify writes a Date (UTC, milliseconds, "Z"). */
const isoInstant = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * One listed row (`p`, from visibleEvents) as the JSON text of its response: the fields, their order and
 * their formats are EventViews' (viewOf), and the e2e tests compare both paths byte for byte. PostgreSQL
 * writes objects compactly only through row_to_json (json_build_object and jsonb add spaces), hence the
 * sub-selects; the jsonb columns are re-emitted compactly by json_strip_nulls (their objects hold no nulls).
 */
const listedJson = `(SELECT row_to_json(x)::text FROM (SELECT p.id, p.title, p.description, p.location,
  ${isoInstant('p.start_time')} AS "startTime", ${isoInstant('p.end_time')} AS "endTime", p.timezone,
  p.is_all_day AS "isAllDay", p.start_date::text AS "startDate", p.end_date::text AS "endDate", p.status, p.transparency,
  p.color, p.visibility, json_strip_nulls(p.reminders::json) AS reminders, json_strip_nulls(p.attachments::json) AS attachments,
  CASE WHEN p.recurrence_rule IS NULL THEN NULL
    ELSE (SELECT row_to_json(r) FROM (SELECT p.recurrence_rule AS rule, p.recurrence_exdates AS exdates) r) END AS recurrence,
  p.series_id AS "seriesId", p.original_start AS "occurrenceId", p.series_id IS NOT NULL AS "isOverride",
  (SELECT coalesce('[' || string_agg(row_to_json(t)::text, ',' ORDER BY t.name) || ']', '[]')
   FROM (SELECT tg.id, tg.name, tg.color FROM event_tags et JOIN tags tg ON tg.id = et.tag_id
         WHERE et.event_id = coalesce(p.series_id, p.id)) t)::json AS tags,
  (SELECT coalesce('[' || string_agg(row_to_json(j)::text, ',' ORDER BY at.created_at, at.email) || ']', '[]')
   FROM event_attendees at CROSS JOIN LATERAL (SELECT at.email, at.name, at.response_status AS "responseStatus",
     ${isoInstant('at.responded_at')} AS "respondedAt") j
   WHERE at.event_id = coalesce(p.series_id, p.id))::json AS attendees,
  p.role, p.role <> 'owner' AS "readOnly", p.my_response AS "myResponse", ${calendarOf('p')} AS calendar,
  ${isoInstant('p.created_at')} AS "createdAt", ${isoInstant('p.updated_at')} AS "updatedAt") x)`;

/** listPageJson's statements by shape (filters used, sort, direction): at most a few hundred. */
const listPageStatements = new Map<string, string>();

/**
 * Builds the WHERE clause for list filters. Only placeholders are generated here; every value travels as
 * a parameter. `first` is the number of the first free placeholder.
 */
function filterSql(filters: EventFilters, first: number): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const next = (value: unknown) => {
    params.push(value);
    return `$${first + params.length - 1}`;
  };
  // Overlap with the window, through the GiST index on (user_id, span); a missing bound is open.
  if (filters.from || filters.to) clauses.push(`span && tstzrange(${next(filters.from ?? null)}, ${next(filters.to ?? null)})`);
  if (filters.status) clauses.push(`status = ${next(filters.status)}`);
  if (filters.tagId) clauses.push(`EXISTS (SELECT 1 FROM event_tags t WHERE t.event_id = id AND t.tag_id = ${next(filters.tagId)})`);
  if (filters.q) clauses.push(`search @@ to_tsquery('simple', ${next(prefixQuery(filters.q))})`);
  // Mirrored events carry source 'google:<client_calendars.id>' (the google-sync module writes them).
  if (filters.clientId || filters.calendarId) {
    const client = filters.clientId ? `AND cc.client_id = ${next(filters.clientId)}` : '';
    const calendar = filters.calendarId ? `AND cc.calendar_id = ${next(filters.calendarId)}` : '';
    clauses.push(`source IN (SELECT 'google:' || cc.id FROM client_calendars cc WHERE cc.user_id = $1 ${client} ${calendar})`);
  }
  // Only the user's own events come from their clients' calendars; invitations are never excluded.
  if (filters.googleSources === 'exclude') clauses.push(`(user_id <> $1 OR source NOT LIKE 'google:%')`);
  else if (filters.googleSources) clauses.push(`user_id = $1 AND source = ANY(${next(filters.googleSources)}::text[])`);
  if (filters.blocksTime) clauses.push(`transparency = 'busy' AND status <> 'cancelled' AND (role = 'owner' OR my_response = 'accepted')`);
  return { sql: clauses.length ? `AND ${clauses.join(' AND ')}` : '', params };
}

/** "Team sync!" → "team:* & sync:*": every word, as a prefix, in a form to_tsquery cannot choke on. */
export function prefixQuery(text: string): string {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.length ? words.slice(0, 16).map((word) => `${word}:*`).join(' & ') : '__nothing__';
}

function toVisible(row: VisibleRow): VisibleEvent {
  return {
    event: toEvent(row),
    role: row.role,
    myResponse: row.my_response,
    calendar: row.calendar,
    tags: row.tags,
    attendees: row.attendees?.length
      ? row.attendees.map((a) => ({ ...a, respondedAt: a.respondedAt ? new Date(a.respondedAt) : null }))
      : (row.attendees as undefined | []),
  };
}

/** Rows per multi-row INSERT: 23 parameters each stays well under PostgreSQL's 65,535. */
const INSERT_CHUNK = 1000;

const writeColumns = `title, description, location, start_time, end_time, timezone, is_all_day, start_date, end_date,
  status, transparency, color, visibility, reminders, attachments, recurrence_rule, recurrence_exdates, local_start,
  recurrence_end, series_id, original_start, ical_uid`;

function writeParams(write: EventWrite): unknown[] {
  return [
    write.title, write.description, write.location, write.startTime, write.endTime, write.timezone, write.isAllDay,
    write.startDate, write.endDate, write.status, write.transparency, write.color, write.visibility,
    JSON.stringify(write.reminders), JSON.stringify(write.attachments), write.recurrenceRule, write.exdates,
    write.localStart, write.recurrenceEnd, write.seriesId, write.originalStart, write.icalUid,
  ];
}

@Injectable()
export class EventsRepository extends UserOwnedRepository<EventRow, EventRecord> {
  protected readonly table = 'events';
  protected readonly columns = eventColumns;
  protected readonly resource = 'event';

  constructor(@Inject(Database) db: Database) {
    super(db);
  }

  protected toModel(row: EventRow): EventRecord {
    return toEvent(row);
  }

  async insert(userId: string, write: EventWrite, source: string): Promise<EventRecord> {
    const { rows } = await this.db.query<EventRow>(
      `INSERT INTO events (user_id, source, ${writeColumns})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
       RETURNING ${eventColumns}`,
      [userId, source, ...writeParams(write)],
    );
    return toEvent(rows[0]);
  }

  /**
   * Many new single events or series in few statements (an import): multi-row INSERTs of at most
   * INSERT_CHUNK rows, each row's id chosen here so the records come back in the order given.
   */
  async insertMany(userId: string, writes: EventWrite[], source: string): Promise<EventRecord[]> {
    const records: EventRecord[] = [];
    for (let at = 0; at < writes.length; at += INSERT_CHUNK) {
      const chunk = writes.slice(at, at + INSERT_CHUNK);
      const ids = chunk.map(() => randomUUID());
      const params: unknown[] = [userId, source];
      const tuples = chunk.map((write, index) => {
        const values = [ids[index], ...writeParams(write)];
        const first = params.length + 1;
        params.push(...values);
        return `($1, $2, ${values.map((_, offset) => `$${first + offset}`).join(', ')})`;
      });
      const { rows } = await this.db.query<EventRow>(
        `INSERT INTO events (user_id, source, id, ${writeColumns}) VALUES ${tuples.join(', ')} RETURNING ${eventColumns}`,
        params,
      );
      const byId = new Map(rows.map((row) => [row.id, toEvent(row)]));
      for (const id of ids) records.push(byId.get(id) as EventRecord);
    }
    return records;
  }

  /** `bumpSequence`: the change is one attendees see (a new iTIP SEQUENCE). */
  async update(userId: string, id: string, write: EventWrite, bumpSequence = false): Promise<EventRecord> {
    const { rows } = await this.db.query<EventRow>(
      `UPDATE events SET (${writeColumns}, sequence, updated_at) =
         ($4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25,
          sequence + CASE WHEN $3 THEN 1 ELSE 0 END, now())
       WHERE id = $1 AND user_id = $2 RETURNING ${eventColumns}`,
      [id, userId, bumpSequence, ...writeParams(write)],
    );
    if (!rows[0]) throw this.notFound();
    return toEvent(rows[0]);
  }

  /** A single event or series by id, whoever owns it (an invitee answering). */
  async findRoot(id: string): Promise<EventRecord | null> {
    const { rows } = await this.db.query<EventRow>(`SELECT ${eventColumns} FROM events WHERE id = $1 AND series_id IS NULL`, [id]);
    return rows[0] ? toEvent(rows[0]) : null;
  }

  async bumpSequence(id: string): Promise<void> {
    await this.db.query('UPDATE events SET sequence = sequence + 1 WHERE id = $1', [id]);
  }

  /**
   * A series master or single event share-locked until the transaction ends: the reminder planner takes
   * it, so a request changing the event (FOR UPDATE) and the planner wait for each other's commit and
   * neither works from a stale copy.
   */
  async findRootShared(id: string): Promise<EventRecord | null> {
    const { rows } = await this.db.query<EventRow>(
      `SELECT ${eventColumns} FROM events WHERE id = $1 AND series_id IS NULL FOR SHARE`,
      [id],
    );
    return rows[0] ? toEvent(rows[0]) : null;
  }

  /**
   * The user's own single events and series (not overrides) that can still be seen after `since`:
   * single events ending after it, series whose last occurrence ends after it or that never end.
   */
  async ownRootsSince(userId: string, since: Date): Promise<EventRecord[]> {
    const { rows } = await this.db.query<EventRow>(
      `SELECT ${eventColumns} FROM events
       WHERE user_id = $1 AND series_id IS NULL
         AND CASE WHEN recurrence_rule IS NULL THEN end_time > $2 ELSE recurrence_end IS NULL OR recurrence_end > $2 END
       ORDER BY start_time, id`,
      [userId, since],
    );
    return rows.map(toEvent);
  }

  /**
   * Single events and series (ids of series for their overrides) that may have an email reminder due
   * before `horizonEnd`: not cancelled, overlapping [from, to) — `to` is the horizon plus the longest
   * lead time — and, for a single event or an override, starting before the horizon plus its own
   * longest email lead. The literal jsonb matches the partial index events_email_reminders_idx.
   */
  async findRootsWithReminders(method: 'email' | 'slack', from: Date, to: Date, horizonEnd: Date): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      `SELECT DISTINCT coalesce(series_id, id) AS id FROM events
       WHERE reminders @> jsonb_build_array(jsonb_build_object('method', $4::text)) AND status <> 'cancelled'
         AND span && tstzrange($1, $2)
         AND (recurrence_rule IS NOT NULL OR start_time < $3::timestamptz + make_interval(mins => (
           SELECT max((r->>'minutesBefore')::int) FROM jsonb_array_elements(reminders) r WHERE r->>'method' = $4::text)))
       ORDER BY id`,
      [from, to, horizonEnd, method],
    );
    return rows.map((row) => row.id);
  }

  /** Locks an owned event for a read-modify-write (series edits). */
  async getForUpdate(userId: string, id: string): Promise<EventRecord> {
    const { rows } = await this.db.query<EventRow>(
      `SELECT ${eventColumns} FROM events WHERE id = $1 AND user_id = $2 FOR UPDATE`,
      [id, userId],
    );
    if (!rows[0]) throw this.notFound();
    return toEvent(rows[0]);
  }

  async findVisible(userId: string, email: string, id: string): Promise<VisibleEvent | null> {
    const { rows } = await this.db.query<VisibleRow>(
      `SELECT ${visibleColumns} FROM ${visibleEvents} WHERE id = $3`,
      [userId, email, id],
    );
    return rows[0] ? toVisible(rows[0]) : null;
  }

  /**
   * Single events and series (not overrides), one page: the JSON text of the page's `data` array, written
   * by PostgreSQL (no rows for Node to parse, map and stringify: about half of the route's Node time),
   * and the total of the filter.
   */
  async listPageJson(
    userId: string,
    email: string,
    filters: EventFilters,
    sort: EventSort,
    order: 'asc' | 'desc',
    limit: number,
    offset: number,
  ): Promise<{ data: string; total: number }> {
    const where = filterSql(filters, 3);
    const base = `FROM ${visibleEvents} WHERE series_id IS NULL ${where.sql}`;
    const direction = order === 'desc' ? 'DESC' : 'ASC';
    const limitAt = 3 + where.params.length;
    // The statement is 5 KB; the same text object per shape keeps the driver from re-hashing a new
    // string on every call (the statement-name lookup), and the shapes are few.
    const shape = `${where.sql}|${sort}|${direction}`;
    let sql = listPageStatements.get(shape);
    if (!sql) {
      sql = `SELECT '[' || coalesce(string_agg(${listedJson}, ',' ORDER BY p.${sortColumns[sort]} ${direction}, p.id ${direction}), '') || ']' AS data,
         max(p.total) AS total
       FROM (SELECT v.*, count(*) OVER ()::int AS total ${base}
             ORDER BY ${sortColumns[sort]} ${direction}, id ${direction} LIMIT $${limitAt} OFFSET $${limitAt + 1}) p`;
      listPageStatements.set(shape, sql);
    }
    const { rows } = await this.db.query<{ data: string; total: number | null }>(sql, [userId, email, ...where.params, limit, offset]);
    const { data, total } = rows[0];
    if (total !== null || offset === 0) return { data, total: total ?? 0 };
    const counted = await this.db.query<{ total: number }>(`SELECT count(*)::int AS total ${base}`, [userId, email, ...where.params]);
    return { data, total: counted.rows[0].total };
  }

  /**
   * Everything needed to draw a window: single events and overrides overlapping it, and series whose
   * span overlaps it (the caller expands those and drops the occurrences their overrides replace).
   */
  async findForWindow(userId: string, email: string, filters: EventFilters & { from: Date; to: Date }): Promise<VisibleEvent[]> {
    return (await this.inWindow<VisibleRow>(visibleColumns, userId, email, filters)).map(toVisible);
  }

  /**
   * As findForWindow, with only the columns busy time needs (BusyEventRecord), and only what can block
   * time: the others never leave PostgreSQL, so a host's cancelled bookings, free events and declined
   * invitations cost a slot request nothing. The overrides a series' occurrences are replaced by, cancelled
   * or free ones included, come from findReplacedOccurrences.
   */
  async findBusyInWindow(userId: string, email: string, filters: EventFilters & { from: Date; to: Date }): Promise<BusyVisibleEvent[]> {
    const rows = await this.inWindow<EventRow & { role: Role; my_response: ResponseStatus | null }>(busyColumns, userId, email, { ...filters, blocksTime: true });
    return rows.map((row) => ({ event: toBusyEvent(row), role: row.role, myResponse: row.my_response }));
  }

  private async inWindow<R extends QueryResultRow>(columns: string, userId: string, email: string, filters: EventFilters & { from: Date; to: Date }): Promise<R[]> {
    const where = filterSql(filters, 3);
    const { rows } = await this.db.query<R>(
      `SELECT ${columns} FROM ${visibleEvents} WHERE true ${where.sql} ORDER BY start_time, id`,
      [userId, email, ...where.params],
    );
    return rows;
  }

  /** Which occurrences the overrides of the given series replace (series and original start), wherever they were moved. */
  async findReplacedOccurrences(seriesIds: string[]): Promise<Array<{ seriesId: string; originalStart: string }>> {
    if (seriesIds.length === 0) return [];
    const { rows } = await this.db.query<{ series_id: string; original_start: string }>(
      'SELECT series_id, original_start FROM events WHERE series_id = ANY($1::uuid[]) ORDER BY start_time',
      [seriesIds],
    );
    return rows.map((row) => ({ seriesId: row.series_id, originalStart: row.original_start }));
  }

  /** The overrides of the given series, wherever they were moved. */
  async findOverrides(seriesIds: string[]): Promise<EventRecord[]> {
    if (seriesIds.length === 0) return [];
    const { rows } = await this.db.query<EventRow>(
      `SELECT ${eventColumns} FROM events WHERE series_id = ANY($1::uuid[]) ORDER BY start_time`,
      [seriesIds],
    );
    return rows.map(toEvent);
  }

  /** Events visible to the caller ending after `after`, soonest first, plus every unfinished series. */
  async findUpcoming(userId: string, email: string, after: Date, limit: number): Promise<VisibleEvent[]> {
    const { rows } = await this.db.query<VisibleRow>(
      `(SELECT ${visibleColumns} FROM ${visibleEvents}
        WHERE recurrence_rule IS NULL AND end_time > $3 AND status <> 'cancelled'
          -- No event lasts over 366 days: this bound lets the (user_id, start_time) index skip the past.
          AND start_time > $3::timestamptz - interval '367 days'
        ORDER BY start_time LIMIT $4)
       UNION ALL
       (SELECT ${visibleColumns} FROM ${visibleEvents}
        WHERE recurrence_rule IS NOT NULL AND (recurrence_end IS NULL OR recurrence_end > $3) AND status <> 'cancelled')`,
      [userId, email, after, limit],
    );
    return rows.map(toVisible);
  }

  async search(userId: string, email: string, q: string, limit: number, offset: number) {
    const matching = `FROM ${visibleEvents}, to_tsquery('simple', $3) AS query WHERE series_id IS NULL AND search @@ query`;
    const select = `${visibleColumns}, ts_rank(search, query) AS rank`;
    const params = [userId, email, prefixQuery(q)];
    return pageWithTotal(this.db, { select, from: matching, orderBy: 'rank DESC, start_time DESC, id', params }, limit, offset, toVisible);
  }

  async deleteOverrides(seriesId: string, occurrenceIds: string[] | 'all'): Promise<void> {
    if (occurrenceIds === 'all') {
      await this.db.query('DELETE FROM events WHERE series_id = $1', [seriesId]);
    } else if (occurrenceIds.length) {
      await this.db.query('DELETE FROM events WHERE series_id = $1 AND original_start = ANY($2::text[])', [
        seriesId,
        occurrenceIds,
      ]);
    }
  }

  /** Re-points overrides to another series and occurrence id (series split, series time shift). */
  async moveOverride(overrideId: string, seriesId: string, originalStart: string): Promise<void> {
    await this.db.query('UPDATE events SET series_id = $2, original_start = $3, updated_at = now() WHERE id = $1', [
      overrideId,
      seriesId,
      originalStart,
    ]);
  }

  async findOverride(seriesId: string, occurrenceId: string): Promise<EventRecord | null> {
    const { rows } = await this.db.query<EventRow>(
      `SELECT ${eventColumns} FROM events WHERE series_id = $1 AND original_start = $2`,
      [seriesId, occurrenceId],
    );
    return rows[0] ? toEvent(rows[0]) : null;
  }

  async findByIcalUid(userId: string, uid: string): Promise<EventRecord | null> {
    const { rows } = await this.db.query<EventRow>(
      `SELECT ${eventColumns} FROM events WHERE user_id = $1 AND ical_uid = $2 AND series_id IS NULL`,
      [userId, uid],
    );
    return rows[0] ? toEvent(rows[0]) : null;
  }

  async findSameTime(userId: string, title: string, startTime: Date, endTime: Date): Promise<EventRecord[]> {
    const { rows } = await this.db.query<EventRow>(
      `SELECT ${eventColumns} FROM events
        WHERE user_id = $1 AND series_id IS NULL AND start_time = $3 AND end_time = $4 AND lower(title) = lower($2)
        ORDER BY created_at, id LIMIT 10`,
      [userId, title, startTime, endTime],
    );
    return rows.map(toEvent);
  }

  /**
   * Which of these would match an existing single event or series of the user (an import deciding, for a
   * whole page at once, which of its events are certainly new): iCalUIDs in use, ids that exist, and
   * title+start+end keys (`sameTimeKey`) taken, reported with the probe's own values so both sides build
   * the key alike.
   */
  async existing(
    userId: string,
    probe: { icalUids: string[]; ids: string[]; sameTime: Array<{ title: string; startTime: Date; endTime: Date }> },
  ): Promise<{ icalUids: Set<string>; ids: Set<string>; sameTime: Set<string> }> {
    const { rows } = await this.db.query<{ kind: 'uid' | 'id' | 'time'; value: string | null; start_time: Date | null; end_time: Date | null }>(
      `SELECT 'uid' AS kind, e.ical_uid AS value, NULL::timestamptz AS start_time, NULL::timestamptz AS end_time
         FROM events e WHERE e.user_id = $1 AND e.series_id IS NULL AND e.ical_uid = ANY($2::text[])
       UNION ALL
       SELECT 'id', e.id::text, NULL, NULL FROM events e WHERE e.user_id = $1 AND e.id = ANY($3::uuid[])
       UNION ALL
       SELECT DISTINCT 'time', k.title, k.start_time, k.end_time
         FROM unnest($4::text[], $5::timestamptz[], $6::timestamptz[]) AS k(title, start_time, end_time)
         JOIN events e ON e.user_id = $1 AND e.series_id IS NULL AND e.start_time = k.start_time
                      AND e.end_time = k.end_time AND lower(e.title) = lower(k.title)`,
      [
        userId,
        probe.icalUids,
        probe.ids,
        probe.sameTime.map((key) => key.title),
        probe.sameTime.map((key) => key.startTime),
        probe.sameTime.map((key) => key.endTime),
      ],
    );
    const found = { icalUids: new Set<string>(), ids: new Set<string>(), sameTime: new Set<string>() };
    for (const row of rows) {
      if (row.kind === 'uid') found.icalUids.add(row.value as string);
      else if (row.kind === 'id') found.ids.add(row.value as string);
      else found.sameTime.add(sameTimeKey({ title: row.value as string, startTime: row.start_time as Date, endTime: row.end_time as Date }));
    }
    return found;
  }

  async findBySource(userId: string, source: string): Promise<EventRecord[]> {
    const { rows } = await this.db.query<EventRow>(
      `SELECT ${eventColumns} FROM events WHERE user_id = $1 AND source = $2 AND series_id IS NULL ORDER BY start_time, id`,
      [userId, source],
    );
    return rows.map(toEvent);
  }

  /** The calendar each of these owned events (or their series) was mirrored from; absent: none. */
  async calendarsOf(eventIds: string[]): Promise<Map<string, EventCalendar>> {
    if (eventIds.length === 0) return new Map();
    const { rows } = await this.db.query<{ id: string; calendar: EventCalendar | null }>(
      `SELECT v.id, ${calendarOf('v')} AS calendar
         FROM (SELECT e.*, 'owner'::text AS role FROM events e WHERE e.id = ANY($1::uuid[]) AND e.source LIKE 'google:%'
               UNION ALL
               SELECT e.*, 'owner'::text AS role FROM events e WHERE e.id = ANY($1::uuid[]) AND e.series_id IS NOT NULL) v`,
      [eventIds],
    );
    return new Map(rows.filter((row) => row.calendar).map((row) => [row.id, row.calendar as EventCalendar]));
  }
}
