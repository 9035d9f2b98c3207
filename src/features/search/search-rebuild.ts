import { sql } from 'kysely';
import type { EnqueuedTaskPromise } from 'meilisearch';
import type { Db } from '../../db/database.js';
import type { IsoDate } from '../../shared/dates.js';
import { currentSnapshot, requeueJobsInvisibleTo } from './index-job.repository.js';
import { countForIndex, idsAfter, writeFragments } from './search.repository.js';
import { buildRecords, deleteIndexIfAny, fragmentsOf, ensureIndex, rebuildIndexName, waitForTasks, type SearchIndexes } from './search-index.js';

const BATCH = 1000;
/** Additions queued in Meilisearch at once: enough for it to merge them, bounded for memory. */
const MAX_QUEUED = 4;
// Any constant shared by all processes of this app: one rebuild at a time.
const REBUILD_LOCK = 0x6766_0100;

export interface RebuildProgress {
  phase: 'reading' | 'indexing' | 'swapping';
  done: number;
  total: number;
}

export interface RebuildResult {
  documents: number;
  interpretations: number;
  records: number;
  /** Changes committed while the rebuild read, queued again for the index worker. */
  requeued: number;
}

/**
 * Rebuilds the search index from PostgreSQL into a new index and swaps it in atomically, so searches
 * keep answering from the old one until the new one is complete. Everything is read in one snapshot;
 * after the swap, the jobs of transactions that snapshot could not see are queued again, so a change
 * made during the rebuild is in the new index too once the worker has applied it.
 */
export async function rebuildSearchIndex(
  db: Db,
  indexes: SearchIndexes,
  /** The day whose document statuses the records carry. */
  today: IsoDate,
  /** May return a promise, which the rebuild waits for (tests use it to act mid-rebuild). */
  onProgress: (progress: RebuildProgress) => void | Promise<void> = () => undefined,
): Promise<RebuildResult> {
  const { client } = indexes;
  const target = rebuildIndexName(indexes);
  return db.connection().execute(async (connection) => {
    const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${REBUILD_LOCK}) as locked`.execute(connection);
    if (!rows[0]?.locked) throw new Error('另一个重建索引的任务正在运行，请等它结束后再试。');
    try {
      await deleteIndexIfAny(indexes, target);
      // A swap needs both indexes; on a first start the live one may not exist yet.
      await Promise.all([ensureIndex(client, target), ensureIndex(client, indexes.search)]);

      const read = await connection
        .transaction()
        .setIsolationLevel('repeatable read')
        .setAccessMode('read only')
        .execute(async (trx) => {
          const snapshot = await currentSnapshot(trx);
          const counts = await countForIndex(trx);
          const total = counts.documents + counts.interpretations;
          let done = 0;
          let records = 0;
          const queued: EnqueuedTaskPromise[] = [];
          const index = client.index(target);
          for (const table of ['documents', 'interpretations'] as const) {
            let after = 0;
            for (;;) {
              const ids = await idsAfter(trx, table, after, BATCH);
              if (ids.length === 0) break;
              after = ids.at(-1)!;
              const batch = await buildRecords(
                trx,
                { documents: table === 'documents' ? ids : [], interpretations: table === 'interpretations' ? ids : [] },
                today,
              );
              records += batch.length;
              // Written beside the read-only snapshot; a change made meanwhile is requeued below anyway.
              await writeFragments(db, fragmentsOf(batch), []);
              queued.push(index.addDocuments(batch, { primaryKey: 'id' }));
              if (queued.length >= MAX_QUEUED) await waitForTasks(queued.splice(0, 1));
              done += ids.length;
              await onProgress({ phase: 'reading', done, total });
            }
          }
          await onProgress({ phase: 'indexing', done, total });
          await waitForTasks(queued);
          return { snapshot, counts, records };
        });

      await onProgress({ phase: 'swapping', done: 1, total: 1 });
      await waitForTasks([client.swapIndexes([{ indexes: [indexes.search, target], rename: false }])]);
      await deleteIndexIfAny(indexes, target);
      const requeued = await requeueJobsInvisibleTo(db, read.snapshot);
      return { ...read.counts, records: read.records, requeued };
    } finally {
      await sql`select pg_advisory_unlock(${REBUILD_LOCK})`.execute(connection);
    }
  });
}
