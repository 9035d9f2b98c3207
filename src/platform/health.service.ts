import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { SearchIndexes } from '../features/search/search-index.js';

const withTimeout = <T>(promise: Promise<T>, ms: number, fallback: T) =>
  Promise.race([promise, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms).unref())]);

export function createHealthService({ db, indexes }: { db: Db; indexes: SearchIndexes }) {
  return {
    async check() {
      const [dbOk, searchOk] = await Promise.all([
        withTimeout(sql`select 1`.execute(db).then(() => true, () => false), 2000, false),
        withTimeout(indexes.client.isHealthy(), 2000, false),
      ]);
      return { status: dbOk && searchOk ? ('ok' as const) : ('degraded' as const), db: dbOk, search: searchOk };
    },
  };
}
