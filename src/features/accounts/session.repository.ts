import { sql } from 'kysely';
import type { Db, Trx } from '../../db/database.js';

type Q = Db | Trx;

export async function insertSession(
  trx: Q,
  session: { id_hash: string; user_id: number; csrf_token: string; ip: string | null; user_agent: string | null; ttlSeconds: number },
): Promise<void> {
  const { ttlSeconds, ...values } = session;
  await trx
    .insertInto('sessions')
    .values({ ...values, expires_at: sql<Date>`now() + make_interval(secs => ${ttlSeconds})` })
    .execute();
}

/**
 * The live session and its user. Sliding expiry: each use pushes the end out again, but the write
 * happens at most once a minute so page views do not all write.
 */
export async function touchSession(db: Db, idHash: string, ttlSeconds: number) {
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.id_hash', 's.csrf_token', 's.last_seen_at', 'u.id as user_id', 'u.username', 'u.role', 'u.display_name'])
    .where('s.id_hash', '=', idHash)
    .where('s.expires_at', '>', sql<Date>`now()`)
    .where('u.disabled', '=', false)
    .executeTakeFirst();
  if (row && Date.now() - new Date(row.last_seen_at).getTime() > 60_000) {
    await db
      .updateTable('sessions')
      .set({ last_seen_at: sql<Date>`now()`, expires_at: sql<Date>`now() + make_interval(secs => ${ttlSeconds})` })
      .where('id_hash', '=', idHash)
      .execute();
  }
  return row;
}

export async function deleteSession(db: Q, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

export async function deleteExpiredSessions(db: Q): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<=', sql<Date>`now()`).execute();
}
