import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import type { GoogleEvent } from './google-mapping.js';
import { eventLinkColumns, toEventLink, type EventLink, type EventLinkRow } from './google-sync.rows.js';

/** Rows per multi-row INSERT (10 parameters each). */
const LINK_CHUNK = 2000;
const LINK_COLUMNS = 'id, user_id, sync_id, event_id, google_event_id, google_series_id, ical_uid, etag, google_updated, snapshot';

interface NewLink {
  userId: string;
  syncId: string;
  eventId: string | null;
  googleEventId: string;
  googleSeriesId: string | null;
  /** The Google event as Calento last saw or wrote it. */
  resource: GoogleEvent;
}

/** The INSERT's parameters of one link, in the order of LINK_COLUMNS. */
function linkParams(link: NewLink): unknown[] {
  return [
    randomUUID(),
    link.userId,
    link.syncId,
    link.eventId,
    link.googleEventId,
    link.googleSeriesId,
    link.resource.iCalUID ?? null,
    link.resource.etag ?? null,
    updatedOf(link.resource),
    JSON.stringify(link.resource),
  ];
}

/** The `google_event_links` table: which local event mirrors which Google event. */
@Injectable()
export class EventLinksRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async findByGoogle(syncId: string, googleEventId: string): Promise<EventLink | null> {
    const { rows } = await this.db.query<EventLinkRow>(
      `SELECT ${eventLinkColumns} FROM google_event_links WHERE sync_id = $1 AND google_event_id = $2`,
      [syncId, googleEventId],
    );
    return rows[0] ? toEventLink(rows[0]) : null;
  }

  /** Links of many Google ids at once (a page of a listing). */
  async findManyByGoogle(syncId: string, googleEventIds: string[]): Promise<Map<string, EventLink>> {
    const { rows } = await this.db.query<EventLinkRow>(
      `SELECT ${eventLinkColumns} FROM google_event_links WHERE sync_id = $1 AND google_event_id = ANY($2::text[])`,
      [syncId, googleEventIds],
    );
    return new Map(rows.map((row) => [row.google_event_id, toEventLink(row)]));
  }

  async findByEvent(eventId: string): Promise<EventLink | null> {
    const { rows } = await this.db.query<EventLinkRow>(`SELECT ${eventLinkColumns} FROM google_event_links WHERE event_id = $1`, [eventId]);
    return rows[0] ? toEventLink(rows[0]) : null;
  }

  async findManyByEvent(eventIds: string[]): Promise<EventLink[]> {
    const { rows } = await this.db.query<EventLinkRow>(
      `SELECT ${eventLinkColumns} FROM google_event_links WHERE event_id = ANY($1::uuid[])`,
      [eventIds],
    );
    return rows.map(toEventLink);
  }

  async upsert(link: NewLink): Promise<EventLink> {
    const { rows } = await this.db.query<EventLinkRow>(
      `INSERT INTO google_event_links (${LINK_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (sync_id, google_event_id) DO UPDATE SET event_id = EXCLUDED.event_id, google_series_id = EXCLUDED.google_series_id,
         ical_uid = EXCLUDED.ical_uid, etag = EXCLUDED.etag, google_updated = EXCLUDED.google_updated, snapshot = EXCLUDED.snapshot,
         updated_at = clock_timestamp()
       RETURNING ${eventLinkColumns}`,
      linkParams(link),
    );
    return toEventLink(rows[0]);
  }

  /** Links of new events of one sync (an import page), in multi-row statements; one row per Google id. */
  async insertMany(links: Array<{ userId: string; syncId: string; eventId: string; googleEventId: string; resource: GoogleEvent }>): Promise<void> {
    for (let at = 0; at < links.length; at += LINK_CHUNK) {
      const params: unknown[] = [];
      const tuples = links.slice(at, at + LINK_CHUNK).map((link) => {
        const first = params.length + 1;
        params.push(...linkParams({ ...link, googleSeriesId: null }));
        return `(${Array.from({ length: 10 }, (_, offset) => `$${first + offset}`).join(', ')})`;
      });
      await this.db.query(
        `INSERT INTO google_event_links (${LINK_COLUMNS}) VALUES ${tuples.join(', ')}`,
        params,
      );
    }
  }

  /** Records the version Calento last saw or wrote. */
  async setVersion(id: string, resource: GoogleEvent): Promise<void> {
    await this.db.query(
      'UPDATE google_event_links SET etag = $2, google_updated = $3, snapshot = $4, updated_at = clock_timestamp() WHERE id = $1',
      [id, resource.etag ?? null, updatedOf(resource), JSON.stringify(resource)],
    );
  }

  async delete(id: string): Promise<void> {
    await this.db.query('DELETE FROM google_event_links WHERE id = $1', [id]);
  }

  async deleteBySeries(syncId: string, googleSeriesId: string): Promise<void> {
    await this.db.query('DELETE FROM google_event_links WHERE sync_id = $1 AND google_series_id = $2', [syncId, googleSeriesId]);
  }

  /** Links of a sync whose Google event a full listing did not return (deleted at Google meanwhile). */
  async listNotIn(syncId: string, seen: string[]): Promise<EventLink[]> {
    const { rows } = await this.db.query<EventLinkRow>(
      `SELECT ${eventLinkColumns} FROM google_event_links WHERE sync_id = $1 AND NOT (google_event_id = ANY($2::text[]))`,
      [syncId, seen],
    );
    return rows.map(toEventLink);
  }

  async countForSync(syncId: string): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM google_event_links WHERE sync_id = $1', [syncId]);
    return rows[0].n;
  }
}

export function updatedOf(resource: GoogleEvent): Date | null {
  return resource.updated ? new Date(resource.updated) : null;
}
