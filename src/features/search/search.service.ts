import { MeilisearchError } from 'meilisearch';
import type { Db } from '../../db/database.js';
import { ForbiddenError } from '../../errors.js';
import type { Clock } from '../../platform/clock.js';
import { can, type Actor } from '../accounts/actor.js';
import { searchBasic } from './search-basic.js';
import { cachedOrganNames } from './search-facets.js';
import { freshnessCheck, searchFull } from './search-full.js';
import type { SearchIndexes } from './search-index.js';
import type { SearchParams, SearchResult } from './search-result.js';
import { trigramsIndexHan as indexHan } from './search.repository.js';

/** After a failure, searches go straight to PostgreSQL for a while instead of waiting on a dead server. */
export const RETRY_MEILI_AFTER_MS = 5000;

export function createSearchService({ db, indexes, clock }: { db: Db; indexes: SearchIndexes; clock: Clock }) {
  const organNames = cachedOrganNames(db);
  let trigrams: Promise<boolean> | undefined;
  const trigramsIndexHan = () => (trigrams ??= indexHan(db).catch((error: unknown) => {
    trigrams = undefined;
    throw error;
  }));
  const full = { db, indexes, clock, organNames, knownFresh: freshnessCheck(indexes), trigramsIndexHan };
  let meiliDownUntil = 0;
  /** Searches this process is answering from Meilisearch right now. */
  let searching = 0;

  return {
    /** Names of organs by id (cached a minute), for labelling filters. */
    organNames,

    async search(actor: Actor | null, params: SearchParams): Promise<SearchResult> {
      if (params.status?.includes('draft') && !can(actor, 'document:read-drafts')) {
        throw new ForbiddenError('草稿仅对工作人员可见');
      }
      if (Date.now() >= meiliDownUntil) {
        searching += 1;
        try {
          return await searchFull(full, actor, params, searching > 1);
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
      return searchBasic({ db, clock }, actor, params);
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;
