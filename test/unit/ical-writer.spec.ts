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

describe('buildCalendar attendees', () => {
  const vevent = {
    uid: 'y@calento',
    title: 'Review',
    start: new Date('2026-03-10T10:00:00Z'),
    end: new Date('2026-03-10T11:00:00Z'),
    timezone: 'UTC',
    status: 'confirmed' as const,
    organizer: { email: 'ada@example.com' },
    attendees: [
      { email: 'yes@example.com', response: 'accepted' as const },
      { email: 'no@example.com', response: 'declined' as const },
      { email: 'maybe@example.com', response: 'tentative' as const },
      { email: 'new@example.com', response: 'needsAction' as const },
      { email: 'unknown@example.com' },
    ],
  };
  const attendeeLines = (text: string) =>
    text
      .replace(/\r\n /g, '')
      .split('\r\n')
      .filter((line) => line.startsWith('ATTENDEE'));

  it("writes each attendee's known answer, and asks for a reply only from those who have not given one", () => {
    const lines = attendeeLines(buildCalendar([vevent], { method: 'REQUEST' }, new Date('2026-03-01T00:00:00Z')));
    expect(lines).toEqual([
      'ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:yes@example.com',
      'ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=DECLINED:mailto:no@example.com',
      'ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=TENTATIVE:mailto:maybe@example.com',
      'ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:new@example.com',
      'ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:unknown@example.com',
    ]);
  });

  it('asks nobody for a reply in a cancellation', () => {
    const lines = attendeeLines(buildCalendar([vevent], { method: 'CANCEL' }, new Date('2026-03-01T00:00:00Z')));
    expect(lines.filter((line) => line.includes('RSVP'))).toEqual([]);
    expect(lines[0]).toContain('PARTSTAT=ACCEPTED');
  });
});
