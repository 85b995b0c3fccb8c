import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { isConstraint } from '../../db/pg-errors.js';
import { UserOwnedRepository } from '../../db/user-owned.repository.js';
import { DomainError } from '../../common/errors/domain-error.js';
import {
  exceptionColumns,
  toException,
  type AvailabilityException,
  type AvailabilityExceptionRow,
  type ExceptionWrite,
} from './availability.rows.js';

/** Date exceptions (table `availability_exceptions`). A day off and any hours on one date are refused together. */
@Injectable()
export class ExceptionsRepository extends UserOwnedRepository<AvailabilityExceptionRow, AvailabilityException> {
  protected readonly table = 'availability_exceptions';
  protected readonly columns = exceptionColumns;
  protected readonly resource = 'availability exception';

  constructor(@Inject(Database) db: Database) {
    super(db);
  }

  protected toModel(row: AvailabilityExceptionRow): AvailabilityException {
    return toException(row);
  }

  /** Exceptions dated from..to (inclusive; null = open), in date order. */
  async list(userId: string, from: string | null, to: string | null): Promise<AvailabilityException[]> {
    const { rows } = await this.db.query<AvailabilityExceptionRow>(
      `SELECT ${exceptionColumns} FROM availability_exceptions
       WHERE user_id = $1 AND ($2::date IS NULL OR date >= $2::date) AND ($3::date IS NULL OR date <= $3::date)
       ORDER BY date, start_time NULLS FIRST, timezone, id`,
      [userId, from, to],
    );
    return rows.map(toException);
  }

  /** One page of list(), with the total. */
  async listPage(
    userId: string,
    from: string | null,
    to: string | null,
    limit: number,
    offset: number,
  ): Promise<{ items: AvailabilityException[]; total: number }> {
    // The total comes from a subquery, not count(*) OVER (), so a page past the end still reports it.
    const { rows } = await this.db.query<AvailabilityExceptionRow & { total: number }>(
      `WITH mine AS (
         SELECT * FROM availability_exceptions
         WHERE user_id = $1 AND ($2::date IS NULL OR date >= $2::date) AND ($3::date IS NULL OR date <= $3::date)
       )
       SELECT t.total, p.* FROM (SELECT count(*)::int AS total FROM mine) t
       LEFT JOIN LATERAL (
         SELECT ${exceptionColumns} FROM mine ORDER BY date, start_time NULLS FIRST, timezone, id LIMIT $4 OFFSET $5
       ) p ON true
       ORDER BY p.date, p.start_time NULLS FIRST, p.timezone, p.id`,
      [userId, from, to, limit, offset],
    );
    return { items: rows.filter((row) => row.id !== null).map(toException), total: rows[0]?.total ?? 0 };
  }

  async insert(userId: string, write: ExceptionWrite): Promise<AvailabilityException> {
    try {
      const { rows } = await this.db.query<AvailabilityExceptionRow>(
        `INSERT INTO availability_exceptions (user_id, date, is_unavailable, start_time, end_time, timezone, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${exceptionColumns}`,
        [userId, write.date, write.isUnavailable, write.startTime, write.endTime, write.timezone, write.reason],
      );
      return toException(rows[0]);
    } catch (error) {
      throw overlapOr(error);
    }
  }

  async update(userId: string, id: string, write: ExceptionWrite): Promise<AvailabilityException> {
    try {
      const { rows } = await this.db.query<AvailabilityExceptionRow>(
        `UPDATE availability_exceptions SET date = $3, is_unavailable = $4, start_time = $5, end_time = $6, timezone = $7,
           reason = $8, updated_at = now()
         WHERE id = $1 AND user_id = $2 RETURNING ${exceptionColumns}`,
        [id, userId, write.date, write.isUnavailable, write.startTime, write.endTime, write.timezone, write.reason],
      );
      if (!rows[0]) throw this.notFound();
      return toException(rows[0]);
    } catch (error) {
      throw overlapOr(error);
    }
  }
}

function overlapOr(error: unknown): unknown {
  if (isConstraint(error, 'availability_exceptions_no_overlap')) return new DomainError('AVAILABILITY_OVERLAP', { scope: 'date' });
  return error;
}
