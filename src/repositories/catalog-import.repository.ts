import type { Db, Trx } from '../db/database.js';

type Q = Db | Trx;

/** Of `keys`, those already imported from `source`, with their documents. */
export async function findImportedKeys(db: Q, source: string, keys: string[]): Promise<Map<string, number>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('import_sources')
    .select(['source_key', 'document_id'])
    .where('source', '=', source)
    .where('source_key', 'in', keys)
    .execute();
  return new Map(rows.map((r) => [r.source_key, r.document_id]));
}

export async function insertImportSource(trx: Trx, row: { source: string; key: string; documentId: number }): Promise<void> {
  await trx
    .insertInto('import_sources')
    .values({ source: row.source, source_key: row.key, document_id: row.documentId })
    .execute();
}

/** The documents of one organ and kind a catalog row may already be, with their repeal day. */
function candidates(db: Q, organId: number, kind: string) {
  return db
    .selectFrom('documents')
    .leftJoin('document_repeals as r', 'r.document_id', 'documents.id')
    .select(['documents.id', 'documents.title', 'r.repealed_on'])
    .where('organ_id', '=', organId)
    .where('kind', '=', kind);
}

/** A catalog row's document when it carries a 文号: the same key the unique index uses. */
export async function findDocumentByNumber(db: Q, organId: number, kind: string, docNumberKey: string) {
  return candidates(db, organId, kind).where('doc_number_key', '=', docNumberKey).executeTakeFirst();
}

/** A catalog row's document when it has no 文号: same organ, kind, title and publication day. */
export async function findDocumentByTitle(db: Q, organId: number, kind: string, title: string, publishedOn: string | null) {
  return candidates(db, organId, kind)
    .where('title', '=', title)
    .where((eb) => (publishedOn === null ? eb('published_on', 'is', null) : eb('published_on', '=', publishedOn)))
    .executeTakeFirst();
}
