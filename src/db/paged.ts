import type { QueryResultRow } from 'pg';
import type { Queryable } from './database.js';

/** A listing's statement in parts: `from` holds the FROM and WHERE clauses, its placeholders `params`. */
export interface ListingQuery {
  select: string;
  from: string;
  orderBy: string;
  params: readonly unknown[];
}

/**
 * One page of a listing and the total it is a page of. The total rides on the page's rows
 * (count(*) OVER ()); a page past the end has no row to carry it, so only then is it counted on its own.
 * LIMIT and OFFSET take the two placeholders after `params`.
 */
export async function pageWithTotal<Row extends QueryResultRow, Model>(
  db: Queryable,
  query: ListingQuery,
  limit: number,
  offset: number,
  toModel: (row: Row) => Model,
): Promise<{ items: Model[]; total: number }> {
  const next = query.params.length + 1;
  const { rows } = await db.query<Row & { total: number }>(
    `SELECT ${query.select}, count(*) OVER ()::int AS total ${query.from} ORDER BY ${query.orderBy} LIMIT $${next} OFFSET $${next + 1}`,
    [...query.params, limit, offset],
  );
  if (rows.length || offset === 0) return { items: rows.map(toModel), total: rows[0]?.total ?? 0 };
  const counted = await db.query<{ total: number }>(`SELECT count(*)::int AS total ${query.from}`, query.params);
  return { items: [], total: counted.rows[0].total };
}
