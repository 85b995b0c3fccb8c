import { describe, expect } from '@jest/globals';
import request from 'supertest';
import { registerUser } from '../factories/users.js';
import { PG_ONLY, pgOnly, pgOnlyTestApp } from '../setup/pg-only.js';

/**
 * The same file imported several times at once (a double click, a retry). Under PGlite every transaction
 * runs alone, so this proves nothing there: it runs on real PostgreSQL.
 */
const t = pgOnlyTestApp('The concurrent imports of one file');

const vevent = (i: number) =>
  ['BEGIN:VEVENT', `UID:race-${i}@example.com`, 'DTSTAMP:20260101T000000Z', `DTSTART:20270105T${String(8 + (i % 10)).padStart(2, '0')}0000Z`,
    `DTEND:20270105T${String(8 + (i % 10)).padStart(2, '0')}3000Z`, `SUMMARY:Imported ${i}`, 'END:VEVENT'].join('\r\n');

describe('concurrent imports', () => {
  pgOnly(`of one file: one creates every event, the others find them all unchanged ${PG_ONLY}`, async () => {
    const user = await registerUser(t().http);
    const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Calento tests//EN', ...Array.from({ length: 20 }, (_, i) => vevent(i)), 'END:VCALENDAR', ''].join('\r\n');
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => request(t().http).post('/api/v1/calendar/import').set(user.auth).send({ ics })),
    );
    expect(responses.map((res) => res.status)).toEqual(Array(6).fill(200));
    const summaries = responses.map((res) => res.body as { created: number; unchanged: number; skipped: unknown[] });
    // Before: each import after the first reported one event skipped, "the database refused it", though it was there.
    expect(summaries.flatMap((summary) => summary.skipped)).toEqual([]);
    expect(summaries.map((summary) => summary.created).sort()).toEqual([0, 0, 0, 0, 0, 20]);
    expect(summaries.map((summary) => summary.unchanged).sort()).toEqual([0, 20, 20, 20, 20, 20]);
    const { rows } = await t().db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE user_id = $1', [user.id]);
    expect(rows[0].n).toBe(20);
  }, 120_000);
});
