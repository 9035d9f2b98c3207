import { sql } from 'kysely';
import type { Db, Trx } from '../../db/database.js';

type Q = Db | Trx;

/** The moment until which this username may not sign in from this client, if any. */
export async function findLockedUntil(db: Q, usernameKey: string, client: string): Promise<Date | null> {
  const row = await db
    .selectFrom('sign_in_failures')
    .select('locked_until')
    .where('username_key', '=', usernameKey)
    .where('client', '=', client)
    .where('locked_until', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return row?.locked_until ?? null;
}

/**
 * Counts one more failure of this username from this client. From `lockAfter` failures on, each one
 * locks the pair for `firstLockSeconds`, doubling, up to `maxLockSeconds`; a day without failures
 * starts the count again.
 */
export async function recordSignInFailure(
  trx: Trx,
  usernameKey: string,
  client: string,
  policy: { lockAfter: number; firstLockSeconds: number; maxLockSeconds: number },
): Promise<{ failures: number; lockedUntil: Date | null }> {
  const failures = sql<number>`case when sign_in_failures.last_failed_at < now() - interval '1 day' then 1
    else sign_in_failures.failures + 1 end`;
  const lockFor = (n: typeof failures) => sql<Date | null>`case when ${n} >= ${policy.lockAfter}
    then now() + make_interval(secs => least(${policy.maxLockSeconds}, ${policy.firstLockSeconds} * power(2, ${n} - ${policy.lockAfter})))
    else null end`;
  const first = sql<number>`1`;
  const row = await trx
    .insertInto('sign_in_failures')
    .values({ username_key: usernameKey, client, failures: first, locked_until: lockFor(first) })
    .onConflict((oc) =>
      oc.columns(['username_key', 'client']).doUpdateSet({ failures, locked_until: lockFor(failures), last_failed_at: sql<Date>`now()` }),
    )
    .returning(['failures', 'locked_until'])
    .executeTakeFirstOrThrow();
  return { failures: row.failures, lockedUntil: row.locked_until };
}

export async function clearSignInFailures(db: Q, usernameKey: string, client?: string): Promise<void> {
  let query = db.deleteFrom('sign_in_failures').where('username_key', '=', usernameKey);
  if (client !== undefined) query = query.where('client', '=', client);
  await query.execute();
}

/** Failures older than a day count for nothing (see recordSignInFailure): forget them. */
export async function deleteStaleSignInFailures(db: Q): Promise<void> {
  await db.deleteFrom('sign_in_failures').where('last_failed_at', '<', sql<Date>`now() - interval '1 day'`).execute();
}
