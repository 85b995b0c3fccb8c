import { describe, expect, it } from '@jest/globals';
import { buildCalendar } from '../../src/engines/ical/calendar-writer.js';

describe('buildCalendar parameter values', () => {
  it('drops control characters from CN and turns a line break into a space', () => {
    const text = buildCalendar(
      [
        {
          uid: 'x@calento',
          title: 'Invite',
          start: new Date('2026-03-10T10:00:00Z'),
          end: new Date('2026-03-10T11:00:00Z'),
          timezone: 'UTC',
          status: 'confirmed',
          organizer: { email: 'ada@example.com', name: 'Ada\u0007 Lovelace' },
          attendees: [{ email: 'bob@example.com', name: 'Bob\r\nSmith\u001b' }],
        },
      ],
      { method: 'REQUEST' },
      new Date('2026-03-01T00:00:00Z'),
    );
    const unfolded = text.replace(/\r\n /g, '');
    expect(unfolded).not.toMatch(/\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/);
    expect(unfolded).toContain('ORGANIZER;CN=Ada Lovelace:mailto:ada@example.com');
    expect(unfolded).toMatch(/ATTENDEE;.*CN=Bob Smith[;:]/);
  });
});
