import { sql, type Kysely } from 'kysely';

// Frozen: one 文号 may name several documents of an organ and kind (one 国务院令 republishes every
// regulation it amended; real catalogs hold them all). A true duplicate (same 文号 and title) stays
// refused, by this index too when two writes race.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index documents_doc_number_unique`.execute(db);
  await sql`create unique index documents_doc_number_title_unique on documents (organ_id, kind, doc_number_key, md5(title))
            where doc_number_key is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index documents_doc_number_title_unique`.execute(db);
  await sql`create unique index documents_doc_number_unique on documents (organ_id, kind, doc_number_key)
            where doc_number_key is not null`.execute(db);
}
