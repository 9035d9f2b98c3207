import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

/** One more hit on `key` in its fixed window (a new window when the last one has passed). */
export function incrementCounter(db: Db, key: string, windowMs: number): Promise<{ hits: number; resets_at: Date }> {
  const resetsAt = sql<Date>`now() + make_interval(secs => ${windowMs / 1000})`;
  const expired = sql<boolean>`rate_limit_counters.resets_at <= now()`;
  return db
    .insertInto('rate_limit_counters')
    .values({ key, hits: 1, resets_at: resetsAt })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        hits: sql<number>`case when ${expired} then 1 else rate_limit_counters.hits + 1 end`,
        resets_at: sql<Date>`case when ${expired} then excluded.resets_at else rate_limit_counters.resets_at end`,
      }),
    )
    .returning(['hits', 'resets_at'])
    .executeTakeFirstOrThrow();
}

export async function decrementCounter(db: Db, key: string): Promise<void> {
  await db.updateTable('rate_limit_counters').set({ hits: sql<number>`greatest(hits - 1, 0)` }).where('key', '=', key).execute();
}

export async function deleteCounter(db: Db, key: string): Promise<void> {
  await db.deleteFrom('rate_limit_counters').where('key', '=', key).execute();
}

export async function deleteExpiredCounters(db: Db): Promise<void> {
  await db.deleteFrom('rate_limit_counters').where('resets_at', '<', sql<Date>`now()`).execute();
}
