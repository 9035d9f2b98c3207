import { sql, type Kysely } from 'kysely';

// Frozen: the text versions of a document. Version 1 is the text as issued (written when the first
// amendment arrives); each later version is the consolidated text after one amendment, from the day
// it takes effect. documents.body keeps the newest version's text, so search reads the current text.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('document_versions')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('document_id', 'integer', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull().check(sql`number >= 1`))
    .addColumn('effective_on', 'date', (c) => c.notNull())
    .addColumn('amended_by_document_id', 'integer', (c) => c.references('documents.id').onDelete('restrict'))
    .addColumn('body', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('note', 'text')
    .addColumn('file_sha256', 'text', (c) => c.references('stored_files.sha256'))
    .addColumn('file_name', 'text')
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('document_versions_number_unique', ['document_id', 'number'])
    // Only the original has no amending document.
    .addCheckConstraint('document_versions_amended_unless_original', sql`(number = 1) = (amended_by_document_id is null)`)
    .addCheckConstraint('document_versions_file_named', sql`(file_sha256 is null) = (file_name is null)`)
    .execute();
  await db.schema.createIndex('document_versions_amended_by_idx').on('document_versions').column('amended_by_document_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('document_versions').execute();
}
