import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createMeiliClient } from '../../src/platform/meili.js';
import type { Actor } from '../../src/features/accounts/actor.js';
import { enqueueIndexJobs } from '../../src/features/search/index-job.repository.js';
import { createIndexWorker, type IndexWorker } from '../../src/features/search/index-worker.js';
import { indexNames } from '../../src/features/search/search-index.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { uniqueWord } from '../support/search.js';
import { buildDocument, buildInterpretation, buildOrgan } from '../support/factories.js';

let ctx: TestContext;
let admin: Actor;
let organId: number;
/** A worker whose Meilisearch is a closed port: every attempt fails, as in an outage. */
let downWorker: IndexWorker;

beforeAll(async () => {
  ctx = await createTestContext();
  ({ actor: admin } = await ctx.user('admin'));
  organId = (await buildOrgan(ctx.services, admin, { name: '索引测试县人民政府' })).id;
  const unreachable = indexNames(createMeiliClient('http://127.0.0.1:1', undefined), ctx.config.meili.indexPrefix);
  downWorker = createIndexWorker({ db: ctx.db, indexes: unreachable, logger: createLogger('silent'), clock: ctx.clock });
});
afterAll(async () => {
  await downWorker?.stop();
  await ctx?.close();
});

/**
 * The index uids of this context. Reads the layout loosely (one index per entity, or one shared index
 * whose records carry `type` and `ref_id`), so these tests check what is findable, not how it is stored.
 */
function indexUids(): string[] {
  const names = ctx.indexes as unknown as Record<string, unknown>;
  return ['documents', 'interpretations', 'search'].flatMap((k) => (typeof names[k] === 'string' ? [names[k] as string] : []));
}

async function searchIds(type: 'document' | 'interpretation', q: string): Promise<number[]> {
  const names = ctx.indexes as unknown as Record<string, unknown>;
  const uid = (type === 'document' ? names['documents'] : names['interpretations']) ?? names['search'];
  expect(typeof uid).toBe('string');
  // An index that no worker has created yet holds nothing.
  const res = await ctx.indexes.client
    .index(uid as string)
    .search(q, { limit: 1000 })
    .catch((error: unknown) => {
      if ((error as { cause?: { code?: string } }).cause?.code === 'index_not_found') return { hits: [] as Record<string, unknown>[] };
      throw error;
    });
  const ids = res.hits.flatMap((h) => {
    if ('ref_id' in h) return h['type'] === type ? [h['ref_id'] as number] : [];
    return [h['id'] as number];
  });
  return [...new Set(ids)].sort((a, b) => a - b);
}

const searchDocuments = (q: string) => searchIds('document', q);

async function jobsFor(entity: 'document' | 'interpretation', ids: number[]) {
  if (ids.length === 0) return [];
  return ctx.db.selectFrom('index_jobs').selectAll().where('entity', '=', entity).where('entity_id', 'in', ids).orderBy('id').execute();
}

/** Lets the outage backoff elapse without waiting for it: the jobs become due now. */
async function makeJobsDue(): Promise<void> {
  await sql`update index_jobs set run_after = now() - interval '1 second'`.execute(ctx.db);
}

describe('the index worker', () => {
  it('makes created documents searchable after drainNow, and empties the outbox', async () => {
    const word = uniqueWord();
    const a = await buildDocument(ctx.services, admin, { organ_id: organId, title: `关于加强生态环境保护的通知 ${word}` });
    const b = await buildDocument(ctx.services, admin, { organ_id: organId, title: `关于安全生产检查的通知 ${word}` });
    expect(await jobsFor('document', [a.id, b.id])).toHaveLength(2);
    await ctx.worker.drainNow();
    expect(await jobsFor('document', [a.id, b.id])).toEqual([]);
    expect(await searchDocuments(word)).toEqual([a.id, b.id].sort((x, y) => x - y));
  });

  it('finds a document by a Chinese word of its title and body', async () => {
    const doc = await buildDocument(ctx.services, admin, {
      organ_id: organId,
      title: '关于进一步规范食品药品监督管理工作的意见',
      body: '为加强食品药品安全监管，保障人民群众身体健康，现提出如下意见。',
    });
    await ctx.worker.drainNow();
    expect(await searchDocuments('食品药品')).toContain(doc.id);
  });

  it('follows changes: a new title is found, the old one is not', async () => {
    const before = uniqueWord();
    const after = uniqueWord();
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId, title: `旧标题 ${before}` });
    await ctx.worker.drainNow();
    expect(await searchDocuments(before)).toEqual([doc.id]);
    await ctx.services.documents.update(admin, doc.id, { title: `新标题 ${after}` });
    await ctx.worker.drainNow();
    expect(await searchDocuments(after)).toEqual([doc.id]);
    expect(await searchDocuments(before)).toEqual([]);
  });

  it('indexes interpretations and the interpretation titles of their documents', async () => {
    const word = uniqueWord();
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId });
    const interpretation = await buildInterpretation(ctx.services, admin, [doc.id], { title: `政策解读 ${word}` });
    await ctx.worker.drainNow();
    expect(await searchIds('interpretation', word)).toEqual([interpretation.id]);
    // The document is found by the title of its interpretation.
    expect(await searchDocuments(word)).toEqual([doc.id]);
  });

  it('removes a document from the index when its row is gone', async () => {
    const word = uniqueWord();
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId, title: `将被删除的文件 ${word}` });
    await ctx.worker.drainNow();
    expect(await searchDocuments(word)).toEqual([doc.id]);
    await ctx.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('documents').where('id', '=', doc.id).execute();
      await trx.insertInto('index_jobs').values({ entity: 'document', entity_id: doc.id }).execute();
    });
    await ctx.worker.drainNow();
    expect(await searchDocuments(word)).toEqual([]);
  });
});

describe('a Meilisearch outage loses nothing', () => {
  it('failed jobs stay in the outbox with attempts counted; the real worker then applies them all', async () => {
    const word = uniqueWord();
    const changed = uniqueWord();
    // Writes made while the index is down: creates, a change, a repeal and an interpretation.
    const a = await buildDocument(ctx.services, admin, { organ_id: organId, title: `停机期间登记 ${word}` });
    const b = await buildDocument(ctx.services, admin, { organ_id: organId, title: `停机期间登记 ${word}` });
    const c = await buildDocument(ctx.services, admin, { organ_id: organId, title: `停机期间待改 ${word}` });
    await ctx.services.documents.update(admin, c.id, { title: `停机期间改过 ${changed}` });
    await ctx.services.documents.repeal(admin, b.id, { repealed_on: '2023-06-01' });
    const interpretation = await buildInterpretation(ctx.services, admin, [a.id], { title: `停机期间的解读 ${word}` });
    const ids = [a.id, b.id, c.id];
    const pending = await jobsFor('document', ids);
    expect(pending.length).toBeGreaterThanOrEqual(3);
    expect(pending.every((j) => j.attempts === 0)).toBe(true);

    // The outage: draining does not throw, and every job is kept with its attempt and error recorded.
    await expect(downWorker.drainNow()).resolves.toBeUndefined();
    const failed = await jobsFor('document', ids);
    expect(failed.map((j) => j.id)).toEqual(pending.map((j) => j.id));
    expect(failed.every((j) => j.attempts === 1)).toBe(true);
    expect(failed.every((j) => typeof j.last_error === 'string' && j.last_error.length > 0)).toBe(true);
    const due = await sql<{ later: boolean }>`select bool_and(run_after > now()) as later from index_jobs where id in (${sql.join(
      failed.map((j) => j.id),
    )})`.execute(ctx.db);
    expect(due.rows[0]?.later).toBe(true);
    expect(await jobsFor('interpretation', [interpretation.id])).toHaveLength(1);
    // Nothing reached the real index, and the documents themselves are safe in PostgreSQL.
    expect(await searchDocuments(word)).toEqual([]);
    const rows = await ctx.db.selectFrom('documents').select('id').where('id', 'in', ids).execute();
    expect(rows).toHaveLength(3);

    // A second failed round counts a second attempt.
    await makeJobsDue();
    await downWorker.drainNow();
    expect((await jobsFor('document', ids)).every((j) => j.attempts === 2)).toBe(true);

    // Meilisearch is back: the real worker applies everything once the backoff has passed.
    await makeJobsDue();
    await ctx.worker.drainNow();
    expect(await jobsFor('document', ids)).toEqual([]);
    expect(await jobsFor('interpretation', [interpretation.id])).toEqual([]);
    expect(await searchDocuments(word)).toEqual([a.id, b.id].sort((x, y) => x - y));
    expect(await searchDocuments(changed)).toEqual([c.id]);
    expect(await searchIds('interpretation', word)).toEqual([interpretation.id]);
  });

  it('jobs that are not yet due are left alone by a drain', async () => {
    const word = uniqueWord();
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId, title: `推迟的任务 ${word}` });
    await sql`update index_jobs set run_after = now() + interval '1 hour' where entity = 'document' and entity_id = ${doc.id}`.execute(ctx.db);
    await ctx.worker.drainNow();
    expect(await jobsFor('document', [doc.id])).toHaveLength(1);
    expect(await searchDocuments(word)).toEqual([]);
    await makeJobsDue();
    await ctx.worker.drainNow();
    expect(await searchDocuments(word)).toEqual([doc.id]);
  });

  it('the index can be rebuilt from PostgreSQL after it was lost', async () => {
    const word = uniqueWord();
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId, title: `重建索引 ${word}` });
    await ctx.worker.drainNow();
    for (const uid of indexUids()) await ctx.indexes.client.index(uid).deleteAllDocuments().waitTask();
    expect(await searchDocuments(word)).toEqual([]);
    // Re-queue every document, as a reindex does, and drain.
    await sql`insert into index_jobs (entity, entity_id) select 'document', id from documents`.execute(ctx.db);
    await ctx.worker.drainNow();
    expect(await searchDocuments(word)).toEqual([doc.id]);
  });
});

describe('queueing index jobs', () => {
  const jobsOf = async (ids: number[]) =>
    Number(
      (await ctx.db.selectFrom('index_jobs').select((eb) => eb.fn.countAll<string>().as('n')).where('entity', '=', 'interpretation').where('entity_id', 'in', ids.slice(0, 3)).executeTakeFirstOrThrow()).n,
    );

  it('queues more entities at once than PostgreSQL takes parameters, and skips queued ones when asked', async () => {
    const ids = Array.from({ length: 40_000 }, (_, i) => 50_000_000 + i);
    try {
      await ctx.db.transaction().execute((trx) => enqueueIndexJobs(trx, 'interpretation', ids));
      const total = async () =>
        Number((await ctx.db.selectFrom('index_jobs').select((eb) => eb.fn.countAll<string>().as('n')).where('entity_id', '>=', 50_000_000).executeTakeFirstOrThrow()).n);
      expect(await total()).toBe(40_000);
      await ctx.db.transaction().execute((trx) => enqueueIndexJobs(trx, 'interpretation', [...ids.slice(0, 10), 60_000_000], { unlessQueued: true }));
      expect(await total()).toBe(40_001);
      expect(await jobsOf(ids)).toBe(3);
      await ctx.db.transaction().execute((trx) => enqueueIndexJobs(trx, 'interpretation', ids.slice(0, 1)));
      expect(await jobsOf(ids)).toBe(4);
    } finally {
      await ctx.db.deleteFrom('index_jobs').where('entity_id', '>=', 50_000_000).execute();
    }
  });
});
