/** The full search: Meilisearch ranks and counts, PostgreSQL gives the titles and confirms visibility. */
import type { MultiSearchResponse } from 'meilisearch';
import type { Db } from '../../db/database.js';
import type { IsoDate } from '../../shared/dates.js';
import { formatDocNumber, parseDocNumber, shortensOrderPrefix } from '../../shared/doc-number.js';
import { isDocumentStatus, type DocumentStatus } from '../../shared/document-status.js';
import type { Clock } from '../../platform/clock.js';
import { can, type Actor } from '../accounts/actor.js';
import type { RecordKind } from './record-kind.js';
import { addCounts, facetsFrom, sumOf, type Distribution, type OrganNames } from './search-facets.js';
import { hitsOf, type HitSource } from './search-hits.js';
import { countStaleDocuments, dateToInt, type SearchIndexes } from './search-index.js';
import { findVerbatim } from './search.repository.js';
import { normalizeFragment, readQuoted } from './search-text.js';
import {
  MAX_STALE,
  MAX_VERBATIM,
  buildMeiliRequest,
  orderVerbatim,
  intToDate,
  readQuery,
  statusOfIndexed,
  type IndexedDates,
  type RequestName,
  type Verbatim,
} from './search-query.js';
import type { SearchParams, SearchResult } from './search-result.js';

const SEARCH_TIMEOUT_MS = 3000;
/** The verbatim search gives up after this (a fragment common enough to take longer is left to the words). */
const VERBATIM_TIMEOUT_MS = 800;
/** Fragments shorter than a trigram cannot use the index: they are looked for in titles only. */
const MIN_INDEXED_FRAGMENT = 3;
/**
 * An unquoted query shorter than this is a word or two more often than a paste, and common: its texts
 * are searched verbatim only when the words find nothing (titles always are). Searching every text for
 * every short query cut the throughput of ordinary searches to a third (bench:search).
 */
const MIN_TEXT_FRAGMENT_UNQUOTED = 8;
/** How long a finding that the index holds no stale document record stands. */
const FRESHNESS_RECHECK_MS = 10_000;

type MeiliRequest = ReturnType<typeof buildMeiliRequest>;
type Answer = MultiSearchResponse<Record<string, unknown>>['results'][number];

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
  doc_number_key: string | null;
  organ_ids: number[];
  topics: string[];
  year: number | null;
}

interface VerbatimIndexedHit extends PinnedHit {
  group: string;
}

export interface FullSearchDeps {
  db: Db;
  indexes: SearchIndexes;
  clock: Clock;
  organNames: OrganNames;
  /** See freshnessCheck. */
  knownFresh: (today: IsoDate) => boolean;
  /** Whether the database's trigram indexes serve Han text (search.repository.ts trigramsIndexHan). */
  trigramsIndexHan: () => Promise<boolean>;
}

/**
 * The records that contain the query verbatim (all of it, as normalizeFragment reads it), looked up
 * in PostgreSQL: null when there is nothing to look for (a 文号, fewer than two letters) or the lookup
 * ran out of time, and the words alone answer. `inTitle`: the groups whose title contains it;
 * `textsSkipped`: a short unquoted query was looked for in titles only (see MIN_TEXT_FRAGMENT_UNQUOTED),
 * unless `texts` asks for the texts too.
 */
async function findVerbatimMatches(deps: FullSearchDeps, params: SearchParams, isDocNumber: boolean, texts: boolean) {
  const asked = readQuoted(params.q);
  const fragment = normalizeFragment(asked.text);
  if (isDocNumber || fragment.length < 2) return null;
  const textsSkipped =
    !texts && !asked.quoted && params.scope !== 'title' && fragment.length >= MIN_INDEXED_FRAGMENT && fragment.length < MIN_TEXT_FRAGMENT_UNQUOTED;
  const titleOnly = textsSkipped || params.scope === 'title' || fragment.length < MIN_INDEXED_FRAGMENT;
  const indexed = fragment.length >= MIN_INDEXED_FRAGMENT && (await deps.trigramsIndexHan());
  const matches = await findVerbatim(deps.db, fragment, { titleOnly, limit: MAX_VERBATIM, timeoutMs: VERBATIM_TIMEOUT_MS, indexed });
  if (!matches) return null;
  const verbatim: Verbatim = { groups: matches.slice(0, MAX_VERBATIM).map((m) => m.group), only: asked.quoted };
  return { verbatim, inTitle: new Set(matches.filter((m) => m.inTitle).map((m) => m.group)), textsSkipped };
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

/**
 * Whether the index is known to hold no document record stale today, so that a search need not look
 * for them. Records go stale when the day turns, until the index worker rewrites them; within a day
 * only a record written for another day (a batch or a rebuild across midnight) can be, so a finding
 * stands for FRESHNESS_RECHECK_MS from when its count began; a search that finds none standing
 * looks for stale records itself and has the count made again in the background.
 */
export function freshnessCheck(indexes: SearchIndexes): (today: IsoDate) => boolean {
  let freshness: { day: IsoDate; since: number; none: boolean } | undefined;
  let checking = false;
  return (today) => {
    const standing = freshness?.day === today && Date.now() - freshness.since <= FRESHNESS_RECHECK_MS ? freshness : undefined;
    if (!standing && !checking) {
      checking = true;
      const since = Date.now();
      countStaleDocuments(indexes.client, indexes.search, today)
        .then(
          (stale) => (freshness = { day: today, since, none: stale === 0 }),
          () => (freshness = undefined),
        )
        .finally(() => (checking = false));
    }
    return standing?.none ?? false;
  };
}

/**
 * Documents per status as of today: the indexed status facet, with the few documents whose indexed
 * status has run out moved to today's; when there are too many of those, one count per status.
 */
async function countStatuses(
  indexes: SearchIndexes,
  request: MeiliRequest,
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
 * Sends the page of hits and the counts. A search alone sends them at once, so that Meilisearch uses
 * both cores and the hits' details are read while it counts; among others (`crowded`), the cores are
 * busy anyway and one request costs less. The counts are awaited by the caller.
 */
async function send(indexes: SearchIndexes, request: MeiliRequest, crowded: boolean, signal: AbortSignal) {
  const multiSearch = (queries: typeof request.hits) =>
    indexes.client.multiSearch({ queries }, { signal }).then((answer) => (answer as MultiSearchResponse<Record<string, unknown>>).results);
  if (crowded) {
    const answers = await multiSearch([...request.hits, ...request.counts]);
    return { hitAnswers: answers.slice(0, request.hits.length), counting: Promise.resolve(answers.slice(request.hits.length)) };
  }
  const counting = multiSearch(request.counts);
  counting.catch(() => undefined);
  return { hitAnswers: await multiSearch(request.hits), counting };
}

/**
 * The hits that come first, all of them and those the status filter keeps: the documents of a 文号,
 * then the verbatim matches in their order; then the regular hits of the page.
 */
function pageOfHits(
  request: MeiliRequest,
  hitAnswers: Answer[],
  params: SearchParams,
  verbatim: { inTitle: ReadonlySet<string> } | null,
  query: ReturnType<typeof readQuery>,
  today: IsoDate,
) {
  const offset = (params.page - 1) * params.page_size;
  const found = request.answersOf('hits', hitAnswers);
  const verbatimHits = (found.verbatim?.hits ?? []) as unknown as VerbatimIndexedHit[];
  // A 令号 typed without its organ's full name finds the rules whose organ it shortens.
  const named = (hit: PinnedHit) => {
    if (hit.doc_number_key === query.docNumberKey) return true;
    const prefix = hit.display_doc_number ? parseDocNumber(hit.display_doc_number)?.prefix : undefined;
    return !!query.orderSerial && !!prefix && shortensOrderPrefix(query.orderSerial.typedPrefix, prefix);
  };
  const pinnedAll = [
    ...((found.pinned?.hits ?? []) as unknown as PinnedHit[]).filter(named),
    ...orderVerbatim(verbatimHits, verbatim?.inTitle ?? new Set(), today, params.sort === 'date'),
  ];
  const pinned = pinnedAll.filter(
    (hit) => !params.status?.length || (hit.type === 'document' && params.status.includes(statusOfIndexed(hit, today))),
  );
  const regular = ((found.main?.hits ?? []) as unknown as IndexedHit[]).slice(Math.max(0, offset - pinned.length) - request.regularOffset);
  const ordered = [...pinned.slice(offset), ...regular].slice(0, params.page_size).map((hit) => sourceOfRecord(hit, today));
  return { pinnedAll, pinned, ordered };
}

/** The pinned documents are excluded from the counted queries: their statuses and facets are added here. */
function addPinned(distribution: Distribution, statusCounts: Map<DocumentStatus, number>, hits: ReturnType<typeof pageOfHits>, today: IsoDate) {
  for (const hit of hits.pinnedAll) {
    if (hit.type !== 'document') continue;
    const status = statusOfIndexed(hit, today);
    statusCounts.set(status, (statusCounts.get(status) ?? 0) + 1);
  }
  const { pinned } = hits;
  addCounts(distribution, 'type', pinned.map((h) => h.type));
  addCounts(distribution, 'kind', pinned.map((h) => h.kind));
  addCounts(distribution, 'organ_ids', pinned.flatMap((h) => h.organ_ids));
  addCounts(distribution, 'topics', pinned.flatMap((h) => h.topics));
  addCounts(distribution, 'year', pinned.map((h) => h.year));
}

/**
 * `crowded`: other searches are being answered by Meilisearch from this process right now. `texts`:
 * look for the query verbatim in the texts even when it is short (see findVerbatimMatches); a short
 * query that found nothing is asked again so.
 */
export async function searchFull(
  deps: FullSearchDeps,
  actor: Actor | null,
  params: SearchParams,
  crowded: boolean,
  texts = false,
): Promise<SearchResult> {
  const { indexes } = deps;
  const today = deps.clock.today();
  const staff = can(actor, 'document:read-drafts');
  const query = readQuery(params.q);
  const verbatim = await findVerbatimMatches(deps, params, query.parsed !== null || query.series !== null || query.orderSerial !== null, texts);
  const request = buildMeiliRequest(params, {
    indexUid: indexes.search,
    today: dateToInt(today)!,
    staff,
    docNumberKey: query.docNumberKey,
    orderSerial: query.orderSerial?.key ?? null,
    series: query.series,
    text: query.text,
    checkStale: !deps.knownFresh(today),
    verbatim: verbatim?.verbatim ?? null,
  });
  const signal = AbortSignal.timeout(SEARCH_TIMEOUT_MS);
  const { hitAnswers, counting } = await send(indexes, request, crowded, signal);
  const page = pageOfHits(request, hitAnswers, params, verbatim, query, today);
  // Read while Meilisearch is still counting.
  const hitting = hitsOf(deps.db, page.ordered, query.words, staff ? null : today);
  hitting.catch(() => undefined);

  const answers = request.answersOf('counts', await counting);
  const distribution: Distribution = answers.facets?.facetDistribution ?? {};
  const statusCounts = await countStatuses(indexes, request, answers, today, signal);
  addPinned(distribution, statusCounts, page, today);
  const [hits, facets] = await Promise.all([hitting, facetsFrom(deps.organNames, distribution, statusCounts)]);
  if (verbatim?.textsSkipped && sumOf(distribution['type']) === 0) return searchFull(deps, actor, params, crowded, true);
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
