import type { Db, Trx } from '../../db/database.js';

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
