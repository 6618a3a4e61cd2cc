import type { Database } from "../open-database.ts";

export interface OutboxEvent {
  id: string;
  subject: string;
  payload: unknown;
}

/**
 * The transactional outbox: notifications recorded in Postgres and relayed to
 * the event bus. Claiming deletes the rows it returns, with SKIP LOCKED, so
 * that several relays never publish the same row twice in the normal case;
 * a relay that dies after claiming loses nothing that matters, because every
 * event is only a hint to re-read the database.
 */
export const outboxStore = {
  async add(db: Database, subject: string, payload: unknown): Promise<void> {
    await db.query(`INSERT INTO outbox_event (subject, payload) VALUES ($1, $2::jsonb)`, [subject, JSON.stringify(payload)]);
  },

  async claim(db: Database, limit: number): Promise<OutboxEvent[]> {
    return db.query<OutboxEvent>(
      `DELETE FROM outbox_event WHERE id IN (
         SELECT id FROM outbox_event ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
       ) RETURNING id::text AS id, subject, payload`,
      [limit],
    );
  },
};
