import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/features/accounts/actor.js';
import { rebuildIndexName, type SearchRecord } from '../../src/features/search/search-index.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { foundKeys, uniqueWord } from '../support/search.js';
import { buildDocument, buildInterpretation, buildOrgan } from '../support/factories.js';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

let ctx: TestContext;
let admin: Actor;
let organId: number;
/** DATA_DIR of the script: empty, so that nothing embedded could share the test's services. */
let dataDir: string;

beforeAll(async () => {
  ctx = await createTestContext();
  admin = (await ctx.user('admin')).actor;
  organId = (await buildOrgan(ctx.services, admin)).id;
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'gfwj-reindex-'));
});
afterAll(async () => {
  await ctx?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** `npm run reindex` against the test's PostgreSQL database and Meilisearch indexes. */
async function runReindex() {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/reindex.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      DATABASE_URL: ctx.config.databaseUrl,
      MEILI_URL: ctx.config.meili.url,
      MEILI_MASTER_KEY: ctx.config.meili.masterKey,
      MEILI_INDEX_PREFIX: ctx.config.meili.indexPrefix,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stdout, stderr };
}

/** Every record id in the live index. */
async function liveRecordIds(): Promise<string[]> {
  const { results } = await ctx.indexes.client.index<SearchRecord>(ctx.indexes.search).getDocuments({ fields: ['id'], limit: 10_000 });
  return results.map((r) => r.id).sort();
}

describe('npm run reindex (scripts/reindex.ts)', () => {
  // The script runs in a child process that compiles it with tsx first: slow on a busy machine.
  it('rebuilds the live index from PostgreSQL: what the worker never applied is added, what PostgreSQL lacks is gone', async () => {
    const word = uniqueWord();
    const indexed = await buildDocument(ctx.services, admin, { organ_id: organId, title: `已索引 ${word}` });
    await ctx.worker.drainNow();
    // Written to PostgreSQL, but its index job is lost: only a rebuild can put it in.
    const missing = await buildDocument(ctx.services, admin, { organ_id: organId, title: `漏索引 ${word}` });
    const interpretation = await buildInterpretation(ctx.services, admin, [missing.id], { title: `漏索引解读 ${word}` });
    await ctx.db.deleteFrom('index_jobs').execute();
    // A record of a document PostgreSQL does not hold.
    const [orphan] = await ctx.indexes.client.index<SearchRecord>(ctx.indexes.search).getDocuments({ filter: `group = "d${indexed.id}"`, limit: 1 }).then((r) => r.results);
    await ctx.indexes.client
      .index(ctx.indexes.search)
      .addDocuments([{ ...orphan!, id: 'd999999-0', group: 'd999999', ref_id: 999999, title: `孤儿记录 ${word}` }])
      .waitTask();
    expect(await liveRecordIds()).toEqual([`d${indexed.id}-0`, 'd999999-0'].sort());

    const run = await runReindex();

    expect(run.code, run.stderr).toBe(0);
    // It used the configured services; embedded ones would have made their data directories here.
    expect(await readdir(dataDir)).toEqual([]);
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      documents: 2,
      interpretations: 1,
      records: 3,
      requeued: 0,
      index: ctx.indexes.search,
    });
    // The progress bar as it starts and as it stops, then the summary.
    const progress = run.stderr.split('\n');
    expect(progress[0]).toMatch(/^读取并写入新索引 \|.*\| \d\/3 件/);
    expect(progress).toContainEqual(expect.stringMatching(/^切换到新索引 \|.*\| 1\/1 件/));
    expect(progress).toContain('索引已重建并切换：2 件文件、1 件解读。');
    expect(await liveRecordIds()).toEqual([`d${indexed.id}-0`, `d${missing.id}-0`, `i${interpretation.id}-0`].sort());
    expect(await foundKeys(ctx.services, word)).toEqual([`document:${indexed.id}`, `document:${missing.id}`, `interpretation:${interpretation.id}`].sort());
    const { results } = await ctx.indexes.client.getIndexes({ limit: 1000 });
    expect(results.map((i) => i.uid)).not.toContain(rebuildIndexName(ctx.indexes));
  }, 120_000);
});
