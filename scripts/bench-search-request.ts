import type { Meilisearch } from 'meilisearch';
import { dateToInt } from '../src/features/search/search-index.js';
import { buildMeiliRequest, meiliQuery } from '../src/features/search/search-query.js';

/**
 * The Meilisearch requests the app sends for a public search of `q` (first page, by relevance),
 * built by the app's own function and sent at once, as a search alone sends them; the page of hits
 * answers first. The benchmark's index is fresh, so, like the app once it has checked, they do not
 * look for stale records.
 */
export function sendAppRequests(client: Meilisearch, q: string, indexUid: string, today: string) {
  const { docNumberKey, text } = meiliQuery(q);
  const request = buildMeiliRequest(
    { q, sort: 'relevance', page: 1, page_size: 20 },
    { indexUid, today: dateToInt(today)!, staff: false, docNumberKey, text, checkStale: false },
  );
  return Promise.all([client.multiSearch({ queries: request.hits }), client.multiSearch({ queries: request.counts })]);
}
