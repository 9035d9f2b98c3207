import { sql } from 'kysely';
import type { Db, Trx } from '../../db/database.js';
import type { Role } from '../../db/tables.js';

type Q = Db | Trx;

export function findUserByUsername(db: Q, username: string) {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export function findUserById(db: Q, id: number) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listUsers(db: Q) {
  return db
    .selectFrom('users')
    .select(['id', 'username', 'display_name', 'role', 'disabled', 'created_at'])
    .orderBy('id')
    .execute();
}

export async function countUsers(db: Q): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertUser(
  trx: Trx,
  user: { username: string; password_hash: string; role: Role; display_name?: string | null },
): Promise<number> {
  const row = await trx.insertInto('users').values(user).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function updateUser(
  trx: Trx,
  id: number,
  patch: { role?: Role; disabled?: boolean; display_name?: string | null; password_hash?: string },
): Promise<void> {
  await trx
    .updateTable('users')
    .set({ ...patch, ...(patch.password_hash ? { password_changed_at: sql<Date>`now()` } : {}) })
    .where('id', '=', id)
    .execute();
}

export async function insertApiToken(
  trx: Trx,
  token: { user_id: number; name: string; token_hash: string; ttlDays: number },
): Promise<{ id: number; expires_at: Date }> {
  const { ttlDays, ...values } = token;
  return trx
    .insertInto('api_tokens')
    .values({ ...values, expires_at: sql<Date>`now() + make_interval(days => ${ttlDays})` })
    .returning(['id', 'expires_at'])
    .executeTakeFirstOrThrow();
}

export function listApiTokens(db: Q, userId: number) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'expires_at', 'last_used_at', 'revoked_at'])
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .execute();
}

/** Revokes one of the user's own tokens; false when there is no such live token. */
export async function revokeApiToken(trx: Trx, userId: number, tokenId: number): Promise<boolean> {
  const result = await trx
    .updateTable('api_tokens')
    .set({ revoked_at: sql<Date>`now()` })
    .where('id', '=', tokenId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Ends every session and token of a user (disabled, or password reset). */
export async function revokeAllCredentials(trx: Trx, userId: number): Promise<void> {
  await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
  await trx.updateTable('api_tokens').set({ revoked_at: sql<Date>`now()` }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
}

/**
 * The active user behind a token hash. last_used_at is written at most once a minute per token, so
 * a busy API client does not turn every read into a write.
 */
export async function findUserByTokenHash(db: Db, tokenHash: string) {
  const row = await db
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['t.id as token_id', 't.last_used_at', 'u.id', 'u.username', 'u.role'])
    .where('t.token_hash', '=', tokenHash)
    .where('t.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', sql<Date>`now()`)]))
    .where('u.disabled', '=', false)
    .executeTakeFirst();
  if (row && (!row.last_used_at || Date.now() - new Date(row.last_used_at).getTime() > 60_000)) {
    await db.updateTable('api_tokens').set({ last_used_at: sql<Date>`now()` }).where('id', '=', row.token_id).execute();
  }
  return row;
}

export async function countActiveAdmins(db: Q): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('role', '=', 'admin')
    .where('disabled', '=', false)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
