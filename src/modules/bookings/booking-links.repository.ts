import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { pageWithTotal } from '../../db/paged.js';
import { isConstraint } from '../../db/pg-errors.js';
import { UserOwnedRepository } from '../../db/user-owned.repository.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { bookingLinkColumns, toBookingLink, type BookingLink, type BookingLinkRow, type BookingLinkWrite } from './bookings.rows.js';

const writeColumns = `slug, title, description, duration_minutes, is_active, location, meeting_url, buffer_before_minutes,
  buffer_after_minutes, slot_interval_minutes, minimum_notice_minutes, booking_window_days, max_bookings_per_day,
  max_bookings_per_week`;

function writeParams(link: BookingLinkWrite): unknown[] {
  return [
    link.slug, link.title, link.description, link.durationMinutes, link.isActive, link.location, link.meetingUrl,
    link.bufferBeforeMinutes, link.bufferAfterMinutes, link.slotIntervalMinutes, link.minimumNoticeMinutes,
    link.bookingWindowDays, link.maxBookingsPerDay, link.maxBookingsPerWeek,
  ];
}

@Injectable()
export class BookingLinksRepository extends UserOwnedRepository<BookingLinkRow, BookingLink> {
  protected readonly table = 'booking_links';
  protected readonly columns = bookingLinkColumns;
  protected readonly resource = 'booking link';

  constructor(@Inject(Database) db: Database) {
    super(db);
  }

  protected toModel(row: BookingLinkRow): BookingLink {
    return toBookingLink(row);
  }

  async create(userId: string, link: BookingLinkWrite): Promise<BookingLink> {
    return this.slugSafe(link.slug, async () => {
      const { rows } = await this.db.query<BookingLinkRow>(
        `INSERT INTO booking_links (user_id, ${writeColumns})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING ${bookingLinkColumns}`,
        [userId, ...writeParams(link)],
      );
      return toBookingLink(rows[0]);
    });
  }

  /** The link, locked until the transaction ends (a PATCH merges into what it read: no lost update). */
  async getForUpdate(userId: string, id: string): Promise<BookingLink> {
    const { rows } = await this.db.query<BookingLinkRow>(
      `SELECT ${bookingLinkColumns} FROM booking_links WHERE id = $1 AND user_id = $2 FOR UPDATE`,
      [id, userId],
    );
    if (!rows[0]) throw this.notFound();
    return toBookingLink(rows[0]);
  }

  async update(userId: string, id: string, link: BookingLinkWrite): Promise<BookingLink> {
    return this.slugSafe(link.slug, async () => {
      const { rows } = await this.db.query<BookingLinkRow>(
        `UPDATE booking_links SET (${writeColumns}, updated_at) =
           ($3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, now())
         WHERE id = $1 AND user_id = $2 RETURNING ${bookingLinkColumns}`,
        [id, userId, ...writeParams(link)],
      );
      if (!rows[0]) throw this.notFound();
      return toBookingLink(rows[0]);
    });
  }

  async list(userId: string, limit: number, offset: number): Promise<{ items: BookingLink[]; total: number }> {
    return pageWithTotal(this.db, { select: bookingLinkColumns, from: 'FROM booking_links WHERE user_id = $1', orderBy: 'created_at, id', params: [userId] }, limit, offset, toBookingLink);
  }

  /** An active link by its public slug (slugs are case-insensitive). */
  async findActiveBySlug(slug: string): Promise<BookingLink | null> {
    const { rows } = await this.db.query<BookingLinkRow>(
      `SELECT ${bookingLinkColumns} FROM booking_links WHERE slug = $1 AND is_active`,
      [slug],
    );
    return rows[0] ? toBookingLink(rows[0]) : null;
  }

  private async slugSafe<T>(slug: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (isConstraint(error, 'booking_links_slug_key')) throw new DomainError('SLUG_TAKEN', { slug });
      throw error;
    }
  }
}
