import { sql, type Kysely } from 'kysely';

// Frozen. The text of every document and interpretation in the form the verbatim search matches
// (NFKC, lower case, letters and digits only), with trigram indexes so that `like '%…%'` finds any
// fragment, cut wherever, without reading every text. Filled by the index worker and `npm run reindex`.
// The trigram indexes help only in a database whose LC_CTYPE counts Han characters as letters
// (C.UTF-8: new embedded clusters are initialised so); elsewhere the search still answers, by scan.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`
    create table search_fragments (
      record_group text primary key,
      title text not null,
      content text not null
    )`.execute(db);
  await sql`create index search_fragments_title_trgm on search_fragments using gin (title gin_trgm_ops)`.execute(db);
  await sql`create index search_fragments_content_trgm on search_fragments using gin (content gin_trgm_ops)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table search_fragments`.execute(db);
  await sql`drop extension if exists pg_trgm`.execute(db);
}
