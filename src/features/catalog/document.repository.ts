import { sql } from 'kysely';
import type { Db, Trx } from '../../db/database.js';
import type { DocumentUpdate, NewDocument, RelationType } from '../../db/tables.js';
import type { DocumentKind, DocumentStatus } from '../../shared/document-status.js';
import type { IsoDate } from '../../shared/dates.js';
import { statusPredicate } from '../../db/status.sql.js';
import { documentsWithRepeal, summaryColumns, type DocumentSummaryRecord } from '../../db/document.sql.js';

export { coIssuersOfDocuments, findDocumentSummaries, findDocumentSummary, topicsOfDocuments, type DocumentSummaryRecord } from '../../db/document.sql.js';

type Q = Db | Trx;

export type DocumentRecord = DocumentSummaryRecord & { body: string };

export function findDocumentById(db: Q, id: number): Promise<DocumentRecord | undefined> {
  return documentsWithRepeal(db).select([...summaryColumns, 'd.body']).where('d.id', '=', id).executeTakeFirst();
}

/** The documents of one organ and kind a new one may clash with, with their repeal day. */
function sameOrganAndKind(db: Q, organId: number, kind: string) {
  return documentsWithRepeal(db).select(['d.id', 'd.title', 'r.repealed_on']).where('d.organ_id', '=', organId).where('d.kind', '=', kind);
}

/** The first document of an organ and kind with this 文号 key (several may share one 令号). */
export function findDocumentByNumber(db: Q, organId: number, kind: string, docNumberKey: string) {
  return sameOrganAndKind(db, organId, kind).where('d.doc_number_key', '=', docNumberKey).orderBy('d.id').executeTakeFirst();
}

/** Every document of an organ and kind with this 文号 key. */
export function findDocumentsByNumber(db: Q, organId: number, kind: string, docNumberKey: string) {
  return sameOrganAndKind(db, organId, kind).where('d.doc_number_key', '=', docNumberKey).orderBy('d.id').execute();
}

/** Without a 文号: the document of an organ and kind with this title and publication day. */
export function findDocumentByTitle(db: Q, organId: number, kind: string, title: string, publishedOn: string | null) {
  return sameOrganAndKind(db, organId, kind)
    .where('d.title', '=', title)
    .where((eb) => (publishedOn === null ? eb('d.published_on', 'is', null) : eb('d.published_on', '=', publishedOn)))
    .executeTakeFirst();
}

/** Locks the document row so concurrent edits of one document apply one after another. */
export async function lockDocument(trx: Trx, id: number): Promise<boolean> {
  const row = await trx.selectFrom('documents').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
  return row !== undefined;
}

/**
 * Documents a person's words point to: a 文号 in any spelling (by its key), or a fragment of the
 * title or of the 文号 as written.
 */
function matchingText(q: string, docNumberKey: string | null) {
  const like = `%${q.replace(/[\\%_]/g, '\\$&')}%`;
  const byKey = docNumberKey === null ? sql`` : sql` or d.doc_number_key = ${docNumberKey}`;
  return sql<boolean>`(d.title ilike ${like} or d.doc_number ilike ${like}${byKey})`;
}

/** Up to `limit` documents matching `q` (see matchingText), published ones first, newest first. */
export function findDocumentsMatching(db: Q, q: string, docNumberKey: string | null, limit: number) {
  return documentsWithRepeal(db)
    .select(summaryColumns)
    .where(matchingText(q, docNumberKey))
    .orderBy(sql`d.published_on is null`)
    .orderBy('d.published_on', 'desc')
    .orderBy('d.id', 'desc')
    .limit(limit)
    .execute();
}

/** The documents with this 文号 key, whatever their organ and kind. */
export function findDocumentsByNumberKey(db: Q, docNumberKey: string) {
  return documentsWithRepeal(db).select(summaryColumns).where('d.doc_number_key', '=', docNumberKey).orderBy('d.id').execute();
}

export interface DocumentFilter {
  asOf: IsoDate;
  /** A keyword or 文号 (see matchingText). */
  text?: { q: string; docNumberKey: string | null } | undefined;
  kinds?: DocumentKind[] | undefined;
  statuses?: DocumentStatus[] | undefined;
  organIds?: number[] | undefined;
  /** Public callers see only documents published by this day; staff (null) see everything. */
  publishedBy: IsoDate | null;
  offset: number;
  limit: number;
}

export async function listDocuments(db: Q, filter: DocumentFilter) {
  let query = documentsWithRepeal(db);
  if (filter.text) query = query.where(matchingText(filter.text.q, filter.text.docNumberKey));
  if (filter.kinds?.length) query = query.where('d.kind', 'in', filter.kinds);
  if (filter.organIds?.length) query = query.where('d.organ_id', 'in', filter.organIds);
  if (filter.publishedBy !== null) query = query.where('d.published_on', '<=', filter.publishedBy);
  if (filter.statuses?.length) {
    const statuses = filter.statuses;
    query = query.where((eb) => eb.or(statuses.map((s) => statusPredicate(s, filter.asOf))));
  }
  const [count, rows] = await Promise.all([
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    query
      .select(summaryColumns)
      .orderBy(sql`coalesce(d.published_on, d.signed_on)`, (ob) => ob.desc().nullsFirst())
      .orderBy('d.id', 'desc')
      .offset(filter.offset)
      .limit(filter.limit)
      .execute(),
  ]);
  return { total: Number(count.n), rows };
}

export async function insertDocument(trx: Trx, doc: NewDocument): Promise<number> {
  const row = await trx.insertInto('documents').values(doc).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function updateDocument(trx: Trx, id: number, patch: DocumentUpdate): Promise<void> {
  await trx
    .updateTable('documents')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .execute();
}

/** Sets the body only where it is still empty; true when it did. */
export async function fillEmptyBody(trx: Trx, id: number, body: string): Promise<boolean> {
  const result = await trx
    .updateTable('documents')
    .set({ body, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('body', '=', '')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function replaceDocumentTopics(trx: Trx, documentId: number, topicIds: number[]): Promise<void> {
  await trx.deleteFrom('document_topics').where('document_id', '=', documentId).execute();
  if (topicIds.length === 0) return;
  await trx
    .insertInto('document_topics')
    .values(topicIds.map((topic_id) => ({ document_id: documentId, topic_id })))
    .execute();
}

export async function replaceCoIssuers(trx: Trx, documentId: number, organIds: number[]): Promise<void> {
  await trx.deleteFrom('document_co_issuers').where('document_id', '=', documentId).execute();
  if (organIds.length === 0) return;
  await trx
    .insertInto('document_co_issuers')
    .values(organIds.map((organ_id, position) => ({ document_id: documentId, organ_id, position })))
    .execute();
}

export async function insertRepeal(
  trx: Trx,
  repeal: { documentId: number; repealedOn: IsoDate; byDocumentId: number | null; reason: string | null; userId: number | null },
): Promise<void> {
  await trx
    .insertInto('document_repeals')
    .values({
      document_id: repeal.documentId,
      repealed_on: repeal.repealedOn,
      by_document_id: repeal.byDocumentId,
      reason: repeal.reason,
      created_by: repeal.userId,
    })
    .execute();
}

export async function insertRelation(trx: Trx, from: number, to: number, relation: RelationType): Promise<void> {
  await trx
    .insertInto('document_relations')
    .values({ from_document_id: from, to_document_id: to, relation })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** Relations in both directions, each with the other document's id. */
export function relationsOfDocument(db: Q, id: number) {
  return db
    .selectFrom('document_relations')
    .select([
      'relation',
      'from_document_id',
      'to_document_id',
      sql<'outgoing' | 'incoming'>`case when from_document_id = ${id} then 'outgoing' else 'incoming' end`.as('direction'),
      sql<number>`case when from_document_id = ${id} then to_document_id else from_document_id end`.as('other_id'),
    ])
    .where((eb) => eb.or([eb('from_document_id', '=', id), eb('to_document_id', '=', id)]))
    .orderBy('id')
    .execute();
}

export function filesOfDocument(db: Q, id: number) {
  return db
    .selectFrom('document_files as f')
    .innerJoin('stored_files as s', 's.sha256', 'f.sha256')
    .select(['f.id', 'f.name', 'f.role', 'f.text_layer', 'f.ocr', 'f.sha256', 's.size', 's.type'])
    .where('f.document_id', '=', id)
    .orderBy('f.role', 'desc')
    .orderBy('f.id')
    .execute();
}

export function findDocumentFile(db: Q, documentId: number, fileId?: number) {
  let query = db
    .selectFrom('document_files as f')
    .innerJoin('stored_files as s', 's.sha256', 'f.sha256')
    .select(['f.id', 'f.name', 'f.role', 'f.sha256', 's.size', 's.type'])
    .where('f.document_id', '=', documentId);
  query = fileId === undefined ? query.where('f.role', '=', 'main') : query.where('f.id', '=', fileId);
  return query.executeTakeFirst();
}

/** Unlinks the document's main original (the stored bytes stay: other documents may share them). */
export async function deleteMainFile(trx: Trx, documentId: number): Promise<void> {
  await trx.deleteFrom('document_files').where('document_id', '=', documentId).where('role', '=', 'main').execute();
}

export async function insertStoredFile(trx: Trx, file: { sha256: string; size: number; type: string }): Promise<void> {
  await trx.insertInto('stored_files').values(file).onConflict((oc) => oc.column('sha256').doNothing()).execute();
}

export async function insertDocumentFile(
  trx: Trx,
  file: { documentId: number; sha256: string; name: string; role: 'main' | 'attachment'; textLayer: boolean; ocr: boolean },
): Promise<void> {
  await trx
    .insertInto('document_files')
    .values({ document_id: file.documentId, sha256: file.sha256, name: file.name, role: file.role, text_layer: file.textLayer, ocr: file.ocr })
    .execute();
}
