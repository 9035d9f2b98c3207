import { sql } from 'kysely';
import type { Db, Trx } from '../../db/database.js';
import type { Logger } from '../../logger.js';
import {
  claimDueJobs,
  enqueueIndexJobs,
  markJobsDone,
  postponeJobs,
  purgeJobHistory,
  type ClaimedJob,
  type IndexedEntity,
} from './index-job.repository.js';
import { interpretationIdsOfDocuments } from './search.repository.js';
import type { IsoDate } from '../../shared/dates.js';
import type { Clock } from '../../platform/clock.js';
import { staleRecords, ensureIndex, waitForTasks, writeEntities, type SearchIndexes } from './search-index.js';

const BATCH = 2000;
/**
 * Batches in flight, each in its own transaction: the next batch is claimed and queued in Meilisearch
 * as soon as the previous one is queued, not applied, so Meilisearch always has work waiting and
 * merges the queued additions into large batches, as when it is fed directly.
 */
const IN_FLIGHT = 4;
/** Applied jobs are kept this long: a rebuild replays those its snapshot missed (scripts/reindex.ts). */
const KEEP_JOB_HISTORY_SECONDS = 7 * 24 * 3600;
const PURGE_EVERY_MS = 3600_000;
const MAX_BACKOFF_SECONDS = 60;
/** How often records gone stale are looked for, besides at the turn of the day: a cheap filter. */
const REFRESH_EVERY_MS = 10 * 60_000;

// Advisory lock namespaces, one per entity kind: one worker at a time applies a given entity.
const LOCK_CLASS: Record<IndexedEntity, number> = { document: 0x6766_0001, interpretation: 0x6766_0002 };

/**
 * Of the claimed jobs, those whose entity no other worker is applying right now. Without this, two
 * processes could apply two updates of one document out of order and leave the older one indexed;
 * skipped jobs stay queued for the next round.
 */
async function lockEntities(trx: Trx, jobs: ClaimedJob[]): Promise<Set<string>> {
  const keys = [...new Set(jobs.map((j) => `${j.entity}:${j.entity_id}`))];
  const { rows } = await sql<{ key: string; locked: boolean }>`
    select k.key, pg_try_advisory_xact_lock(k.class, k.id) as locked
    from unnest(${keys.map((k) => LOCK_CLASS[k.split(':')[0] as IndexedEntity])}::int[],
                ${keys.map((k) => Number(k.split(':')[1]))}::int[],
                ${keys}::text[]) as k(class, id, key)`.execute(trx);
  return new Set(rows.filter((r) => r.locked).map((r) => r.key));
}

interface WorkerDeps {
  db: Db;
  indexes: SearchIndexes;
  logger: Logger;
  clock: Clock;
}

/** One worker: its deps and what it has found out so far. */
interface Worker extends WorkerDeps {
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
  stopped: boolean;
  indexReady: boolean;
  lastPurge: number;
  refreshed: { on: IsoDate; at: number } | undefined;
}

/**
 * When the day changes, and every few minutes besides, queues the records that are no longer right
 * (a term ended, a repeal or a publication day came; or a rebuild that ran across midnight wrote
 * them), so that counting statuses stays one facet and a title published today becomes findable
 * through its related records. A failure is logged and tried again on the next round.
 */
async function refreshStaleRecords(w: Worker, force = false): Promise<void> {
  const today = w.clock.today();
  if (!w.indexReady || (!force && w.refreshed?.on === today && Date.now() - w.refreshed.at < REFRESH_EVERY_MS)) return;
  try {
    const stale = await staleRecords(w.indexes.client, w.indexes.search, today);
    if (stale.documents.length || stale.interpretations.length) {
      await w.db.transaction().execute(async (trx) => {
        await enqueueIndexJobs(trx, 'document', stale.documents, { unlessQueued: true });
        await enqueueIndexJobs(trx, 'interpretation', stale.interpretations, { unlessQueued: true });
      });
    }
    w.refreshed = { on: today, at: Date.now() };
  } catch (error) {
    // Tried again in a minute, not on every round of the worker.
    w.refreshed = { on: today, at: Date.now() - REFRESH_EVERY_MS + 60_000 };
    w.logger.warn({ err: error }, 'could not look for search records to refresh; will retry');
  }
}

/** Queues the current state of the jobs' entities in Meilisearch; resolves to the tasks to wait for. */
async function enqueue(w: Worker, trx: Trx, jobs: ClaimedJob[]) {
  if (!w.indexReady) {
    await ensureIndex(w.indexes.client, w.indexes.search);
    w.indexReady = true;
  }
  const ids = (entity: IndexedEntity) => [...new Set(jobs.filter((j) => j.entity === entity).map((j) => j.entity_id))];
  const documents = ids('document');
  // Interpretation records repeat their documents' titles, organs and topics.
  const interpretations = [...new Set([...ids('interpretation'), ...(await interpretationIdsOfDocuments(trx, documents))])];
  return writeEntities(trx, w.indexes.client, w.indexes.search, { documents, interpretations }, w.clock.today());
}

/** Applies the claimed jobs, or on failure puts them off with backoff; `signal` as in runOnce. */
async function applyJobs(w: Worker, trx: Trx, jobs: ClaimedJob[], signal: (more: boolean) => void, more: boolean): Promise<void> {
  try {
    const tasks = await enqueue(w, trx, jobs);
    // Sent and accepted: the records no longer need to be held here.
    await Promise.all(tasks);
    signal(more);
    await waitForTasks(tasks);
    await markJobsDone(trx, jobs.map((j) => j.id));
  } catch (error) {
    signal(false);
    w.indexReady = false;
    const attempts = Math.max(...jobs.map((j) => j.attempts));
    const delay = Math.min(MAX_BACKOFF_SECONDS, 2 ** Math.min(attempts, 8));
    w.logger.warn({ err: error, jobs: jobs.length, retryInSeconds: delay }, 'search index update failed; will retry');
    await postponeJobs(trx, jobs.map((j) => j.id), error instanceof Error ? error.message : String(error), delay);
  }
}

/**
 * One batch in its own transaction: claim, queue in Meilisearch, then wait for Meilisearch and mark
 * the jobs done. `queued` is called once the batch is in Meilisearch's queue (or nothing was
 * claimed), with whether more jobs may be waiting.
 */
async function runOnce(w: Worker, queued: (more: boolean) => void = () => undefined): Promise<void> {
  let signalled = false;
  const signal = (more: boolean) => {
    if (!signalled) queued(more);
    signalled = true;
  };
  try {
    await w.db.transaction().execute(async (trx) => {
      const claimed = await claimDueJobs(trx, BATCH);
      const free = claimed.length ? await lockEntities(trx, claimed) : new Set<string>();
      const jobs = claimed.filter((j) => free.has(`${j.entity}:${j.entity_id}`));
      if (jobs.length === 0) return signal(false);
      await applyJobs(w, trx, jobs, signal, claimed.length === BATCH);
    });
  } finally {
    signal(false);
  }
}

/** Every due job, up to IN_FLIGHT batches at a time. */
async function applyAllDue(w: Worker): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  try {
    for (;;) {
      while (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
      if (w.stopped) break;
      let queued!: (more: boolean) => void;
      const more = new Promise<boolean>((resolve) => (queued = resolve));
      const batch: Promise<void> = runOnce(w, queued).finally(() => inFlight.delete(batch));
      // Its failure surfaces in the Promise.race/all below; until then it must not count as unhandled.
      batch.catch(() => undefined);
      inFlight.add(batch);
      if (!(await more)) break;
    }
  } finally {
    await Promise.all(inFlight);
  }
}

async function drain(w: Worker): Promise<void> {
  // Searches need the index to exist even before the first document arrives.
  if (!w.indexReady) {
    await ensureIndex(w.indexes.client, w.indexes.search).then(
      () => {
        w.indexReady = true;
      },
      (error: unknown) => w.logger.warn({ err: error }, 'search index not reachable; will retry'),
    );
  }
  await refreshStaleRecords(w);
  await applyAllDue(w);
  if (Date.now() - w.lastPurge > PURGE_EVERY_MS) {
    w.lastPurge = Date.now();
    await purgeJobHistory(w.db, KEEP_JOB_HISTORY_SECONDS);
  }
}

function schedule(w: Worker, ms: number) {
  if (w.stopped) return;
  clearTimeout(w.timer);
  w.timer = setTimeout(() => {
    w.running = drain(w)
      .catch((error: unknown) => w.logger.error({ err: error }, 'index worker failed'))
      .finally(() => {
        w.running = undefined;
        schedule(w, 1000);
      });
  }, ms);
}

/**
 * Applies index jobs from the outbox to Meilisearch. Jobs leave the queue only after Meilisearch
 * confirms the task, so an outage or a crash loses nothing: the jobs wait and are retried with backoff.
 */
export function createIndexWorker(deps: WorkerDeps) {
  const w: Worker = { ...deps, timer: undefined, running: undefined, stopped: true, indexReady: false, lastPurge: 0, refreshed: undefined };
  return {
    start() {
      w.stopped = false;
      schedule(w, 0);
    },
    /** Called after a commit that wrote jobs, so the index follows within milliseconds, not a poll later. */
    nudge() {
      if (!w.stopped && !w.running) schedule(w, 0);
    },
    async stop() {
      w.stopped = true;
      clearTimeout(w.timer);
      await w.running;
    },
    /** Applies everything due now, stale records included; for scripts and tests that need the index caught up. */
    async drainNow() {
      const wasStopped = w.stopped;
      w.stopped = false;
      try {
        await w.running;
        await refreshStaleRecords(w, true);
        await applyAllDue(w);
      } finally {
        w.stopped = wasStopped;
      }
    },
  };
}

export type IndexWorker = ReturnType<typeof createIndexWorker>;
