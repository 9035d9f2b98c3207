import { sql, type Kysely } from 'kysely';

// Frozen: this file describes the schema as it was on the day it was written. Change it with a new file.

export async function up(db: Kysely<any>): Promise<void> {
  // Article 20(五)(六): 行政许可 / 行政处罚 / 行政强制 decisions.
  await db.schema
    .createTable('decisions')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('licensing', 'penalty', 'enforcement')`))
    .addColumn('organ_id', 'integer', (c) => c.notNull().references('organs.id').onDelete('restrict'))
    .addColumn('decision_number', 'text', (c) => c.notNull().check(sql`length(btrim(decision_number)) between 1 and 200`))
    // The number as compared: brackets, full-width digits and spaces folded, so that one decision
    // typed two ways is still one decision.
    .addColumn('decision_number_key', 'text', (c) => c.notNull())
    .addColumn('decided_on', 'date', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('decisions_natural_key', ['kind', 'organ_id', 'decision_number_key'])
    .execute();
  // Counting filters by organ and year and groups by kind: an index-only scan.
  await db.schema.createIndex('decisions_organ_kind_decided_idx').on('decisions').columns(['organ_id', 'kind', 'decided_on']).execute();

  // Article 20(八): 行政事业性收费 records, in integer fen.
  await db.schema
    .createTable('fees')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('organ_id', 'integer', (c) => c.notNull().references('organs.id').onDelete('restrict'))
    .addColumn('item', 'text', (c) => c.notNull().check(sql`length(btrim(item)) between 1 and 200`))
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('collected_on', 'date', (c) => c.notNull())
    .addColumn('receipt_number', 'text', (c) => c.check(sql`length(btrim(receipt_number)) between 1 and 100`))
    // The n-th payment of the same amount for the same item at the same organ on the same day: what
    // tells two real payments apart when the ledger gives no receipt number.
    .addColumn('occurrence', 'integer', (c) => c.notNull().defaultTo(1).check(sql`occurrence >= 1`))
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index fees_receipt_key on fees (organ_id, receipt_number) where receipt_number is not null`.execute(db);
  await sql`create unique index fees_natural_key on fees (organ_id, item, collected_on, amount_fen, occurrence)
            where receipt_number is null`.execute(db);
  await sql`create index fees_organ_collected_idx on fees (organ_id, collected_on) include (amount_fen)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('fees').execute();
  await db.schema.dropTable('decisions').execute();
}
