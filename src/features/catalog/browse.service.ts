import type { Db } from '../../db/database.js';
import type { Clock } from '../../platform/clock.js';
import { countPublished, organsWithCounts, publishedForSitemap, topicsWithCounts } from './browse.repository.js';

/** What the public site lists: topics and organs with their published documents, and sitemap.xml. */
export function createBrowseService({ db, clock }: { db: Db; clock: Clock }) {
  return {
    /** Every topic with its number of published documents, for browsing. */
    topics: () => topicsWithCounts(db, clock.today()),
    /** Every organ with its number of published documents (lead or co-issuer), for browsing. */
    organs: () => organsWithCounts(db, clock.today()),

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
  };
}

export type BrowseService = ReturnType<typeof createBrowseService>;
