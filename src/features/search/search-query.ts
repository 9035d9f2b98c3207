/**
 * Meilisearch filter expressions for the search: built from validated values only, every string
 * quoted and escaped. Pure functions, unit-tested.
 */
import type { MultiSearchParams, SearchParams as MeiliParams } from 'meilisearch';
import type { IsoDate } from '../../shared/dates.js';
import { docNumberKey, docNumberSearchForm, formatDocNumber, parseDocNumber, parseDocNumberSeries, parseOrderSerial } from '../../shared/doc-number.js';
import { DOCUMENT_STATUSES, documentStatusAsOf, type DocumentStatus } from '../../shared/document-status.js';
import { filterValue, queryWords, spaceDigits } from './search-text.js';

/** Meilisearch ranks at most this many hits (pagination.maxTotalHits); paging stops there. */
export const MAX_RESULTS = 1000;
/** At most this many documents carry one 文号 (one per organ and kind); they are pinned first. */
export const MAX_PINNED = 20;

const FACETS = ['type', 'kind', 'organ_ids', 'topics', 'year', 'status'];
/**
 * Documents of a search whose indexed status period does not hold today are read one by one (their
 * status from their dates); more than this many, and each status is counted by a query of its own.
 */
export const MAX_STALE = 100;
const STALE_ATTRIBUTES = ['status', 'published_on', 'effective_on', 'expires_on', 'repealed_on'];
/**
 * What a hit shows from its record, and `head`, the start of its text, for its snippet (see
 * search-index.ts); its title comes from PostgreSQL, in one query for the page (search.repository.ts
 * hitDetails), which also confirms that the public may see it.
 */
const HIT_ATTRIBUTES = [
  'type', 'ref_id', 'head', 'display_doc_number', 'display_organ_name', 'kind', 'published_on', 'effective_on', 'expires_on', 'repealed_on',
];
/** A pinned 文号 hit also brings its share of the facets. */
const PINNED_ATTRIBUTES = [...HIT_ATTRIBUTES, 'organ_ids', 'topics', 'year', 'doc_number_key'];
/** A verbatim hit likewise, and its group; without its head (up to MAX_VERBATIM of them come back), so its snippet is cut by PostgreSQL. */
const VERBATIM_ATTRIBUTES = [...PINNED_ATTRIBUTES.filter((a) => a !== 'head'), 'group'];
/** At most this many records found verbatim come first (title matches, then text matches, each bounded). */
export const MAX_VERBATIM = 200;

/**
 * The status table of DESIGN.md as a filter on the indexed yyyymmdd dates against `today`, so the
 * status is that of the day of the query, whenever the record was indexed. `effective_on` is indexed
 * as effective_on or else published_on; `NOT x <= d` also holds where x is null (Meilisearch's NOT is
 * the complement), which is what "not repealed" means for a document with no repeal.
 */
export function statusFilter(status: DocumentStatus, today: number): string {
  const published = `published_on <= ${today}`;
  const repealed = `repealed_on <= ${today}`;
  const expired = `expires_on < ${today}`;
  const notEffective = `effective_on > ${today}`;
  const document = 'type = "document"';
  switch (status) {
    case 'draft':
      return `${document} AND NOT ${published}`;
    case 'repealed':
      return `${document} AND ${published} AND ${repealed}`;
    case 'expired':
      return `${document} AND ${published} AND NOT ${repealed} AND ${expired}`;
    case 'not_yet_effective':
      return `${document} AND ${published} AND NOT ${repealed} AND NOT ${expired} AND ${notEffective}`;
    case 'in_force':
      return `${document} AND ${published} AND NOT ${repealed} AND NOT ${expired} AND NOT ${notEffective}`;
  }
}

/** Records that are not right for `today` (see SearchRecord.fresh_from), or written before records said so. */
export function staleRecordFilter(today: number): string {
  return `fresh_from NOT EXISTS OR fresh_from > ${today} OR fresh_until <= ${today}`;
}

function anyOf(expressions: string[]): string {
  return expressions.map((e) => `(${e})`).join(' OR ');
}

/** Numbers go in bare (they come validated as integers), strings quoted and escaped. */
export function inList(attribute: string, values: (string | number)[]): string {
  const items = values.map((v) => (typeof v === 'number' ? String(Math.trunc(v)) : filterValue(v)));
  return `${attribute} IN [${items.join(', ')}]`;
}

export interface FilterParams {
  kind?: string[] | undefined;
  organ_id?: number[] | undefined;
  topic?: string[] | undefined;
  year?: number[] | undefined;
  type?: 'document' | 'interpretation' | undefined;
  signed_from?: IsoDate | undefined;
  signed_to?: IsoDate | undefined;
  published_from?: IsoDate | undefined;
  published_to?: IsoDate | undefined;
}

/** `attribute` between two days (either may be open), as yyyymmdd. */
function dateRange(attribute: string, from: IsoDate | undefined, to: IsoDate | undefined): string[] {
  const asInt = (date: IsoDate) => Number(date.replaceAll('-', ''));
  return [...(from ? [`${attribute} >= ${asInt(from)}`] : []), ...(to ? [`${attribute} <= ${asInt(to)}`] : [])];
}

/** The filters other than status, each a string; Meilisearch ANDs the array. */
export function baseFilters(params: FilterParams, visibility: { publicOnly: boolean; today: number }): string[] {
  const filters: string[] = [];
  if (visibility.publicOnly) filters.push(`published_on <= ${visibility.today}`);
  if (params.kind?.length) filters.push(inList('kind', params.kind));
  if (params.organ_id?.length) filters.push(inList('organ_ids', params.organ_id));
  if (params.topic?.length) filters.push(inList('topics', params.topic));
  if (params.year?.length) filters.push(inList('year', params.year));
  if (params.type) filters.push(`type = ${filterValue(params.type)}`);
  filters.push(...dateRange('signed_on', params.signed_from, params.signed_to));
  filters.push(...dateRange('published_on', params.published_from, params.published_to));
  return filters;
}

/**
 * A query as Meilisearch gets it: `text`, its q (a 文号 in its spaced form, since glued digits 202312
 * would split into 2/0/2/3/12; any other query with its digits set apart, see spaceDigits), and, when
 * the query is a 文号, `docNumberKey`, the key its documents carry (they are pinned first).
 */
export function meiliQuery(q: string) {
  const parsed = parseDocNumber(q);
  // A prefix and year alone (示政发〔2023〕) lists exactly that year of that prefix.
  const series = parsed ? null : parseDocNumberSeries(q);
  return {
    parsed,
    docNumberKey: parsed ? docNumberKey(parsed) : null,
    orderSerial: parseOrderSerial(q),
    series,
    text: parsed ? docNumberSearchForm(parsed) : series ? '' : spaceDigits(q),
  };
}

/** meiliQuery, and the words hits mark: a 文号's standard form besides the query as typed. */
export function readQuery(q: string) {
  const query = meiliQuery(q);
  return { ...query, words: queryWords(query.parsed ? `${formatDocNumber(query.parsed)} ${q}` : q) };
}

/** yyyymmdd back to 'YYYY-MM-DD'. */
export function intToDate(value: number | null | undefined): IsoDate | null {
  if (value === null || value === undefined) return null;
  const s = String(value).padStart(8, '0');
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

/** The dates a status follows, as a record indexes them (yyyymmdd). */
export interface IndexedDates {
  published_on: number | null;
  effective_on: number | null;
  expires_on: number | null;
  repealed_on: number | null;
}

/** The status of an indexed record as of `today`, by the same rule as for rows from PostgreSQL. */
export function statusOfIndexed(record: IndexedDates, today: IsoDate): DocumentStatus {
  return documentStatusAsOf(
    {
      published_on: intToDate(record.published_on),
      effective_on: intToDate(record.effective_on),
      expires_on: intToDate(record.expires_on),
      repealed_on: intToDate(record.repealed_on),
    },
    today,
  );
}

/**
 * The order of hits that match equally: documents in force, not yet effective, expired, repealed
 * (so the current version of a title comes before the one it replaced), drafts, then interpretations
 * (after the documents they explain).
 */
export function recordRank(type: 'document' | 'interpretation', status: DocumentStatus | null): number {
  const order: (DocumentStatus | 'interpretation')[] = ['in_force', 'not_yet_effective', 'expired', 'repealed', 'draft', 'interpretation'];
  return order.indexOf(type === 'interpretation' || status === null ? 'interpretation' : status);
}

export interface VerbatimHit extends IndexedDates {
  type: 'document' | 'interpretation';
  ref_id: number;
  group: string;
}

/**
 * The verbatim matches in the order they are shown: by date when asked; else titles that contain the
 * query before texts that do, then by recordRank as of `today`, then the newest first.
 */
export function orderVerbatim<T extends VerbatimHit>(hits: T[], inTitle: ReadonlySet<string>, today: IsoDate, byDate: boolean): T[] {
  const keyed = hits.map((hit) => ({
    hit,
    title: !byDate && inTitle.has(hit.group) ? 0 : 1,
    rank: byDate ? 0 : recordRank(hit.type, hit.type === 'document' ? statusOfIndexed(hit, today) : null),
    published: hit.published_on ?? 0,
  }));
  keyed.sort((a, b) => a.title - b.title || a.rank - b.rank || b.published - a.published || b.hit.ref_id - a.hit.ref_id);
  return keyed.map((k) => k.hit);
}

export interface RequestParams extends FilterParams {
  status?: DocumentStatus[] | undefined;
  scope?: 'title' | 'all' | undefined;
  sort: 'relevance' | 'date';
  q: string;
  page: number;
  page_size: number;
}

export type RequestName = 'main' | 'pinned' | 'verbatim' | 'facets' | 'statuses' | 'stale';

/** The records found verbatim (search.repository.ts findVerbatim); `only`: the query was quoted. */
export interface Verbatim {
  groups: string[];
  only: boolean;
}

type Query = MultiSearchParams['queries'][number];

export interface RequestContext {
  indexUid: string;
  today: number;
  staff: boolean;
  docNumberKey: string | null;
  /** A 令号 with or without its organ (shared/doc-number.ts orderSerialKey): its rules are pinned too. */
  orderSerial?: string | null;
  /** A prefix and year alone: only its documents. */
  series?: string | null;
  text: string;
  checkStale: boolean;
  verbatim?: Verbatim | null;
}

/**
 * The filters of a search: `base` (visibility and the filters asked, not status), `pinnedBy` (the
 * 文号 or 令号 whose documents come first), the verbatim groups, and `exclude`, which keeps both out of
 * the word hits.
 */
function requestFilters(params: RequestParams, context: RequestContext) {
  const base = [
    ...baseFilters(params, { publicOnly: !context.staff, today: context.today }),
    ...(context.series ? [`doc_number_series = ${filterValue(context.series)}`] : []),
  ];
  const verbatimGroups = context.verbatim?.groups.length ? context.verbatim.groups : null;
  const pinnedByAny = [
    ...(context.docNumberKey ? [`doc_number_key = ${filterValue(context.docNumberKey)}`] : []),
    ...(context.orderSerial ? [`order_serial = ${filterValue(context.orderSerial)}`] : []),
  ];
  const pinnedBy = pinnedByAny.length > 1 ? anyOf(pinnedByAny) : (pinnedByAny[0] ?? null);
  const exclude = [...(pinnedBy ? [`NOT (${pinnedBy})`] : []), ...(verbatimGroups ? [`NOT ${inList('group', verbatimGroups)}`] : [])];
  return { base, verbatimGroups, pinnedBy, exclude };
}

/**
 * The Meilisearch requests that answer a search: two multi-searches, sent at once by a search alone so
 * that Meilisearch counts on one core while it ranks on the other and the app reads the hits' details
 * from PostgreSQL while the counts are still coming (as one while other searches run, see
 * search-full.ts). `answersOf` names their answers.
 * - `hits`: `main`, the page of hits; `pinned`, for a 文号, the documents that carry it, shown first;
 *   `verbatim`, the records found verbatim (`context.verbatim`), shown next (a quoted query: alone).
 * - `counts`: `facets`, the facets of all hits, status among them; `statuses`, when a status is asked
 *   for, the status facet without it (the facet shows what each choice would give); `stale`, unless
 *   the index is known to hold none (`checkStale`), the documents among all hits whose indexed status
 *   is not today's, which the app moves to the right status.
 * `statusCounts`, sent only when more than MAX_STALE documents are stale: the number of documents of
 * each status in `counted`, from their dates. `text` is what Meilisearch gets as q (a 文号 in its
 * spaced form).
 */
export function buildMeiliRequest(params: RequestParams, context: RequestContext) {
  const { indexUid, today, staff } = context;
  const offset = (params.page - 1) * params.page_size;
  const { base, verbatimGroups, pinnedBy: docNumberKey, exclude } = requestFilters(params, context);
  // A quoted query is answered by its verbatim matches alone.
  const byWords = <T>(query: T): T | null => (context.verbatim?.only ? null : query);
  const statusFilters = params.status?.length ? [anyOf(params.status.map((s) => statusFilter(s, today)))] : [];
  const byDate = params.sort === 'date' || params.q.trim() === '';
  const common: MeiliParams = {
    q: context.text,
    // Precision over recall for Chinese: jieba splits a query into several words, and dropping the
    // rarest first keeps the hits about what was asked ('last' returns many loosely related ones).
    matchingStrategy: byDate ? 'all' : 'frequency',
    ...(params.scope === 'title' ? { attributesToSearchOn: ['title'] } : {}),
  };
  // With a 文号, up to MAX_PINNED pinned documents come first, and the verbatim matches before the
  // others: fetch enough regular hits to fill the page whatever their number, and cut once it is known.
  const firstMost = (docNumberKey ? MAX_PINNED : 0) + (verbatimGroups?.length ?? 0);
  const regularOffset = Math.max(0, offset - firstMost);
  const regularLimit = params.page_size + (offset - regularOffset);
  const filter = [...base, ...statusFilters, ...exclude];
  const queries = {
    main: byWords({
      ...common,
      indexUid,
      filter,
      offset: regularOffset,
      limit: regularLimit,
      attributesToRetrieve: HIT_ATTRIBUTES,
      ...(byDate ? { sort: ['published_on:desc', 'signed_on:desc'] } : {}),
    }),
    pinned: docNumberKey
      ? {
          indexUid,
          q: '',
          filter: [...base, 'type = "document"', docNumberKey],
          limit: MAX_PINNED,
          sort: ['published_on:desc'],
          attributesToRetrieve: PINNED_ATTRIBUTES,
        }
      : null,
    verbatim: verbatimGroups
      ? {
          indexUid,
          q: '',
          filter: [...base, 'chunk = 0', inList('group', verbatimGroups)],
          limit: verbatimGroups.length,
          attributesToRetrieve: VERBATIM_ATTRIBUTES,
        }
      : null,
    facets: byWords({ ...common, indexUid, filter, limit: 0, facets: FACETS }),
    statuses: statusFilters.length ? byWords({ ...common, indexUid, filter: [...base, ...exclude], limit: 0, facets: ['status'] }) : null,
    stale: context.checkStale
      ? byWords({
          ...common,
          indexUid,
          filter: [...base, ...exclude, 'type = "document"', staleRecordFilter(today)],
          // One more than can be used, to tell "all of them" from "more than that".
          limit: MAX_STALE + 1,
          attributesToRetrieve: STALE_ATTRIBUTES,
        })
      : null,
  } satisfies Record<RequestName, Query | null>;
  const namesOf = (names: RequestName[]) => names.filter((name) => queries[name] !== null);
  const sent = { hits: namesOf(['main', 'pinned', 'verbatim']), counts: namesOf(['facets', 'statuses', 'stale']) };
  const counted = DOCUMENT_STATUSES.filter((s) => staff || s !== 'draft');
  return {
    hits: sent.hits.map((name) => queries[name]!),
    counts: sent.counts.map((name) => queries[name]!),
    /** The answers to `hits` or to `counts`, by name. */
    answersOf: <T>(request: 'hits' | 'counts', results: T[]): Partial<Record<RequestName, T>> =>
      Object.fromEntries(sent[request].map((name, i) => [name, results[i]])),
    /** Built only when sent: nearly every search does without them. */
    statusCounts: (): Query[] =>
      counted.map((s) => ({ ...common, indexUid, filter: [...base, statusFilter(s, today), ...exclude], limit: 0, facets: ['type'] })),
    counted,
    regularOffset,
  };
}
