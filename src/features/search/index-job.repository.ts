import { sql } from 'kysely';
import type { Db, Trx } from '../../db/database.js';

export type IndexedEntity = 'document' | 'interpretation';

export const INDEX_JOBS_CHANNEL = 'gfwj_index_jobs';

/**
 * Queues index updates in the caller's transaction; the NOTIFY is delivered only if it commits. The
 * ids go as one array, however many. `unlessQueued` skips entities with a job waiting already: right
 * when nothing has changed but the day (a job being applied now writes the record of today too), wrong
 * after a write, whose change a job claimed before it committed would miss.
 */
export async function enqueueIndexJobs(trx: Trx, entity: IndexedEntity, ids: number[], options: { unlessQueued?: boolean } = {}): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    insert into index_jobs (entity, entity_id)
    select ${entity}, x.id from unnest(${ids}::int[]) as x(id)
    ${options.unlessQueued ? sql`where not exists (select 1 from index_jobs j where j.entity = ${entity} and j.entity_id = x.id)` : sql``}`.execute(trx);
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

/** Applied jobs leave the queue for the history, where a rebuild can still see them. */
export async function markJobsDone(trx: Trx, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await trx
    .with('moved', (qb) => qb.deleteFrom('index_jobs').where('id', 'in', ids).returning(['entity', 'entity_id', 'xact_id']))
    .insertInto('index_job_history')
    .columns(['entity', 'entity_id', 'xact_id'])
    .expression((eb) => eb.selectFrom('moved').select(['entity', 'entity_id', 'xact_id']))
    .execute();
}

export async function purgeJobHistory(db: Db, olderThanSeconds: number): Promise<number> {
  const result = await db
    .deleteFrom('index_job_history')
    .where('done_at', '<', sql<Date>`now() - make_interval(secs => ${olderThanSeconds})`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** A snapshot of the database as this transaction sees it, to compare later commits against. */
export async function currentSnapshot(trx: Trx): Promise<string> {
  const { rows } = await sql<{ snapshot: string }>`select pg_current_snapshot()::text as snapshot`.execute(trx);
  return rows[0]!.snapshot;
}

/**
 * Queues again every job, applied or not, written by a transaction that `snapshot` could not see:
 * what a rebuild read from that snapshot may lack. Returns how many were queued.
 */
export async function requeueJobsInvisibleTo(db: Db, snapshot: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    with missed as (
      select entity, entity_id from index_jobs
      where not pg_visible_in_snapshot(xact_id, ${snapshot}::pg_snapshot)
      union
      select entity, entity_id from index_job_history
      where not pg_visible_in_snapshot(xact_id, ${snapshot}::pg_snapshot)
    ), queued as (
      insert into index_jobs (entity, entity_id) select entity, entity_id from missed returning 1
    )
    select count(*) as n from queued`.execute(db);
  if (Number(rows[0]?.n ?? 0) > 0) await sql`select pg_notify(${INDEX_JOBS_CHANNEL}, '')`.execute(db);
  return Number(rows[0]?.n ?? 0);
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

