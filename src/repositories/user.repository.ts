import { sql } from 'kysely';
import type { Db, Trx } from '../db/database.js';
import type { Role } from '../db/tables.js';

type Q = Db | Trx;

export function findUserByUsername(db: Q, username: string) {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
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

export async function insertApiToken(trx: Trx, token: { user_id: number; name: string; token_hash: string }): Promise<number> {
  const row = await trx.insertInto('api_tokens').values(token).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** The active user behind a token hash; marks the token used. */
export async function findUserByTokenHash(db: Db, tokenHash: string) {
  return db
    .updateTable('api_tokens as t')
    .set({ last_used_at: sql<Date>`now()` })
    .from('users as u')
    .whereRef('u.id', '=', 't.user_id')
    .where('t.token_hash', '=', tokenHash)
    .where('t.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', sql<Date>`now()`)]))
    .where('u.disabled', '=', false)
    .returning(['u.id', 'u.username', 'u.role'])
    .executeTakeFirst();
}

/** Counts a failed sign-in; the fifth in a row locks the account for a while. */
export async function recordFailedLogin(db: Q, userId: number, lockAfter: number, lockSeconds: number): Promise<void> {
  await db
    .updateTable('users')
    .set(() => ({
      failed_logins: sql<number>`case when failed_logins + 1 >= ${lockAfter} then 0 else failed_logins + 1 end`,
      locked_until: sql<Date | null>`case when failed_logins + 1 >= ${lockAfter} then now() + make_interval(secs => ${lockSeconds}) else locked_until end`,
    }))
    .where('id', '=', userId)
    .execute();
}

export async function resetFailedLogins(db: Q, userId: number): Promise<void> {
  await db.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', userId).execute();
}
