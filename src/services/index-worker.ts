import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import { claimDueJobs, deleteJobs, postponeJobs, type ClaimedJob } from '../repositories/index-job.repository.js';
import { buildDocumentRecords, buildInterpretationRecords, ensureIndexes, type SearchIndexes } from './search-index.js';

const BATCH = 500;

/**
 * Applies index jobs from the outbox to Meilisearch. Jobs leave the table only after Meilisearch
 * confirms the task, so an outage or a crash loses nothing: the jobs wait and are retried with backoff.
 */
export function createIndexWorker({ db, indexes, logger }: { db: Db; indexes: SearchIndexes; logger: Logger }) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  let settingsApplied = false;

  async function apply(jobs: ClaimedJob[]): Promise<void> {
    if (!settingsApplied) {
      await ensureIndexes(indexes);
      settingsApplied = true;
    }
    const ids = (entity: ClaimedJob['entity']) => [...new Set(jobs.filter((j) => j.entity === entity).map((j) => j.entity_id))];
    for (const [entity, uid, build] of [
      ['document', indexes.documents, buildDocumentRecords],
      ['interpretation', indexes.interpretations, buildInterpretationRecords],
    ] as const) {
      const wanted = ids(entity);
      if (wanted.length === 0) continue;
      const records = await build(db, wanted);
      const gone = wanted.filter((id) => !records.some((r) => r.id === id));
      const index = indexes.client.index(uid);
      if (records.length) await index.addDocuments(records, { primaryKey: 'id' }).waitTask({ timeout: 120_000 });
      if (gone.length) await index.deleteDocuments(gone).waitTask({ timeout: 120_000 });
    }
  }

  /** Runs one batch; true when there may be more to do. */
  async function runOnce(): Promise<boolean> {
    return db.transaction().execute(async (trx) => {
      const jobs = await claimDueJobs(trx, BATCH);
      if (jobs.length === 0) return false;
      try {
        await apply(jobs);
        await deleteJobs(trx, jobs.map((j) => j.id));
      } catch (error) {
        settingsApplied = false;
        const attempts = Math.max(...jobs.map((j) => j.attempts));
        const delay = Math.min(300, 2 ** Math.min(attempts, 8));
        logger.warn({ err: error, jobs: jobs.length, retryInSeconds: delay }, 'search index update failed; will retry');
        await postponeJobs(trx, jobs.map((j) => j.id), error instanceof Error ? error.message : String(error), delay);
        return false;
      }
      return jobs.length === BATCH;
    });
  }

  async function drain(): Promise<void> {
    while (!stopped && (await runOnce())) {
      // keep going while full batches come back
    }
  }

  function schedule(ms: number) {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = drain()
        .catch((error: unknown) => logger.error({ err: error }, 'index worker failed'))
        .finally(() => {
          running = undefined;
          schedule(1000);
        });
    }, ms);
  }

  return {
    start() {
      stopped = false;
      schedule(0);
    },
    /** Called after a commit that wrote jobs, so the index follows within milliseconds, not a poll later. */
    nudge() {
      if (!stopped && !running) schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
    /** Applies everything due now; for scripts and tests that need the index caught up. */
    async drainNow() {
      const wasStopped = stopped;
      stopped = false;
      try {
        await running;
        while (await runOnce()) {
          // until the queue is empty
        }
      } finally {
        stopped = wasStopped;
      }
    },
  };
}

export type IndexWorker = ReturnType<typeof createIndexWorker>;
