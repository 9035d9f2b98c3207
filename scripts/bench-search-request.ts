import { dateToInt } from '../src/services/search-index.js';
import { buildMeiliRequest, meiliQuery } from '../src/services/search-query.js';

/**
 * The Meilisearch requests the app sends for a public search of `q` (first page, by relevance),
 * built by the app's own function. The benchmark's index is fresh, so, like the app once it has
 * checked, they do not look for stale records.
 */
export function appRequestFor(q: string, indexUid: string, today: string) {
  const { docNumberKey, text } = meiliQuery(q);
  return buildMeiliRequest(
    { q, sort: 'relevance', page: 1, page_size: 20 },
    {
      indexUid,
      today: dateToInt(today)!,
      staff: false,
      docNumberKey,
      text,
      checkStale: false,
    },
  );
}
