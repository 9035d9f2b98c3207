import { sql, type Kysely } from 'kysely';

// Frozen: sign-in failures counted per account and client address (a stranger's failures no longer
// lock the owner out), rate-limit counters shared by every app process, and a lifetime for every
// API token (those issued before lifetimes existed get 90 days from their creation).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sign_in_failures')
    // Lower-cased as typed, whether or not such a user exists, so unknown names behave like known ones.
    .addColumn('username_key', 'text', (c) => c.notNull())
    .addColumn('client', 'text', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('locked_until', 'timestamptz')
    .addColumn('last_failed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('sign_in_failures_pk', ['username_key', 'client'])
    .execute();
  await db.schema.createIndex('sign_in_failures_last_idx').on('sign_in_failures').column('last_failed_at').execute();

  await db.schema
    .createTable('rate_limit_counters')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addColumn('resets_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rate_limit_counters_resets_idx').on('rate_limit_counters').column('resets_at').execute();

  await db.schema.alterTable('users').dropColumn('failed_logins').dropColumn('locked_until').execute();

  await sql`update api_tokens set expires_at = created_at + interval '90 days' where expires_at is null`.execute(db);
  await db.schema.alterTable('api_tokens').alterColumn('expires_at', (c) => c.setNotNull()).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_tokens').alterColumn('expires_at', (c) => c.dropNotNull()).execute();
  await db.schema
    .alterTable('users')
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'timestamptz')
    .execute();
  await db.schema.dropTable('rate_limit_counters').execute();
  await db.schema.dropTable('sign_in_failures').execute();
}
