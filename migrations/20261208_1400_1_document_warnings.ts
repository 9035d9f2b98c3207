import { sql, type Kysely } from 'kysely';

// Frozen: the publishing warnings of a document ([{code, message}]), kept as last computed so the
// staff list and the API answer them without recomputing.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table documents add column warnings jsonb not null default '[]'::jsonb`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table documents drop column warnings`.execute(db);
}
