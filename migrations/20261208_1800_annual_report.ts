import { sql, type Kysely } from 'kysely';

// Frozen: the registers behind sections 三 and 四 of the annual disclosure report (requests for
// disclosure, appeals about disclosure), the compiler's texts of sections 一, 五 and 六, and the
// reports as finalised (figures, texts and the DOCX as published).

const APPLICANT_TYPES = `('natural_person', 'commercial', 'research', 'public_interest', 'legal_service', 'other')`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('disclosure_requests')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('organ_id', 'integer', (c) => c.notNull().references('organs.id').onDelete('restrict'))
    .addColumn('number', 'text', (c) => c.notNull().check(sql`length(btrim(number)) between 1 and 100`))
    .addColumn('received_on', 'date', (c) => c.notNull())
    .addColumn('applicant_type', 'text', (c) => c.notNull().check(sql.raw(`applicant_type in ${APPLICANT_TYPES}`)))
    .addColumn('subject', 'text', (c) => c.check(sql`length(subject) <= 500`))
    .addColumn('correction_asked_on', 'date')
    .addColumn('correction_received_on', 'date')
    .addColumn('extended_on', 'date')
    // Date order is checked by the service, not here: the balance check of the report exists to find
    // records whose dates disagree (as registers kept elsewhere and imported can).
    .addColumn('concluded_on', 'date')
    .addColumn('outcome', 'text', (c) => c.check(sql`outcome ~ '^(disclosed|partially_disclosed|withheld|unavailable|not_processed|other)(\\.[a-z_]+)?$'`))
    .addColumn('fee_fen', 'bigint', (c) => c.check(sql`fee_fen >= 0`))
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('disclosure_requests_natural_key', ['organ_id', 'number'])
    .execute();
  // The report reads the requests of some organs received by the year's end and still open at its start.
  await db.schema.createIndex('disclosure_requests_organ_received_idx').on('disclosure_requests').columns(['organ_id', 'received_on']).execute();

  await db.schema
    .createTable('appeals')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('organ_id', 'integer', (c) => c.notNull().references('organs.id').onDelete('restrict'))
    .addColumn('number', 'text', (c) => c.notNull().check(sql`length(btrim(number)) between 1 and 100`))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('review', 'litigation_direct', 'litigation_after_review')`))
    .addColumn('filed_on', 'date', (c) => c.notNull())
    .addColumn('concluded_on', 'date')
    .addColumn('result', 'text', (c) => c.check(sql`result in ('upheld', 'corrected', 'other')`))
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('appeals_natural_key', ['organ_id', 'number'])
    .execute();
  await db.schema.createIndex('appeals_organ_filed_idx').on('appeals').columns(['organ_id', 'filed_on']).execute();

  await db.schema
    .createTable('annual_report_texts')
    .addColumn('organ_id', 'integer', (c) => c.notNull().references('organs.id').onDelete('cascade'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('section_one', 'text', (c) => c.notNull())
    .addColumn('section_five', 'text', (c) => c.notNull())
    .addColumn('section_six', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('annual_report_texts_pk', ['organ_id', 'year'])
    .execute();

  await db.schema
    .createTable('annual_report_publications')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('organ_id', 'integer', (c) => c.notNull().references('organs.id').onDelete('restrict'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('subtree', 'boolean', (c) => c.notNull())
    .addColumn('report', 'jsonb', (c) => c.notNull())
    .addColumn('docx', 'bytea', (c) => c.notNull())
    .addColumn('finalised_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('finalised_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('annual_report_publications_key', ['organ_id', 'year', 'subtree'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('annual_report_publications').execute();
  await db.schema.dropTable('annual_report_texts').execute();
  await db.schema.dropTable('appeals').execute();
  await db.schema.dropTable('disclosure_requests').execute();
}
