import { describe, expect, it } from '@jest/globals';
import { bookingCancelled, bookingCreated, bookingRescheduled, dailySummary, fitText, type BookingFacts } from '../../src/modules/slack/slack-blocks.js';

// A booker writes what they like into the form: in Slack's mrkdwn, <!everyone> pings the whole
// channel and <https://…|label> disguises a link. The fallback `text` is mrkdwn as much as the blocks.
const hostile = 'Mallory <!everyone> <https://evil.example|bank> & co';
const escaped = 'Mallory &lt;!everyone&gt; &lt;https://evil.example|bank&gt; &amp; co';

const booking: BookingFacts = {
  title: `Intro ${hostile}`,
  start: new Date('2030-01-07T10:00:00Z'),
  end: new Date('2030-01-07T10:30:00Z'),
  bookerName: hostile,
  bookerEmail: 'mallory@example.com',
  location: null,
  notes: null,
  timezone: 'UTC',
  reason: hostile,
  cancelledBy: 'booker',
  previous: { start: new Date('2030-01-07T09:00:00Z'), end: new Date('2030-01-07T09:30:00Z') },
};

describe('Slack messages', () => {
  it.each([
    ['created', bookingCreated(booking)],
    ['cancelled', bookingCancelled(booking)],
    ['rescheduled', bookingRescheduled(booking)],
    ['daily summary', dailySummary(booking.start, 'UTC', [{ title: hostile, start: booking.start, end: booking.end, isAllDay: false, location: null }])],
  ])('escape what users wrote in the fallback text too (%s)', (_kind, message) => {
    expect(message.text).toContain(escaped);
    expect(message.text).not.toMatch(/<!|<https/);
    // Every mrkdwn field of the blocks too (a plain_text header shows its text as it is, and may hold it).
    const mrkdwn = JSON.stringify(message.blocks).match(/"type":"mrkdwn","text":"(?:[^"\\]|\\.)*"/g) ?? [];
    expect(mrkdwn.length).toBeGreaterThan(0);
    for (const field of mrkdwn) expect(field).not.toMatch(/<!|<https/);
  });

  it('keep a section under Slack’s 3,000 characters, cut on a whole escape', () => {
    const notes = '& <\n'.repeat(500);
    const message = bookingCreated({ ...booking, notes });
    for (const block of message.blocks as Array<{ text?: { text: string } }>) {
      if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
    }
    expect(fitText('x'.repeat(3000))).toBe('x'.repeat(3000));
    const cut = fitText(`${'x'.repeat(2997)}&amp;&lt;`);
    expect(cut).toBe(`${'x'.repeat(2997)}…`);
    expect(cut.length).toBeLessThanOrEqual(3000);
  });
});
