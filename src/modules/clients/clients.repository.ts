import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../../db/database.js';
import { pageWithTotal } from '../../db/paged.js';
import { isConstraint } from '../../db/pg-errors.js';
import { DomainError, NotFoundError } from '../../common/errors/domain-error.js';
import { toClient, type Client, type ClientRow, type ClientStatus } from './clients.rows.js';

/** A client with its account email and credential id: every read of a client goes through this join. */
const clientView = (source: string) => `
  SELECT c.id, c.user_id, c.name, c.color, c.description, c.status, c.created_at, c.updated_at,
         a.email::text AS account_email, a.connected_at, o.id AS credential_id
  FROM ${source} c
  LEFT JOIN google_accounts a ON a.client_id = c.id
  LEFT JOIN oauth_credentials o ON o.client_id = c.id`;

export interface ClientWrite {
  name: string;
  color: string;
  description: string | null;
}

@Injectable()
export class ClientsRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  async create(userId: string, client: ClientWrite): Promise<Client> {
    return this.nameSafe(client.name, async () => {
      const { rows } = await this.db.query<ClientRow>(
        `WITH c AS (
           INSERT INTO clients (user_id, name, color, description) VALUES ($1, $2, $3, $4) RETURNING *
         ) ${clientView('c')}`,
        [userId, client.name, client.color, client.description],
      );
      return toClient(rows[0]);
    });
  }

  async update(userId: string, id: string, client: ClientWrite): Promise<Client> {
    return this.nameSafe(client.name, async () => {
      const { rows } = await this.db.query<ClientRow>(
        `WITH c AS (
           UPDATE clients SET name = $3, color = $4, description = $5, updated_at = now()
           WHERE id = $1 AND user_id = $2 RETURNING *
         ) ${clientView('c')}`,
        [id, userId, client.name, client.color, client.description],
      );
      if (!rows[0]) throw new NotFoundError('client');
      return toClient(rows[0]);
    });
  }

  /** Locks the client's row until the transaction ends (an update merges into what it read: no lost update). */
  async lock(userId: string, id: string): Promise<void> {
    const { rowCount } = await this.db.query('SELECT 1 FROM clients WHERE id = $1 AND user_id = $2 FOR UPDATE', [id, userId]);
    if (rowCount === 0) throw new NotFoundError('client');
  }

  async find(userId: string, id: string): Promise<Client | null> {
    const { rows } = await this.db.query<ClientRow>(`${clientView('clients')} WHERE c.id = $1 AND c.user_id = $2`, [id, userId]);
    return rows[0] ? toClient(rows[0]) : null;
  }

  async get(userId: string, id: string): Promise<Client> {
    const client = await this.find(userId, id);
    if (!client) throw new NotFoundError('client');
    return client;
  }

  /** Any user's client: for work that runs without a request (sync jobs, the OAuth callback). */
  async findById(id: string): Promise<Client | null> {
    const { rows } = await this.db.query<ClientRow>(`${clientView('clients')} WHERE c.id = $1`, [id]);
    return rows[0] ? toClient(rows[0]) : null;
  }

  /** Every client id of a user, oldest first (account deletion removes them one by one). */
  async idsOf(userId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>('SELECT id FROM clients WHERE user_id = $1 ORDER BY created_at, id', [userId]);
    return rows.map((row) => row.id);
  }

  async list(
    userId: string,
    status: ClientStatus | null,
    limit: number,
    offset: number,
  ): Promise<{ items: Client[]; total: number }> {
    const from = `FROM (${clientView('clients')} WHERE c.user_id = $1 AND ($2::text IS NULL OR c.status = $2)) v`;
    return pageWithTotal(this.db, { select: 'v.*', from, orderBy: 'lower(v.name), v.id', params: [userId, status] }, limit, offset, toClient);
  }

  /**
   * Moves a client to `status` if it is in one of `from` (any status when null). Returns false when the
   * client was not in such a status: concurrent callers race here and exactly one wins a transition.
   */
  async setStatus(id: string, status: ClientStatus, from: readonly ClientStatus[] | null = null): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE clients SET status = $2, updated_at = now()
       WHERE id = $1 AND ($3::text[] IS NULL OR status = ANY($3::text[])) AND status <> $2`,
      [id, status, from],
    );
    return rowCount > 0;
  }

  async remove(userId: string, id: string): Promise<void> {
    const { rowCount } = await this.db.query('DELETE FROM clients WHERE id = $1 AND user_id = $2', [id, userId]);
    if (rowCount === 0) throw new NotFoundError('client');
  }

  private async nameSafe<T>(name: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (isConstraint(error, 'clients_user_name_key')) throw new DomainError('CLIENT_NAME_TAKEN', { name });
      throw error;
    }
  }
}
