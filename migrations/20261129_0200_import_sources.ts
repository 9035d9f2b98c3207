import { sql, type Kysely } from 'kysely';

// Frozen: this file describes the schema as it was on the day it was written. Change it with a new file.

export async function up(db: Kysely<any>): Promise<void> {
  // Where an imported document came from (a corpus record id), so a second run, or a run resumed
  // after a kill, skips what is there even when the record has no 文号 to recognise it by.
  await db.schema
    .createTable('import_sources')
    .addColumn('source', 'text', (c) => c.notNull().check(sql`length(source) between 1 and 50`))
    .addColumn('source_key', 'text', (c) => c.notNull().check(sql`length(source_key) between 1 and 200`))
    .addColumn('document_id', 'integer', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('imported_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('import_sources_pk', ['source', 'source_key'])
    .execute();
  await db.schema.createIndex('import_sources_document_idx').on('import_sources').column('document_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('import_sources').execute();
}
