/**
 * The simpler search while Meilisearch is unavailable: PostgreSQL ILIKE on titles, 文号 and texts,
 * documents first (the exact 文号 before all), then interpretations; no facets.
 */
import type { Db } from '../../db/database.js';
import { findDocumentSummaries } from '../../db/document.sql.js';
import type { IsoDate } from '../../shared/dates.js';
import { formatDocNumber } from '../../shared/doc-number.js';
import { documentStatusAsOf, type DocumentKind } from '../../shared/document-status.js';
import type { Clock } from '../../platform/clock.js';
import { can, type Actor } from '../accounts/actor.js';
import { hitsOf, type HitSource } from './search-hits.js';
import { readQuery } from './search-query.js';
import { basicSearchDocuments, basicSearchInterpretations, findInterpretationHits, type BasicSearchFilter } from './search.repository.js';
import type { SearchParams, SearchResult } from './search-result.js';
import { queryTerms } from './search-text.js';

/** The simple search's hits, from PostgreSQL rows, in the order of `ids`. */
async function sourcesOfRows(db: Db, ids: { type: HitSource['type']; id: number }[], today: IsoDate): Promise<HitSource[]> {
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

export async function searchBasic({ db, clock }: { db: Db; clock: Clock }, actor: Actor | null, params: SearchParams): Promise<SearchResult> {
  const today = clock.today();
  const staff = can(actor, 'document:read-drafts');
  const query = readQuery(params.q);
  const offset = (params.page - 1) * params.page_size;
  const documentKinds = params.kind?.filter((k): k is DocumentKind => k !== 'interpretation');
  const wantDocuments = params.type !== 'interpretation' && (!params.kind?.length || (documentKinds?.length ?? 0) > 0);
  // Interpretations have no 成文日期: a range of it leaves them out, as in the full search.
  const wantInterpretations =
    params.type !== 'document' &&
    (!params.kind?.length || params.kind.includes('interpretation')) &&
    !params.status?.length &&
    !params.signed_from &&
    !params.signed_to;
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
    titleOnly: params.scope === 'title',
    signed: { from: params.signed_from, to: params.signed_to },
    published: { from: params.published_from, to: params.published_to },
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
    db,
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
    hits: await hitsOf(db, sources, query.parsed ? query.words : filter.terms, staff ? null : today),
    facets: {},
    doc_number: query.parsed ? formatDocNumber(query.parsed) : null,
  };
}
