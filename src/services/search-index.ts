import type { Meilisearch, Settings } from 'meilisearch';
import type { Db } from '../db/database.js';
import { docNumberSearchForm, parseDocNumber } from '../domain/doc-number.js';
import type { IsoDate } from '../domain/dates.js';
import { coIssuersOfDocuments, findDocumentSummaries, topicsOfDocuments } from '../repositories/document.repository.js';

/** Dates are indexed as yyyymmdd integers: Meilisearch filters and sorts numbers, not date strings. */
export function dateToInt(date: IsoDate | null): number | null {
  return date === null ? null : Number(date.replaceAll('-', ''));
}

export interface SearchIndexes {
  client: Meilisearch;
  documents: string;
  interpretations: string;
}

export function indexNames(client: Meilisearch, prefix: string): SearchIndexes {
  return { client, documents: `${prefix}documents`, interpretations: `${prefix}interpretations` };
}

const CHINESE: Settings['localizedAttributes'] = [{ attributePatterns: ['*'], locales: ['zho'] }];

export const DOCUMENT_INDEX_SETTINGS: Settings = {
  searchableAttributes: ['title', 'doc_number_search', 'organ_names', 'topics', 'interpretation_titles', 'body'],
  filterableAttributes: [
    'kind', 'organ_ids', 'topics', 'doc_number_key', 'year',
    'published_on', 'effective_on', 'expires_on', 'repealed_on',
  ],
  sortableAttributes: ['published_on', 'signed_on'],
  displayedAttributes: ['*'],
  localizedAttributes: CHINESE,
  typoTolerance: { disableOnAttributes: ['doc_number_search'], disableOnNumbers: true },
};

export const INTERPRETATION_INDEX_SETTINGS: Settings = {
  searchableAttributes: ['title', 'document_titles', 'document_numbers', 'body'],
  filterableAttributes: ['published_on', 'document_ids'],
  sortableAttributes: ['published_on'],
  localizedAttributes: CHINESE,
  typoTolerance: { disableOnNumbers: true },
};

/** Creates the indexes and applies the settings declared above; idempotent. */
export async function ensureIndexes(indexes: SearchIndexes): Promise<void> {
  const { client } = indexes;
  for (const [uid, settings] of [
    [indexes.documents, DOCUMENT_INDEX_SETTINGS],
    [indexes.interpretations, INTERPRETATION_INDEX_SETTINGS],
  ] as const) {
    const exists = await client.getIndex(uid).then(() => true, () => false);
    if (!exists) await client.createIndex(uid, { primaryKey: 'id' }).waitTask();
    await client.index(uid).updateSettings(settings).waitTask();
  }
}

/**
 * The records that PostgreSQL's rows become in the index. Drafts are indexed too (staff search);
 * the public query filters on published_on.
 */
export async function buildDocumentRecords(db: Db, ids: number[]) {
  const rows = await findDocumentSummaries(db, ids);
  const withBodies = await db.selectFrom('documents').select(['id', 'body']).where('id', 'in', ids.length ? ids : [-1]).execute();
  const [topics, coIssuers, interpretations] = await Promise.all([
    topicsOfDocuments(db, ids),
    coIssuersOfDocuments(db, ids),
    db
      .selectFrom('interpretation_documents as l')
      .innerJoin('interpretations as i', 'i.id', 'l.interpretation_id')
      .select(['l.document_id', 'i.title'])
      .where('l.document_id', 'in', ids.length ? ids : [-1])
      .execute(),
  ]);
  return rows.map((row) => {
    const parsed = row.doc_number ? parseDocNumber(row.doc_number) : null;
    const co = coIssuers.get(row.id) ?? [];
    return {
      id: row.id,
      kind: row.kind,
      title: row.title,
      doc_number: row.doc_number,
      doc_number_key: row.doc_number_key,
      doc_number_search: parsed ? docNumberSearchForm(parsed) : null,
      organ_ids: [row.organ_id, ...co.map((o) => o.id)],
      organ_names: [row.organ_name, ...co.map((o) => o.name)],
      topics: topics.get(row.id) ?? [],
      interpretation_titles: interpretations.filter((i) => i.document_id === row.id).map((i) => i.title),
      year: row.signed_on ? Number(row.signed_on.slice(0, 4)) : row.published_on ? Number(row.published_on.slice(0, 4)) : null,
      signed_on: dateToInt(row.signed_on),
      published_on: dateToInt(row.published_on),
      effective_on: dateToInt(row.effective_on ?? row.published_on),
      expires_on: dateToInt(row.expires_on),
      repealed_on: dateToInt(row.repealed_on),
      body: withBodies.find((b) => b.id === row.id)?.body ?? '',
    };
  });
}

export async function buildInterpretationRecords(db: Db, ids: number[]) {
  if (ids.length === 0) return [];
  const [rows, links] = await Promise.all([
    db.selectFrom('interpretations').selectAll().where('id', 'in', ids).execute(),
    db
      .selectFrom('interpretation_documents as l')
      .innerJoin('documents as d', 'd.id', 'l.document_id')
      .select(['l.interpretation_id', 'd.id', 'd.title', 'd.doc_number'])
      .where('l.interpretation_id', 'in', ids)
      .execute(),
  ]);
  return rows.map((row) => {
    const docs = links.filter((l) => l.interpretation_id === row.id);
    return {
      id: row.id,
      title: row.title,
      body: row.body,
      published_on: dateToInt(row.published_on),
      document_ids: docs.map((d) => d.id),
      document_titles: docs.map((d) => d.title),
      document_numbers: docs.flatMap((d) => (d.doc_number ? [d.doc_number] : [])),
    };
  });
}
