import { sql, type Kysely } from 'kysely';

// Frozen: a term may not end before the document is published (it would be expired on its first public day).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table documents add constraint documents_expires_after_published check (expires_on >= published_on)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table documents drop constraint documents_expires_after_published`.execute(db);
}
