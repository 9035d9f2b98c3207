import type { EnqueuedTaskPromise, Meilisearch, Settings } from 'meilisearch';
import type { Db, Trx } from '../../db/database.js';
import { docNumberSearchForm, docNumberSeries, orderSerialKey, parseDocNumber } from '../../shared/doc-number.js';
import type { IsoDate } from '../../shared/dates.js';
import { documentStatusAsOf, periodAround, statusChanges, type DocumentKind, type DocumentStatus } from '../../shared/document-status.js';
import type { RecordKind } from './record-kind.js';
import { findDocumentsForIndex, findInterpretationsForIndex, writeFragments, type FragmentRow } from './search.repository.js';
import { recordRank, staleRecordFilter } from './search-query.js';
import { filterValue, normalizeForIndex, normalizeFragment, spaceDigits, splitIntoChunks } from './search-text.js';

/**
 * One Meilisearch index holds documents and interpretations, so that one query ranks both together
 * and facets count both: one record per document or interpretation.
 *
 * Meilisearch indexes only the first 65,535 word positions of an attribute (docs: "Known limitations");
 * measured here, words of 民法典 after about 85,000 characters were not findable. So a text is stored as
 * parts `text_0` … `text_11` of at most TEXT_PART_CHARS characters each (well under the limit even for
 * punctuation-heavy text). A text longer than all parts together continues in further records of the
 * same `group`, the distinct attribute, so a document is still one hit.
 *
 * Nothing long is cropped or highlighted by Meilisearch (about 2 ms per hit for a 3,000-character body,
 * notes/pdf-and-chinese-search.md §3). Each record carries `head`, the first HEAD_CHARS characters of
 * its text, stored but not searched: the app cuts snippets from it, and has PostgreSQL cut one only
 * for a hit whose words are not in its head, in the query that reads the page's titles anyway
 * (search.repository.ts hitDetails).
 */
export const TEXT_PART_CHARS = 20_000;
export const HEAD_CHARS = 1000;
export const TEXT_PARTS = 12;
const TEXT_ATTRIBUTES = Array.from({ length: TEXT_PARTS }, (_, i) => `text_${i}`);

export interface SearchIndexes {
  client: Meilisearch;
  /** The live index that searches read; its name carries the configured prefix. */
  search: string;
}

export function indexNames(client: Meilisearch, prefix: string): SearchIndexes {
  return { client, search: `${prefix}search` };
}

/** Where a rebuild writes before it is swapped in. */
export const rebuildIndexName = (indexes: SearchIndexes) => `${indexes.search}_rebuild`;

/** Dates are indexed as yyyymmdd integers: Meilisearch filters and sorts numbers, not date strings. */
export function dateToInt(date: IsoDate | null): number | null {
  return date === null ? null : Number(date.replaceAll('-', ''));
}

export interface SearchRecord {
  id: string;
  group: string;
  type: 'document' | 'interpretation';
  ref_id: number;
  /** 0, or the number of a continuation record. */
  chunk: number;
  title: string;
  doc_number_search: string[];
  organ_names: string[];
  topics: string[];
  /** A document's interpretation titles; an interpretation's document titles. */
  related_titles: string[];
  /** The start of the text, for snippets; not searchable. Only on the first record of a text. */
  head?: string;
  /** What a hit shows besides its title and snippet, on every record of a text: the 文号 as written, the lead organ. */
  display_doc_number: string | null;
  display_organ_name: string | null;
  /** text_0 … text_11, see TEXT_PART_CHARS. */
  [part: `text_${number}`]: string;
  kind: RecordKind;
  organ_ids: number[];
  year: number | null;
  doc_number_key: string | null;
  /** docNumberSeries and orderSerialKey of the 文号, for a query of a prefix and year, or of a 令号 without its organ. */
  doc_number_series?: string | null;
  order_serial?: string | null;
  signed_on: number | null;
  published_on: number | null;
  effective_on: number | null;
  expires_on: number | null;
  repealed_on: number | null;
  /** A document's status on the day the record was written; null for interpretations. */
  status: DocumentStatus | null;
  /** Order among hits of equal text relevance (recordRank); stale with `status`. */
  rank: number;
  /**
   * The days fresh_from ≤ D < fresh_until (0 and NO_END for open ends) on which the record is right:
   * the status has not changed, and no related document or interpretation has been published since,
   * whose title the record would carry. Within them the status counts are one facet; outside them
   * the search counts from the dates (search-query.ts), and the index worker rewrites such records
   * once a day.
   */
  fresh_from: number;
  fresh_until: number;
}

/** fresh_until of a record that stays right for good. */
export const NO_END = 99_991_231;

const CHINESE: Settings['localizedAttributes'] = [{ attributePatterns: ['*'], locales: ['zho'] }];

const SEARCH_INDEX_SETTINGS: Settings = {
  searchableAttributes: ['title', 'doc_number_search', 'organ_names', 'topics', 'related_titles', ...TEXT_ATTRIBUTES],
  filterableAttributes: [
    'type', 'kind', 'organ_ids', 'topics', 'year', 'doc_number_key', 'group', 'chunk', 'doc_number_series', 'order_serial',
    'published_on', 'effective_on', 'expires_on', 'repealed_on', 'status', 'fresh_from', 'fresh_until', 'signed_on',
  ],
  sortableAttributes: ['published_on', 'signed_on'],
  displayedAttributes: ['*'],
  distinctAttribute: 'group',
  // "sort" first: without a sort parameter it does nothing, with one the order is strictly by date.
  // `rank` last: it only orders hits that the text ranks equal (in force first, interpretations last).
  rankingRules: ['sort', 'words', 'typo', 'proximity', 'attribute', 'exactness', 'rank:asc'],
  localizedAttributes: CHINESE,
  typoTolerance: { disableOnAttributes: ['doc_number_search'], disableOnNumbers: true },
  faceting: { maxValuesPerFacet: 200, sortFacetValuesBy: { '*': 'count' } },
  pagination: { maxTotalHits: 1000 },
};

const TASK_TIMEOUT = { timeout: 600_000, interval: 200 };

/** Creates the index if missing and applies the settings declared above; idempotent. */
export async function ensureIndex(client: Meilisearch, uid: string): Promise<void> {
  const exists = await client.getIndex(uid).then(
    () => true,
    (error: unknown) => {
      if ((error as { cause?: { code?: string } }).cause?.code === 'index_not_found') return false;
      throw error;
    },
  );
  if (!exists) await client.createIndex(uid, { primaryKey: 'id' }).waitTask(TASK_TIMEOUT);
  const task = await client.index(uid).updateSettings(SEARCH_INDEX_SETTINGS).waitTask(TASK_TIMEOUT);
  if (task.status === 'failed') throw new Error(`更新索引设置失败：${task.error?.message ?? ''}`);
}

/** Deletes an index; one that does not exist is no error. */
export async function deleteIndexIfAny(indexes: SearchIndexes, uid: string): Promise<void> {
  const task = await indexes.client.deleteIndex(uid).waitTask(TASK_TIMEOUT);
  if (task.status === 'failed' && task.error?.code !== 'index_not_found') {
    throw new Error(`删除索引 ${uid} 失败：${task.error?.message ?? ''}`);
  }
}

/** The live index and any rebuild left over, for tests and uninstall. */
export async function dropIndexes(indexes: SearchIndexes): Promise<void> {
  for (const uid of [indexes.search, rebuildIndexName(indexes)]) await deleteIndexIfAny(indexes, uid).catch(() => undefined);
}

/** A title as Meilisearch searches it (titles shown come from PostgreSQL). */
const searchable = (title: string) => spaceDigits(normalizeForIndex(title));

const yearOfDate = (date: IsoDate | null) => (date ? Number(date.slice(0, 4)) : null);

/** The first HEAD_CHARS characters, one less rather than half a surrogate pair. */
function headOf(text: string): string {
  const head = text.slice(0, HEAD_CHARS);
  return /[\uD800-\uDBFF]$/.test(head) ? head.slice(0, -1) : head;
}

/** Whether a head is the whole text (texts at least HEAD_CHARS - 1 long may go on). */
export const isWholeText = (head: string) => head.length < HEAD_CHARS - 1;

type RecordBase = Omit<SearchRecord, 'id' | 'chunk' | 'head' | `text_${number}`>;

/**
 * The records of one document or interpretation: the first carries everything, continuations (only
 * for texts longer than TEXT_PARTS × TEXT_PART_CHARS) carry the rest of the text and the filter
 * fields, but no title or names, so that a query on those does not count the document twice in facets.
 */
function recordsOf(base: RecordBase, text: string): SearchRecord[] {
  const normalized = normalizeForIndex(text);
  // The head is shown, so it keeps the text as written; the parts are searched.
  const parts = splitIntoChunks(normalized, TEXT_PART_CHARS).map(spaceDigits);
  const records: SearchRecord[] = [];
  for (let chunk = 0; chunk * TEXT_PARTS < parts.length; chunk++) {
    const record: SearchRecord = {
      ...base,
      ...(chunk > 0 ? { title: '', doc_number_search: [], organ_names: [], related_titles: [] } : {}),
      id: `${base.group}-${chunk}`,
      chunk,
      ...(chunk === 0 ? { head: headOf(normalized) } : {}),
    };
    parts.slice(chunk * TEXT_PARTS, (chunk + 1) * TEXT_PARTS).forEach((part, i) => {
      record[`text_${i}`] = part;
    });
    records.push(record);
  }
  return records;
}

/** The record's days (SearchRecord.fresh_from) as yyyymmdd. */
function freshness(changes: IsoDate[], today: IsoDate): Pick<SearchRecord, 'fresh_from' | 'fresh_until'> {
  const period = periodAround(changes, today);
  return { fresh_from: dateToInt(period.from) ?? 0, fresh_until: dateToInt(period.until) ?? NO_END };
}

/** A 文号's spaced search form, if it parses as one. */
function searchFormsOf(docNumber: string | null): string[] {
  const parsed = docNumber ? parseDocNumber(docNumber) : null;
  return parsed ? [docNumberSearchForm(parsed)] : [];
}

function docNumberKeysOf(docNumber: string | null): Pick<SearchRecord, 'doc_number_series' | 'order_serial'> {
  const parsed = docNumber ? parseDocNumber(docNumber) : null;
  return { doc_number_series: parsed && docNumberSeries(parsed), order_serial: parsed && orderSerialKey(parsed) };
}

async function buildDocumentRecords(db: Db | Trx, ids: number[], today: IsoDate): Promise<SearchRecord[]> {
  const rows = await findDocumentsForIndex(db, ids);
  return rows.flatMap((row) => {
    // A title is findable through the record only once it is public.
    const interpretations = row.interpretations.filter((i) => i.published_on <= today);
    return recordsOf(
      {
        group: `d${row.id}`,
        type: 'document',
        ref_id: row.id,
        title: searchable(row.title),
        display_doc_number: row.doc_number,
        display_organ_name: row.organ_name,
        doc_number_search: searchFormsOf(row.doc_number),
        organ_names: [row.organ_name, ...row.co_issuers.map((o) => o.name)],
        topics: row.topics,
        related_titles: interpretations.map((i) => searchable(i.title)),
        kind: row.kind as DocumentKind,
        organ_ids: [row.organ_id, ...row.co_issuers.map((o) => o.id)],
        year: yearOfDate(row.signed_on ?? row.published_on),
        doc_number_key: row.doc_number_key,
        ...docNumberKeysOf(row.doc_number),
        signed_on: dateToInt(row.signed_on),
        published_on: dateToInt(row.published_on),
        effective_on: dateToInt(row.effective_on ?? row.published_on),
        expires_on: dateToInt(row.expires_on),
        repealed_on: dateToInt(row.repealed_on),
        status: documentStatusAsOf(row, today),
        rank: recordRank('document', documentStatusAsOf(row, today)),
        ...freshness([...statusChanges(row), ...row.interpretations.map((i) => i.published_on)], today),
      },
      row.body,
    );
  });
}

async function buildInterpretationRecords(db: Db | Trx, ids: number[], today: IsoDate): Promise<SearchRecord[]> {
  const rows = await findInterpretationsForIndex(db, ids);
  return rows.flatMap((row) => {
    // A document's title, 文号 and organs are findable through the record only once it is public.
    const docs = row.documents.filter((d) => d.published_on !== null && d.published_on <= today);
    const unique = <T>(values: T[]) => [...new Set(values)];
    return recordsOf(
      {
        group: `i${row.id}`,
        type: 'interpretation',
        ref_id: row.id,
        title: searchable(row.title),
        display_doc_number: null,
        display_organ_name: null,
        doc_number_search: unique(docs.flatMap((d) => searchFormsOf(d.doc_number))),
        organ_names: unique(docs.flatMap((d) => [d.organ_name, ...d.co_issuers.map((o) => o.name)])),
        topics: unique(docs.flatMap((d) => d.topics)),
        related_titles: docs.map((d) => searchable(d.title)),
        kind: 'interpretation',
        organ_ids: unique(docs.flatMap((d) => [d.organ_id, ...d.co_issuers.map((o) => o.id)])),
        year: yearOfDate(row.published_on),
        doc_number_key: null,
        signed_on: null,
        published_on: dateToInt(row.published_on),
        effective_on: null,
        expires_on: null,
        repealed_on: null,
        status: null,
        rank: recordRank('interpretation', null),
        ...freshness(row.documents.flatMap((d) => (d.published_on === null ? [] : [d.published_on])), today),
      },
      row.body,
    );
  });
}

export interface Entities {
  documents: number[];
  interpretations: number[];
}

/** The records of these entities, with the document statuses of `today`. */
export async function buildRecords(db: Db | Trx, entities: Entities, today: IsoDate): Promise<SearchRecord[]> {
  return [
    ...(await buildDocumentRecords(db, entities.documents, today)),
    ...(await buildInterpretationRecords(db, entities.interpretations, today)),
  ];
}

/** What the verbatim search matches of each record group (search.repository.ts findVerbatim). */
export function fragmentsOf(records: SearchRecord[]): FragmentRow[] {
  const byGroup = new Map<string, { title: string; parts: string[] }>();
  for (const record of [...records].sort((a, b) => a.chunk - b.chunk)) {
    const entry = byGroup.get(record.group) ?? { title: normalizeFragment(record.title), parts: [] };
    for (let i = 0; i < TEXT_PARTS && record[`text_${i}`] !== undefined; i++) entry.parts.push(normalizeFragment(record[`text_${i}`]!));
    byGroup.set(record.group, entry);
  }
  return [...byGroup].map(([group, { title, parts }]) => ({ record_group: group, title, content: `${title} ${parts.join('')}` }));
}

const groupsOf = (entities: Entities) => [
  ...entities.documents.map((id) => `d${id}`),
  ...entities.interpretations.map((id) => `i${id}`),
];

/**
 * Queues the current state of these entities in index `uid`: their records are replaced, and
 * records left over (continuations of a text that got shorter, entities that no longer exist) are
 * deleted. Additions go alone whenever possible, so Meilisearch can merge queued ones into one batch.
 * Returns the tasks; the change is applied once waitForTasks resolves for them.
 */
export async function writeEntities(
  db: Db | Trx,
  client: Meilisearch,
  uid: string,
  entities: Entities,
  today: IsoDate,
): Promise<EnqueuedTaskPromise[]> {
  const index = client.index<SearchRecord>(uid);
  const records = await buildRecords(db, entities, today);
  const groups = groupsOf(entities);
  const written = new Set(records.map((r) => r.id));
  const continuations = groups.length
    ? await index.getDocuments({
        filter: [`group IN [${groups.map(filterValue).join(', ')}]`, 'chunk > 0'],
        fields: ['id'],
        limit: 10_000,
      })
    : { results: [] };
  const gone = [
    ...continuations.results.map((r) => r.id).filter((id) => !written.has(id)),
    ...groups.filter((g) => !written.has(`${g}-0`)).map((g) => `${g}-0`),
  ];
  const tasks: EnqueuedTaskPromise[] = [];
  if (records.length) tasks.push(index.addDocuments(records, { primaryKey: 'id' }));
  if (gone.length) tasks.push(index.deleteDocuments(gone));
  // Written while Meilisearch indexes the records just sent: the trigram indexes cost as much again.
  await writeFragments(db, fragmentsOf(records), groups.filter((g) => !written.has(`${g}-0`)));
  return tasks;
}

/**
 * How many document records are not right for `today` (see SearchRecord.fresh_from): those a search
 * must look for to count statuses. Interpretation records carry no status.
 */
export async function countStaleDocuments(client: Meilisearch, uid: string, today: IsoDate): Promise<number> {
  const answer = await client.index(uid).search('', { filter: ['type = "document"', staleRecordFilter(dateToInt(today)!)], limit: 0 });
  return answer.estimatedTotalHits ?? 0;
}

/** The documents and interpretations whose records are not right for `today` (see SearchRecord.fresh_from). */
export async function staleRecords(client: Meilisearch, uid: string, today: IsoDate): Promise<Entities> {
  const ids = { document: new Set<number>(), interpretation: new Set<number>() };
  const page = 1000;
  for (let offset = 0; ; offset += page) {
    const { results } = await client
      .index<SearchRecord>(uid)
      .getDocuments({ filter: staleRecordFilter(dateToInt(today)!), fields: ['type', 'ref_id'], limit: page, offset });
    for (const record of results as Pick<SearchRecord, 'type' | 'ref_id'>[]) ids[record.type].add(record.ref_id);
    if (results.length < page) return { documents: [...ids.document], interpretations: [...ids.interpretation] };
  }
}

/**
 * Waits until Meilisearch has applied the tasks; throws when one failed or one takes longer than
 * the timeout (Meilisearch merges queued additions, so a task may wait for the whole batch). Each
 * poll leaves a listener on the wait's signal (meilisearch 0.62), so long waits poll less often.
 */
export async function waitForTasks(tasks: EnqueuedTaskPromise[], wait: { timeout: number; interval: number } = TASK_TIMEOUT): Promise<void> {
  for (const task of tasks) {
    const done = await task.waitTask(wait);
    if (done.status !== 'succeeded') throw new Error(`索引任务失败：${done.error?.message ?? done.status}`);
  }
}
