import { sql } from 'kysely';
import type { Db, Trx } from '../../db/database.js';
import type { IsoDate } from '../../shared/dates.js';

type Q = Db | Trx;

export async function insertInterpretation(
  trx: Trx,
  value: { title: string; body: string; published_on: IsoDate; created_by: number | null },
): Promise<number> {
  const row = await trx.insertInto('interpretations').values(value).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function updateInterpretation(
  trx: Trx,
  id: number,
  patch: { title?: string; body?: string; published_on?: IsoDate },
): Promise<void> {
  await trx.updateTable('interpretations').set({ ...patch, updated_at: sql<Date>`now()` }).where('id', '=', id).execute();
}

export async function replaceInterpretationLinks(trx: Trx, interpretationId: number, documentIds: number[]): Promise<void> {
  await trx.deleteFrom('interpretation_documents').where('interpretation_id', '=', interpretationId).execute();
  if (documentIds.length === 0) return;
  await trx
    .insertInto('interpretation_documents')
    .values(documentIds.map((document_id) => ({ interpretation_id: interpretationId, document_id })))
    .execute();
}

export function findInterpretationById(db: Q, id: number) {
  return db.selectFrom('interpretations').selectAll().where('id', '=', id).executeTakeFirst();
}

export function lockInterpretation(trx: Trx, id: number) {
  return trx.selectFrom('interpretations').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function documentIdsOfInterpretation(db: Q, id: number): Promise<number[]> {
  const rows = await db
    .selectFrom('interpretation_documents')
    .select('document_id')
    .where('interpretation_id', '=', id)
    .orderBy('document_id')
    .execute();
  return rows.map((r) => r.document_id);
}

export function interpretationsOfDocument(db: Q, documentId: number) {
  return db
    .selectFrom('interpretation_documents as l')
    .innerJoin('interpretations as i', 'i.id', 'l.interpretation_id')
    .select(['i.id', 'i.title', 'i.published_on'])
    .where('l.document_id', '=', documentId)
    .orderBy('i.published_on', 'desc')
    .orderBy('i.id')
    .execute();
}

export async function listInterpretations(db: Q, options: { publishedBy: IsoDate | null; offset: number; limit: number }) {
  let query = db.selectFrom('interpretations');
  if (options.publishedBy) query = query.where('published_on', '<=', options.publishedBy);
  const [count, rows] = await Promise.all([
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    query
      .select(['id', 'title', 'published_on'])
      .orderBy('published_on', 'desc')
      .orderBy('id', 'desc')
      .offset(options.offset)
      .limit(options.limit)
      .execute(),
  ]);
  return { total: Number(count.n), rows };
}

/**
 * Interpretations published in a year that explain a document of one of these organs (the organ of
 * an interpretation is that of the documents it is written for); each counted once.
 */
export async function countInterpretationsPublishedIn(db: Q, organIds: number[], from: IsoDate, to: IsoDate): Promise<number> {
  if (organIds.length === 0) return 0;
  const row = await db
    .selectFrom('interpretations as i')
    .innerJoin('interpretation_documents as l', 'l.interpretation_id', 'i.id')
    .innerJoin('documents as d', 'd.id', 'l.document_id')
    .select((eb) => eb.fn.count<string>('i.id').distinct().as('n'))
    .where('i.published_on', '>=', from)
    .where('i.published_on', '<=', to)
    .where('d.organ_id', 'in', organIds)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
