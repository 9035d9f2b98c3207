import { sql, type Kysely } from 'kysely';

// Frozen: the decisions of the expiry review (清理) of documents whose term is about to end.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('expiry_reviews')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('document_id', 'integer', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('decision', 'text', (c) => c.notNull().check(sql`decision in ('extend', 'revise', 'let_expire', 'repeal')`))
    .addColumn('decided_on', 'date', (c) => c.notNull())
    .addColumn('note', 'text')
    // The term as it was when decided, so the history reads "extended from … to …" after the change.
    .addColumn('previous_expires_on', 'date')
    .addColumn('new_expires_on', 'date')
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('expiry_reviews_new_term_only_when_extended', sql`(decision = 'extend') = (new_expires_on is not null)`)
    .addCheckConstraint('expiry_reviews_extends_forward', sql`new_expires_on > previous_expires_on`)
    .execute();
  await db.schema.createIndex('expiry_reviews_document_idx').on('expiry_reviews').columns(['document_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('expiry_reviews').execute();
}
