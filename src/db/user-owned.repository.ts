import type { QueryResultRow } from 'pg';
import { NotFoundError } from '../common/errors/domain-error.js';
import type { Database } from './database.js';

/**
 * The shared reads and deletes of a table whose rows belong to one user. Every statement filters by
 * owner, so another user's id behaves exactly like an id that does not exist: 404, never 403.
 * `table` and `columns` are constants of the subclass, never input.
 */
export abstract class UserOwnedRepository<Row extends QueryResultRow, Model> {
  protected abstract readonly table: string;
  protected abstract readonly columns: string;
  /** Used in the 404 message: "The event was not found." */
  protected abstract readonly resource: string;

  protected constructor(protected readonly db: Database) {}

  protected abstract toModel(row: Row): Model;

  async find(userId: string, id: string): Promise<Model | null> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${this.columns} FROM ${this.table} WHERE id = $1 AND user_id = $2`,
      [id, userId],
    );
    return rows[0] ? this.toModel(rows[0]) : null;
  }

  async get(userId: string, id: string): Promise<Model> {
    const found = await this.find(userId, id);
    if (!found) throw this.notFound();
    return found;
  }

  async remove(userId: string, id: string): Promise<void> {
    const { rowCount } = await this.db.query(`DELETE FROM ${this.table} WHERE id = $1 AND user_id = $2`, [
      id,
      userId,
    ]);
    if (rowCount === 0) throw this.notFound();
  }

  protected notFound(): NotFoundError {
    return new NotFoundError(this.resource);
  }
}
