import type { Db, Trx } from './database.js';
import { groupBy } from '../shared/group-by.js';

type Q = Db | Trx;

// What a document's heading and summary are, in SQL: the catalog, search, Article 20 and compliance
// repositories all read documents this way, so it is defined once here rather than in one feature.

/** Documents (d) with their lead organ (o) and repeal record (r): the base of every document query. */
export function documentsWithRepeal(db: Q) {
  return db
    .selectFrom('documents as d')
    .leftJoin('document_repeals as r', 'r.document_id', 'd.id')
    .innerJoin('organs as o', 'o.id', 'd.organ_id');
}

/** What any list of documents shows and what their status needs, over documentsWithRepeal's aliases. */
export const headingColumns = [
  'd.id',
  'd.kind',
  'd.title',
  'd.doc_number',
  'd.organ_id',
  'o.name as organ_name',
  'd.signed_on',
  'd.published_on',
  'd.effective_on',
  'd.expires_on',
  'r.repealed_on',
] as const;

export const summaryColumns = [
  ...headingColumns,
  'd.doc_number_key',
  'd.index_number',
  'r.by_document_id as repealed_by_document_id',
  'r.reason as repeal_reason',
  'd.created_at',
  'd.updated_at',
  'd.warnings',
] as const;

export type DocumentSummaryRecord = Awaited<ReturnType<typeof findDocumentSummaries>>[number];

export function findDocumentSummaries(db: Q, ids: number[]) {
  return documentsWithRepeal(db)
    .select(summaryColumns)
    .where('d.id', 'in', ids.length ? ids : [-1])
    .execute();
}

/** One document's dates and heading without its body, for checks that need no more. */
export async function findDocumentSummary(db: Q, id: number): Promise<DocumentSummaryRecord | undefined> {
  return (await findDocumentSummaries(db, [id]))[0];
}

export async function topicsOfDocuments(db: Q, ids: number[]): Promise<Map<number, string[]>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('document_topics as dt')
    .innerJoin('topics as t', 't.id', 'dt.topic_id')
    .select(['dt.document_id', 't.name'])
    .where('dt.document_id', 'in', ids)
    .orderBy('t.sort_order')
    .execute();
  return groupBy(rows, (row) => row.document_id, (row) => row.name);
}

export async function coIssuersOfDocuments(db: Q, ids: number[]): Promise<Map<number, { id: number; name: string }[]>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('document_co_issuers as c')
    .innerJoin('organs as o', 'o.id', 'c.organ_id')
    .select(['c.document_id', 'o.id', 'o.name'])
    .where('c.document_id', 'in', ids)
    .orderBy('c.position')
    .execute();
  return groupBy(rows, (row) => row.document_id, (row) => ({ id: row.id, name: row.name }));
}
