import { Index, type EnqueuedTaskPromise } from 'meilisearch';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/logger.js';
import type { Actor } from '../../src/features/accounts/actor.js';
import { createIndexWorker } from '../../src/features/search/index-worker.js';
import { rebuildIndexName, type SearchRecord } from '../../src/features/search/search-index.js';
import { rebuildSearchIndex, type RebuildProgress } from '../../src/features/search/search-rebuild.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { foundKeys, uniqueWord } from '../support/search.js';
import { buildDocument, buildInterpretation, buildOrgan } from '../support/factories.js';

let ctx: TestContext;
let admin: Actor;
let organId: number;

beforeAll(async () => {
  ctx = await createTestContext();
  admin = (await ctx.user('admin')).actor;
  organId = (await buildOrgan(ctx.services, admin)).id;
});
afterAll(() => ctx?.close());

describe('npm run reindex (rebuildSearchIndex)', () => {
  it('rebuilds from PostgreSQL into a new index, swaps it in and removes the old one', async () => {
    const word = uniqueWord();
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId, title: `重建 ${word}` });
    const interpretation = await buildInterpretation(ctx.services, admin, [doc.id], { title: `重建解读 ${word}` });
    // Not applied by the worker: only the rebuild puts them in.
    await ctx.db.deleteFrom('index_jobs').execute();
    const phases: RebuildProgress['phase'][] = [];
    const result = await rebuildSearchIndex(ctx.db, ctx.indexes, ctx.clock.today(), (p) => {
      if (phases.at(-1) !== p.phase) phases.push(p.phase);
    });
    expect(phases).toEqual(['reading', 'indexing', 'swapping']);
    expect(result).toMatchObject({ documents: 1, interpretations: 1, records: 2, requeued: 0 });
    expect(await foundKeys(ctx.services, word)).toEqual([`document:${doc.id}`, `interpretation:${interpretation.id}`].sort());
    const { results } = await ctx.indexes.client.getIndexes({ limit: 1000 });
    expect(results.map((i) => i.uid)).not.toContain(rebuildIndexName(ctx.indexes));
  });

  it('keeps answering searches while it runs, and a change made meanwhile is not lost by the swap', async () => {
    const stable = uniqueWord();
    const before = uniqueWord();
    const after = uniqueWord();
    const kept = await buildDocument(ctx.services, admin, { organ_id: organId, title: `一直能找到 ${stable}` });
    const changed = await buildDocument(ctx.services, admin, { organ_id: organId, title: `改名前 ${before}` });
    for (let i = 0; i < 30; i++) await buildDocument(ctx.services, admin, { organ_id: organId, title: `填充文件 ${stable}` });
    await ctx.worker.drainNow();

    const answers: string[][] = [];
    let changedMidway = false;
    const result = await rebuildSearchIndex(ctx.db, ctx.indexes, ctx.clock.today(), async (p) => {
      // Searches go on against the live index throughout.
      answers.push(await foundKeys(ctx.services, stable));
      if (p.phase === 'reading' && !changedMidway) {
        changedMidway = true;
        // Committed after the rebuild's snapshot, applied by the worker to the index still live.
        await ctx.services.documents.update(admin, changed.id, { title: `改名后 ${after}` });
        await ctx.worker.drainNow();
        expect(await foundKeys(ctx.services, after)).toEqual([`document:${changed.id}`]);
      }
    });
    answers.push(await foundKeys(ctx.services, stable));
    expect(answers.length).toBeGreaterThanOrEqual(4);
    for (const ids of answers) expect(ids).toContain(`document:${kept.id}`);
    expect(answers.every((ids) => ids.length === 31)).toBe(true);

    // The new index was read from the snapshot, before the change; the change is queued again.
    expect(result.requeued).toBeGreaterThanOrEqual(1);
    await ctx.worker.drainNow();
    expect(await foundKeys(ctx.services, after)).toEqual([`document:${changed.id}`]);
    expect(await foundKeys(ctx.services, before)).toEqual([]);
  });

  it('refuses to run twice at once', async () => {
    let second: Promise<unknown> | undefined;
    await rebuildSearchIndex(ctx.db, ctx.indexes, ctx.clock.today(), async (p) => {
      if (p.phase === 'indexing' && !second) {
        second = rebuildSearchIndex(ctx.db, ctx.indexes, ctx.clock.today());
        await expect(second).rejects.toThrow(/另一个重建索引的任务正在运行/);
      }
    });
    expect(second).toBeDefined();
  });
});

/**
 * Counts the records sent to the live index, by id, and holds the first sending until `release` is
 * called or another sending arrives: the first worker has then claimed its jobs and keeps its
 * transaction open while the others look for work, whatever the timing of the run.
 */
function holdFirstSending() {
  const sent = new Map<string, number>();
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let reached!: () => void;
  const firstReached = new Promise<void>((resolve) => (reached = resolve));
  let sendings = 0;
  const original = Index.prototype.addDocuments;
  const spy = vi.spyOn(Index.prototype, 'addDocuments').mockImplementation(function (this: Index, records, options) {
    if (this.uid !== ctx.indexes.search) return original.call(this, records, options);
    for (const { id } of records as SearchRecord[]) sent.set(id, (sent.get(id) ?? 0) + 1);
    sendings += 1;
    if (sendings === 1) reached();
    else release();
    // Wrapped, so that the task promise is not unwrapped before its waitTask is needed.
    const task = (sendings === 1 ? released : Promise.resolve()).then(() => ({ enqueued: original.call(this, records, options) }));
    return Object.assign(
      task.then((t) => t.enqueued),
      { waitTask: (wait?: Parameters<EnqueuedTaskPromise['waitTask']>[0]) => task.then((t) => t.enqueued.waitTask(wait)) },
    );
  });
  return { sent, firstReached, release, restore: () => spy.mockRestore() };
}

describe('the index worker', () => {
  it('several workers draining the same jobs at once send each record to Meilisearch exactly once', async () => {
    const word = uniqueWord();
    const others = [1, 2].map(() => createIndexWorker({ db: ctx.db, indexes: ctx.indexes, logger: createLogger('silent'), clock: ctx.clock }));
    const made = [];
    for (let i = 0; i < 40; i++) made.push(await buildDocument(ctx.services, admin, { organ_id: organId, title: `并发 ${word}` }));
    // Two updates of one document queued after each other: the later title must win.
    await ctx.services.documents.update(admin, made[0]!.id, { title: `并发 改一 ${word}` });
    await ctx.services.documents.update(admin, made[0]!.id, { title: `并发 改二 ${word}` });

    const sending = holdFirstSending();
    try {
      const first = ctx.worker.drainNow();
      await Promise.race([sending.firstReached, first]);
      // The first worker is in the middle of its batch; the others look for work meanwhile.
      await Promise.all([first, ...others.map((w) => w.drainNow().finally(sending.release))]);
      // Had a job been skipped because another worker held its document, this would apply it.
      await ctx.worker.drainNow();
    } finally {
      sending.restore();
      await Promise.all(others.map((w) => w.stop()));
    }

    expect(await ctx.db.selectFrom('index_jobs').select('id').execute()).toEqual([]);
    expect(made.map((d) => `d${d.id}-0 ×${sending.sent.get(`d${d.id}-0`) ?? 0}`)).toEqual(made.map((d) => `d${d.id}-0 ×1`));
    const found = await foundKeys(ctx.services, word);
    expect(found).toEqual(made.map((d) => `document:${d.id}`).sort());
    expect((await foundKeys(ctx.services, '改二')).includes(`document:${made[0]!.id}`)).toBe(true);
  });
});
