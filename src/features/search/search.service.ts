import { MeilisearchError, type MultiSearchResponse } from 'meilisearch';
import type { Db } from '../../db/database.js';
import type { IsoDate } from '../../shared/dates.js';
import { formatDocNumber } from '../../shared/doc-number.js';
import {
  DOCUMENT_STATUSES,
  KIND_LABELS,
  STATUS_LABELS,
  documentStatusAsOf,
  isDocumentStatus,
  type DocumentKind,
  type DocumentStatus,
} from '../../shared/document-status.js';
import { ForbiddenError } from '../../errors.js';
import {
  basicSearchDocuments,
  basicSearchInterpretations,
  countPublished,
  findInterpretationHits,
  hitDetails,
  organsWithCounts,
  publishedForSitemap,
  topicsWithCounts,
  type BasicSearchFilter,
} from './search.repository.js';
import { findDocumentSummaries } from '../../db/document.sql.js';
import { findOrgansByIds, listOrgans } from '../catalog/organ.service.js';
import { can, type Actor } from '../accounts/actor.js';
import type { Clock } from '../../platform/clock.js';
import { HEAD_CHARS, countStaleDocuments, dateToInt, isWholeText, type RecordKind, type SearchIndexes } from './search-index.js';
import { MAX_STALE, buildMeiliRequest, intToDate, meiliQuery, statusOfIndexed, type IndexedDates, type RequestName } from './search-query.js';
import {
  SNIPPET_CHARS,
  SNIPPET_LEAD,
  buildSnippet,
  markTerms,
  matchedTerms,
  queryTerms,
  queryWords,
  snippetCandidates,
  snippetFromHead,
} from './search-text.js';

export { MAX_RESULTS } from './search-query.js';

export const INTERPRETATION_KIND_LABEL = '政策解读';
const SEARCH_TIMEOUT_MS = 3000;
/** After a failure, searches go straight to PostgreSQL for a while instead of waiting on a dead server. */
export const RETRY_MEILI_AFTER_MS = 5000;
const ORGAN_NAMES_TTL_MS = 60_000;
/** How long a finding that the index holds no stale document record stands. */
const FRESHNESS_RECHECK_MS = 10_000;

export type SearchSort = 'relevance' | 'date';

export interface SearchParams {
  q: string;
  kind?: RecordKind[] | undefined;
  status?: DocumentStatus[] | undefined;
  organ_id?: number[] | undefined;
  topic?: string[] | undefined;
  year?: number[] | undefined;
  sort: SearchSort;
  page: number;
  page_size: number;
}

export interface SearchHit {
  type: 'document' | 'interpretation';
  id: number;
  title: string;
  doc_number: string | null;
  status: DocumentStatus | null;
  snippet: string;
  status_label: string | null;
  kind: RecordKind;
  kind_label: string;
  organ_name: string | null;
  published_on: IsoDate | null;
  title_html: string;
  url: string;
}

export interface FacetValue<T> {
  value: T;
  label: string;
  count: number;
}

export interface SearchFacets {
  kind?: FacetValue<string>[];
  status?: FacetValue<DocumentStatus>[];
  organ_id?: FacetValue<number>[];
  topic?: FacetValue<string>[];
  year?: FacetValue<number>[];
}

export interface SearchResult {
  /** 'full': Meilisearch; 'basic': the simpler PostgreSQL search used while Meilisearch is down. */
  mode: 'full' | 'basic';
  total: number;
  page: number;
  page_size: number;
  hits: SearchHit[];
  facets: SearchFacets;
  /** The 文号 the query was read as, when it is one. */
  doc_number: string | null;
}

/** A hit as the index returns it (search-query.ts HIT_ATTRIBUTES). */
interface IndexedHit extends IndexedDates {
  type: 'document' | 'interpretation';
  ref_id: number;
  /** The start of the text; absent on continuation records. */
  head?: string;
  display_doc_number?: string | null;
  display_organ_name?: string | null;
  kind: RecordKind;
}

interface StaleHit extends IndexedDates {
  /** Absent on records indexed before they carried one. */
  status?: DocumentStatus | null;
}

interface PinnedHit extends IndexedHit {
  organ_ids: number[];
  topics: string[];
  year: number | null;
}

/** What a hit shows besides its title and snippet, from an index record or, in the simple search, a PostgreSQL row. */
interface HitSource {
  type: 'document' | 'interpretation';
  id: number;
  doc_number: string | null;
  kind: RecordKind;
  organ_name: string | null;
  published_on: IsoDate | null;
  /** As of today; null for an interpretation. */
  status: DocumentStatus | null;
  head?: string | undefined;
}

function sourceOfRecord(hit: IndexedHit, today: IsoDate): HitSource {
  return {
    type: hit.type,
    id: hit.ref_id,
    doc_number: hit.display_doc_number ?? null,
    kind: hit.kind,
    organ_name: hit.display_organ_name ?? null,
    published_on: intToDate(hit.published_on),
    status: hit.type === 'document' ? statusOfIndexed(hit, today) : null,
    head: hit.head,
  };
}

type Distribution = Record<string, Record<string, number>>;
type Answer = MultiSearchResponse<Record<string, unknown>>['results'][number];

/** 规章, 行政规范性文件 … or 政策解读. */
export const kindLabel = (kind: RecordKind) => (kind === 'interpretation' ? INTERPRETATION_KIND_LABEL : KIND_LABELS[kind]);

function addCounts(target: Distribution, attribute: string, values: (string | number | null)[]) {
  const counts = (target[attribute] ??= {});
  for (const v of values) if (v !== null) counts[String(v)] = (counts[String(v)] ?? 0) + 1;
}

const sumOf = (counts: Record<string, number> | undefined) => Object.values(counts ?? {}).reduce((a, b) => a + b, 0);

export function createSearchService({ db, indexes, clock }: { db: Db; indexes: SearchIndexes; clock: Clock }) {
  let meiliDownUntil = 0;
  /** Searches this process is answering from Meilisearch right now. */
  let searching = 0;

  function queryOf(params: SearchParams) {
    const query = meiliQuery(params.q);
    return { ...query, words: queryWords(query.parsed ? `${formatDocNumber(query.parsed)} ${params.q}` : params.q) };
  }

  /**
   * Hits with their titles and snippets: the current titles read from PostgreSQL in one query (with
   * `publicBy`, only of those published by then, see hitDetails), each snippet cut from the head the
   * index returned, or in that query for a hit whose words are not in its head.
   */
  async function hitsOf(sources: HitSource[], words: string[], publicBy: IsoDate | null): Promise<SearchHit[]> {
    const window = { words, candidates: snippetCandidates(words), width: SNIPPET_CHARS, lead: SNIPPET_LEAD, headLimit: HEAD_CHARS };
    const fromHead = sources.map((hit) =>
      hit.head === undefined
        ? null
        : (snippetFromHead(hit.head, window.candidates, window) ?? (isWholeText(hit.head) ? snippetFromHead(hit.head, [], window) : null)),
    );
    const idsOf = (type: HitSource['type'], withoutSnippet = false) =>
      sources.flatMap((hit, i) => (hit.type === type && !(withoutSnippet && fromHead[i]) ? [hit.id] : []));
    const details = await hitDetails(
      db,
      { documents: idsOf('document'), interpretations: idsOf('interpretation') },
      { documents: idsOf('document', true), interpretations: idsOf('interpretation', true) },
      window,
      publicBy,
    );
    return sources.flatMap((hit, i): SearchHit[] => {
      const found = details.get(`${hit.type}:${hit.id}`);
      if (!found) return [];
      const snippet = fromHead[i] ?? found.snippet;
      return [
        {
          type: hit.type,
          id: hit.id,
          title: found.title,
          doc_number: hit.doc_number,
          status: hit.status,
          snippet: snippet ? buildSnippet(snippet, words) : '',
          status_label: hit.status ? STATUS_LABELS[hit.status] : null,
          kind: hit.kind,
          kind_label: kindLabel(hit.kind),
          organ_name: hit.organ_name,
          published_on: hit.published_on,
          title_html: markTerms(found.title, matchedTerms(found.title, words)),
          url: `/${hit.type === 'document' ? 'documents' : 'interpretations'}/${hit.id}`,
        },
      ];
    });
  }

  /** The simple search's hits, from PostgreSQL rows, in the order of `ids`. */
  async function sourcesOfRows(ids: { type: HitSource['type']; id: number }[], today: IsoDate): Promise<HitSource[]> {
    const idsOf = (type: HitSource['type']) => ids.filter((h) => h.type === type).map((h) => h.id);
    const [documents, interpretations] = await Promise.all([
      idsOf('document').length ? findDocumentSummaries(db, idsOf('document')) : [],
      idsOf('interpretation').length ? findInterpretationHits(db, idsOf('interpretation')) : [],
    ]);
    return ids.flatMap(({ type, id }): HitSource[] => {
      if (type === 'document') {
        const row = documents.find((d) => d.id === id);
        if (!row) return [];
        const { doc_number, organ_name, published_on } = row;
        return [{ type, id, doc_number, kind: row.kind as DocumentKind, organ_name, published_on, status: documentStatusAsOf(row, today) }];
      }
      const row = interpretations.find((i) => i.id === id);
      if (!row) return [];
      return [{ type, id, doc_number: null, kind: 'interpretation', organ_name: null, published_on: row.published_on, status: null }];
    });
  }

  /**
   * Organ names by id, for facet labels: all read once a minute, so a search does not wait on one
   * more query for them; ids the cache does not know yet (an organ made since, perhaps by another
   * process) are looked up by key and added, so a new organ is labelled in its first search.
   */
  let organCache: { at: number; names: Promise<Map<number, string>> } | undefined;
  async function organNamesFor(ids: number[]): Promise<Map<number, string>> {
    if (!organCache || Date.now() - organCache.at > ORGAN_NAMES_TTL_MS) {
      const names = listOrgans(db).then((organs) => new Map(organs.map((o) => [o.id, o.name])));
      organCache = { at: Date.now(), names };
      names.catch(() => (organCache = undefined));
    }
    const names = await organCache.names;
    const unknown = ids.filter((id) => !names.has(id));
    if (unknown.length > 0) for (const organ of await findOrgansByIds(db, unknown)) names.set(organ.id, organ.name);
    return names;
  }

  async function facetsFrom(distribution: Distribution, statusCounts: Map<DocumentStatus, number>): Promise<SearchFacets> {
    const entries = (attribute: string) =>
      Object.entries(distribution[attribute] ?? {})
        .filter(([, count]) => count > 0)
        .sort((a, b) => b[1] - a[1]);
    const organCounts = entries('organ_ids').slice(0, 50);
    const names = await organNamesFor(organCounts.map(([id]) => Number(id)));
    return {
      kind: entries('kind').map(([value, count]) => ({ value, label: kindLabel(value as RecordKind), count })),
      status: DOCUMENT_STATUSES.flatMap((s) => {
        const count = statusCounts.get(s) ?? 0;
        return count > 0 ? [{ value: s, label: STATUS_LABELS[s], count }] : [];
      }),
      organ_id: organCounts.flatMap(([id, count]) => {
        const name = names.get(Number(id));
        return name === undefined ? [] : [{ value: Number(id), label: name, count }];
      }),
      topic: entries('topics').map(([value, count]) => ({ value, label: value, count })),
      year: entries('year')
        .map(([value, count]) => ({ value: Number(value), label: `${value}年`, count }))
        .sort((a, b) => b.value - a.value),
    };
  }

  /**
   * Documents per status as of today: the indexed status facet, with the few documents whose indexed
   * status has run out moved to today's; when there are too many of those, one count per status.
   */
  async function countStatuses(
    request: ReturnType<typeof buildMeiliRequest>,
    answers: Partial<Record<RequestName, Answer>>,
    today: IsoDate,
    signal: AbortSignal,
  ): Promise<Map<DocumentStatus, number>> {
    const stale = (answers.stale?.hits ?? []) as unknown as StaleHit[];
    if (stale.length > MAX_STALE) {
      const counted = (await indexes.client.multiSearch({ queries: request.statusCounts() }, { signal })).results;
      return new Map(request.counted.map((s, i) => [s, counted[i]?.facetDistribution?.['type']?.['document'] ?? 0]));
    }
    const facet = (answers.statuses ?? answers.facets)?.facetDistribution?.['status'] ?? {};
    const counts = new Map(Object.entries(facet).filter(([s]) => isDocumentStatus(s)) as [DocumentStatus, number][]);
    const add = (status: DocumentStatus, n: number) => counts.set(status, (counts.get(status) ?? 0) + n);
    for (const hit of stale) {
      if (hit.status) add(hit.status, -1);
      add(statusOfIndexed(hit, today), 1);
    }
    return counts;
  }

  /**
   * Whether the index is known to hold no document record stale today, so that a search need not look
   * for them. Records go stale when the day turns, until the index worker rewrites them; within a day
   * only a record written for another day (a batch or a rebuild across midnight) can be, so a finding
   * stands for FRESHNESS_RECHECK_MS from when its count began; a search that finds none standing
   * looks for stale records itself and has the count made again in the background.
   */
  let freshness: { day: IsoDate; since: number; none: boolean } | undefined;
  let checkingFreshness = false;
  function knownFresh(today: IsoDate): boolean {
    const standing = freshness?.day === today && Date.now() - freshness.since <= FRESHNESS_RECHECK_MS ? freshness : undefined;
    if (!standing && !checkingFreshness) {
      checkingFreshness = true;
      const since = Date.now();
      countStaleDocuments(indexes.client, indexes.search, today)
        .then(
          (stale) => (freshness = { day: today, since, none: stale === 0 }),
          () => (freshness = undefined),
        )
        .finally(() => (checkingFreshness = false));
    }
    return standing?.none ?? false;
  }

  async function searchMeili(actor: Actor | null, params: SearchParams): Promise<SearchResult> {
    const today = clock.today();
    const staff = can(actor, 'document:read-drafts');
    const query = queryOf(params);
    const offset = (params.page - 1) * params.page_size;
    const request = buildMeiliRequest(params, {
      indexUid: indexes.search,
      today: dateToInt(today)!,
      staff,
      docNumberKey: query.docNumberKey,
      text: query.text,
      checkStale: !knownFresh(today),
    });
    const signal = AbortSignal.timeout(SEARCH_TIMEOUT_MS);
    const send = (queries: typeof request.hits) =>
      indexes.client.multiSearch({ queries }, { signal }).then((answer) => (answer as MultiSearchResponse<Record<string, unknown>>).results);
    // A search alone sends the page of hits and the counts at once, so that Meilisearch uses both
    // cores and the hits' details are read while it counts; among others, the cores are busy anyway
    // and one request costs less. The counts are awaited below.
    let counting: Promise<Answer[]>;
    let hitAnswers: Answer[];
    if (searching > 1) {
      const answers = await send([...request.hits, ...request.counts]);
      hitAnswers = answers.slice(0, request.hits.length);
      counting = Promise.resolve(answers.slice(request.hits.length));
    } else {
      counting = send(request.counts);
      counting.catch(() => undefined);
      hitAnswers = await send(request.hits);
    }
    const found = request.answersOf('hits', hitAnswers);
    const pinnedAll = (found.pinned?.hits ?? []) as unknown as PinnedHit[];
    const pinned = pinnedAll.filter((hit) => !params.status?.length || params.status.includes(statusOfIndexed(hit, today)));
    const regular = (found.main!.hits as unknown as IndexedHit[]).slice(
      query.docNumberKey ? Math.max(0, offset - pinned.length) - request.regularOffset : 0,
    );
    const ordered = [...pinned.slice(offset), ...regular]
      .slice(0, params.page_size)
      .map((hit) => sourceOfRecord(hit, today));
    // Read while Meilisearch is still counting.
    const hitting = hitsOf(ordered, query.words, staff ? null : today);
    hitting.catch(() => undefined);

    const answers = request.answersOf('counts', await counting);
    const distribution: Distribution = answers.facets?.facetDistribution ?? {};
    const statusCounts = await countStatuses(request, answers, today, signal);
    for (const hit of pinnedAll) {
      const status = statusOfIndexed(hit, today);
      statusCounts.set(status, (statusCounts.get(status) ?? 0) + 1);
    }
    addCounts(distribution, 'type', pinned.map(() => 'document'));
    addCounts(distribution, 'kind', pinned.map((h) => h.kind));
    addCounts(distribution, 'organ_ids', pinned.flatMap((h) => h.organ_ids));
    addCounts(distribution, 'topics', pinned.flatMap((h) => h.topics));
    addCounts(distribution, 'year', pinned.map((h) => h.year));
    const [hits, facets] = await Promise.all([hitting, facetsFrom(distribution, statusCounts)]);
    return {
      mode: 'full',
      total: sumOf(distribution['type']),
      page: params.page,
      page_size: params.page_size,
      hits,
      facets,
      doc_number: query.parsed ? formatDocNumber(query.parsed) : null,
    };
  }

  /**
   * The simpler search while Meilisearch is unavailable: PostgreSQL ILIKE on titles, 文号 and texts,
   * documents first (the exact 文号 before all), then interpretations; no facets.
   */
  async function searchBasic(actor: Actor | null, params: SearchParams): Promise<SearchResult> {
    const today = clock.today();
    const staff = can(actor, 'document:read-drafts');
    const query = queryOf(params);
    const offset = (params.page - 1) * params.page_size;
    const documentKinds = params.kind?.filter((k): k is DocumentKind => k !== 'interpretation');
    const wantDocuments = !params.kind?.length || (documentKinds?.length ?? 0) > 0;
    const wantInterpretations = (!params.kind?.length || params.kind.includes('interpretation')) && !params.status?.length;
    const filter: BasicSearchFilter = {
      today,
      publicOnly: !staff,
      // A 文号 also finds the documents that cite it.
      terms: query.parsed ? [formatDocNumber(query.parsed)] : queryTerms(params.q),
      docNumberKey: query.docNumberKey,
      kinds: documentKinds?.length ? documentKinds : undefined,
      statuses: params.status,
      organIds: params.organ_id,
      topics: params.topic,
      years: params.year,
      sort: params.sort,
      offset,
      limit: params.page_size,
    };
    const documents = wantDocuments ? await basicSearchDocuments(db, filter) : { total: 0, ids: [] };
    const room = params.page_size - documents.ids.length;
    const interpretations = wantInterpretations
      ? await basicSearchInterpretations(db, {
          ...filter,
          offset: Math.max(0, offset - documents.total),
          limit: Math.max(room, 1),
        })
      : { total: 0, ids: [] };
    const sources = await sourcesOfRows(
      [
        ...documents.ids.map((id) => ({ type: 'document' as const, id })),
        ...interpretations.ids.slice(0, room).map((id) => ({ type: 'interpretation' as const, id })),
      ],
      today,
    );
    return {
      mode: 'basic',
      total: documents.total + interpretations.total,
      page: params.page,
      page_size: params.page_size,
      hits: await hitsOf(
        sources,
        query.parsed ? query.words : filter.terms,
        staff ? null : today,
      ),
      facets: {},
      doc_number: query.parsed ? formatDocNumber(query.parsed) : null,
    };
  }

  return {
    /** Every topic with its number of published documents, for browsing. */
    topics: () => topicsWithCounts(db, clock.today()),
    /** Every organ with its number of published documents (lead or co-issuer), for browsing. */
    organs: () => organsWithCounts(db, clock.today()),
    /** Names of organs by id (cached a minute), for labelling filters. */
    organNames: (ids: number[]) => organNamesFor(ids),

    /** sitemap.xml: how many published pages of each kind, and one slice of them. */
    sitemapCounts: async () => {
      const today = clock.today();
      const [documents, interpretations] = await Promise.all([
        countPublished(db, 'documents', today),
        countPublished(db, 'interpretations', today),
      ]);
      return { documents, interpretations };
    },
    sitemapSlice: (table: 'documents' | 'interpretations', offset: number, limit: number) =>
      publishedForSitemap(db, table, clock.today(), offset, limit),

    async search(actor: Actor | null, params: SearchParams): Promise<SearchResult> {
      if (params.status?.includes('draft') && !can(actor, 'document:read-drafts')) {
        throw new ForbiddenError('草稿仅对工作人员可见');
      }
      if (Date.now() >= meiliDownUntil) {
        searching += 1;
        try {
          return await searchMeili(actor, params);
        } catch (error) {
          // Only a failure of the search server (down, timing out, index missing) falls back below; the
          // health check reports it and the index worker catches up once it is back. Anything else is
          // a real error and must reach the error handler and the log.
          if (!(error instanceof MeilisearchError)) throw error;
          meiliDownUntil = Date.now() + RETRY_MEILI_AFTER_MS;
        } finally {
          searching -= 1;
        }
      }
      return searchBasic(actor, params);
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;
