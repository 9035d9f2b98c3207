import { sql } from 'kysely';
import type { Db, Trx } from '../db/database.js';

export type IndexedEntity = 'document' | 'interpretation';

export const INDEX_JOBS_CHANNEL = 'gfwj_index_jobs';

/** Queues index updates in the caller's transaction; the NOTIFY is delivered only if it commits. */
export async function enqueueIndexJobs(trx: Trx, entity: IndexedEntity, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await trx.insertInto('index_jobs').values(ids.map((entity_id) => ({ entity, entity_id }))).execute();
  await sql`select pg_notify(${INDEX_JOBS_CHANNEL}, '')`.execute(trx);
}

export interface ClaimedJob {
  id: string;
  entity: IndexedEntity;
  entity_id: number;
  attempts: number;
}

/**
 * Claims due jobs for this transaction. SKIP LOCKED lets several app processes run workers at once:
 * each sees only jobs nobody else holds.
 */
export function claimDueJobs(trx: Trx, limit: number): Promise<ClaimedJob[]> {
  return trx
    .selectFrom('index_jobs')
    .select(['id', 'entity', 'entity_id', 'attempts'])
    .where('run_after', '<=', sql<Date>`now()`)
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export async function deleteJobs(trx: Trx, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await trx.deleteFrom('index_jobs').where('id', 'in', ids).execute();
}

export async function postponeJobs(trx: Trx, ids: string[], error: string, delaySeconds: number): Promise<void> {
  if (ids.length === 0) return;
  await trx
    .updateTable('index_jobs')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      last_error: error.slice(0, 1000),
      run_after: sql<Date>`now() + make_interval(secs => ${delaySeconds})`,
    }))
    .where('id', 'in', ids)
    .execute();
}

export async function countPendingJobs(db: Db): Promise<number> {
  const row = await db.selectFrom('index_jobs').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
