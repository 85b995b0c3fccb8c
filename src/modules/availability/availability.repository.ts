import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { isConstraint } from '../../db/pg-errors.js';
import { UserOwnedRepository } from '../../db/user-owned.repository.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { ruleColumns, toRule, type AvailabilityRule, type AvailabilityRuleRow, type RuleWrite } from './availability.rows.js';

/** Weekly rules (table `availability`). Overlapping active hours are refused by PostgreSQL. */
@Injectable()
export class AvailabilityRepository extends UserOwnedRepository<AvailabilityRuleRow, AvailabilityRule> {
  protected readonly table = 'availability';
  protected readonly columns = ruleColumns;
  protected readonly resource = 'availability rule';

  constructor(@Inject(Database) db: Database) {
    super(db);
  }

  protected toModel(row: AvailabilityRuleRow): AvailabilityRule {
    return toRule(row);
  }

  /** Every rule, active or not, in weekday order. */
  async list(userId: string): Promise<AvailabilityRule[]> {
    const { rows } = await this.db.query<AvailabilityRuleRow>(
      `SELECT ${ruleColumns} FROM availability WHERE user_id = $1 ORDER BY day_of_week, start_time, timezone, id`,
      [userId],
    );
    return rows.map(toRule);
  }

  async listActive(userId: string): Promise<AvailabilityRule[]> {
    const { rows } = await this.db.query<AvailabilityRuleRow>(
      `SELECT ${ruleColumns} FROM availability WHERE user_id = $1 AND is_active ORDER BY day_of_week, start_time, timezone, id`,
      [userId],
    );
    return rows.map(toRule);
  }

  async insert(userId: string, write: RuleWrite): Promise<AvailabilityRule> {
    try {
      const { rows } = await this.db.query<AvailabilityRuleRow>(
        `INSERT INTO availability (user_id, day_of_week, start_time, end_time, timezone, is_active)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${ruleColumns}`,
        [userId, write.dayOfWeek, write.startTime, write.endTime, write.timezone, write.isActive],
      );
      return toRule(rows[0]);
    } catch (error) {
      throw overlapOr(error);
    }
  }

  /** Many rules of one zone in one statement (schedule replacement); all active. */
  async insertMany(userId: string, timezone: string, rules: Array<Pick<RuleWrite, 'dayOfWeek' | 'startTime' | 'endTime'>>): Promise<void> {
    if (rules.length === 0) return;
    try {
      await this.db.query(
        `INSERT INTO availability (user_id, day_of_week, start_time, end_time, timezone)
         SELECT $1, r.day, r.start_time::time, r.end_time::time, $2
         FROM unnest($3::smallint[], $4::text[], $5::text[]) AS r(day, start_time, end_time)`,
        [userId, timezone, rules.map((r) => r.dayOfWeek), rules.map((r) => r.startTime), rules.map((r) => r.endTime)],
      );
    } catch (error) {
      throw overlapOr(error);
    }
  }

  async update(userId: string, id: string, write: RuleWrite): Promise<AvailabilityRule> {
    try {
      const { rows } = await this.db.query<AvailabilityRuleRow>(
        `UPDATE availability SET day_of_week = $3, start_time = $4, end_time = $5, timezone = $6, is_active = $7,
           updated_at = now()
         WHERE id = $1 AND user_id = $2 RETURNING ${ruleColumns}`,
        [id, userId, write.dayOfWeek, write.startTime, write.endTime, write.timezone, write.isActive],
      );
      if (!rows[0]) throw this.notFound();
      return toRule(rows[0]);
    } catch (error) {
      throw overlapOr(error);
    }
  }

  async removeAll(userId: string): Promise<void> {
    await this.db.query('DELETE FROM availability WHERE user_id = $1', [userId]);
  }

  /**
   * Serializes schedule replacements of one user until the transaction ends: two concurrent PUTs would
   * otherwise each delete the rows they saw and both insert, leaving the union of the two weeks.
   */
  async lockSchedule(userId: string): Promise<void> {
    await this.db.query("SELECT pg_advisory_xact_lock(hashtextextended('availability:' || $1::text, 0))", [userId]);
  }
}

function overlapOr(error: unknown): unknown {
  if (isConstraint(error, 'availability_no_overlap')) return new DomainError('AVAILABILITY_OVERLAP', { scope: 'weekday' });
  return error;
}
