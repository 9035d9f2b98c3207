import { sql, type Kysely } from 'kysely';

// Frozen: this file describes the schema as it was on the day it was written. Change it with a new file.

/**
 * Every index job records the transaction that wrote it, and applied jobs move to a history kept for a
 * while. A rebuild of the index reads PostgreSQL in one snapshot; after it swaps the new index in, it
 * queues again exactly the jobs whose transactions that snapshot could not see, so a change committed
 * during the rebuild is not lost by the swap.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('index_jobs')
    .addColumn('xact_id', sql`xid8`, (c) => c.notNull().defaultTo(sql`pg_current_xact_id()`))
    .execute();
  await db.schema
    .createTable('index_job_history')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('entity', 'text', (c) => c.notNull().check(sql`entity in ('document', 'interpretation')`))
    .addColumn('entity_id', 'integer', (c) => c.notNull())
    .addColumn('xact_id', sql`xid8`, (c) => c.notNull())
    .addColumn('done_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('index_job_history_done_idx').on('index_job_history').column('done_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('index_job_history').execute();
  await db.schema.alterTable('index_jobs').dropColumn('xact_id').execute();
}
