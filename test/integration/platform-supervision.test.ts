import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createDb, type Db } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';
import { startEmbeddedMeilisearch, type EmbeddedMeiliHandle } from '../../src/platform/embedded-meilisearch.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/platform/embedded-postgres.js';
import { createHealthService } from '../../src/platform/health.service.js';
import { createMeiliClient } from '../../src/platform/meili.js';
import { createLocalStorage } from '../../src/platform/storage.js';
import { systemClock } from '../../src/platform/clock.js';
import { indexNames } from '../../src/features/search/search-index.js';
import { createServices } from '../../src/services.js';

/** Bound on every wait for a restart: the supervisor's first retries come after 1 s, 2 s, 4 s… */
const RECOVERY_BOUND_MS = 60_000;

let dir: string;
let meili: EmbeddedMeiliHandle;
let postgres: EmbeddedPostgresHandle;
const logger = createLogger(process.env['TEST_LOG_LEVEL'] ?? 'silent');

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gfwj-supervise-'));
  // As root, embedded-postgres runs the server as a 'postgres' user, which must be able to enter here.
  await chmod(dir, 0o755);
  [meili, postgres] = await Promise.all([
    startEmbeddedMeilisearch(path.join(dir, 'meili'), {}, logger),
    startEmbeddedPostgres(path.join(dir, 'pg'), logger),
  ]);
});
afterAll(async () => {
  await Promise.allSettled([meili?.stop(), postgres?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const meiliPid = async () => Number.parseInt(await readFile(path.join(dir, 'meili', 'meilisearch.pid'), 'utf8'), 10);
const postmasterPid = async () => Number.parseInt((await readFile(path.join(dir, 'pg', 'data', 'postmaster.pid'), 'utf8')).split('\n')[0]!, 10);

const meiliHealthy = async () => {
  try {
    const res = await fetch(`${meili.url}/health`, { headers: { Connection: 'close' }, signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
};

/** A new connection and one query; false while the server is away. */
async function pgAnswers(database = 'postgres'): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgres.url(database), connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Polls every 100 ms until `check` holds; the time it took, or an error past `bound`. */
async function pollUntil(check: () => Promise<boolean>, bound: number, what: string): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > bound) throw new Error(`${what}: not within ${bound} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - started;
}

describe('embedded Meilisearch is supervised', () => {
  it('killed with SIGKILL, it comes back on the same URL with its data', async () => {
    const client = createMeiliClient(meili.url, meili.masterKey);
    await client.createIndex('supervised', { primaryKey: 'id' }).waitTask({ timeout: 20_000 });
    await client.index('supervised').addDocuments([{ id: 1, title: '监管测试文件' }]).waitTask({ timeout: 20_000 });
    expect(await meiliHealthy()).toBe(true);

    const url = meili.url;
    const pid = await meiliPid();
    expect(pid).toBeGreaterThan(1);
    const killed = Date.now();
    process.kill(pid, 'SIGKILL');
    const downAfterMs = await pollUntil(async () => !(await meiliHealthy()), 5000, 'Meilisearch still answering after SIGKILL');
    await pollUntil(meiliHealthy, RECOVERY_BOUND_MS, 'Meilisearch did not come back');
    const recoveredMs = Date.now() - killed;

    expect(meili.url).toBe(url);
    const newPid = await meiliPid();
    expect(newPid).not.toBe(pid);
    const doc = await client.index('supervised').getDocument(1);
    expect(doc).toMatchObject({ id: 1, title: '监管测试文件' });
    const found = await client.index('supervised').search('监管');
    expect(found.hits.map((h) => h['id'])).toEqual([1]);
    console.log(JSON.stringify({ service: 'meilisearch', down_observed_ms: downAfterMs, recovered_ms: recoveredMs, old_pid: pid, new_pid: newPid }));
  }, RECOVERY_BOUND_MS + 30_000);
});

describe('embedded PostgreSQL is supervised', () => {
  it('killed with SIGKILL, it comes back on the same URL with its data', async () => {
    const setup = new pg.Client({ connectionString: postgres.url('postgres') });
    await setup.connect();
    await setup.query('create table supervised (id int primary key, title text not null)');
    await setup.query(`insert into supervised values (1, '监管测试文件')`);
    await setup.end();

    const url = postgres.url('postgres');
    const pid = await postmasterPid();
    expect(pid).toBeGreaterThan(1);
    const killed = Date.now();
    process.kill(pid, 'SIGKILL');
    const downAfterMs = await pollUntil(async () => !(await pgAnswers()), 5000, 'PostgreSQL still answering after SIGKILL');
    await pollUntil(() => pgAnswers(), RECOVERY_BOUND_MS, 'PostgreSQL did not come back');
    const recoveredMs = Date.now() - killed;

    expect(postgres.url('postgres')).toBe(url);
    const newPid = await postmasterPid();
    expect(newPid).not.toBe(pid);
    const check = new pg.Client({ connectionString: url });
    await check.connect();
    try {
      const { rows } = await check.query('select id, title from supervised');
      expect(rows).toEqual([{ id: 1, title: '监管测试文件' }]);
    } finally {
      await check.end();
    }
    console.log(JSON.stringify({ service: 'postgresql', down_observed_ms: downAfterMs, recovered_ms: recoveredMs, old_pid: pid, new_pid: newPid }));
  }, RECOVERY_BOUND_MS + 30_000);
});

describe('health while an embedded service is down', () => {
  let db: Db;
  let storageDir: string;
  let app: supertest.Agent;
  let health: ReturnType<typeof createHealthService>;

  beforeAll(async () => {
    db = createDb(postgres.url('postgres'), { max: 2 });
    storageDir = await mkdtemp(path.join(os.tmpdir(), 'gfwj-supervise-files-'));
    const indexes = indexNames(createMeiliClient(meili.url, meili.masterKey), 'supervise_');
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: postgres.url('postgres'),
      MEILI_URL: meili.url,
      MEILI_MASTER_KEY: meili.masterKey,
      MEILI_INDEX_PREFIX: 'supervise_',
      STORAGE_DIR: storageDir,
      DATA_DIR: dir,
      LOG_LEVEL: 'silent',
    });
    const services = createServices({ db, indexes, storage: createLocalStorage(storageDir), clock: systemClock(config.timeZone) });
    health = createHealthService({ db, indexes });
    app = supertest.agent(createApp({ config, services, logger }));
  });
  afterAll(async () => {
    await db?.destroy();
    if (storageDir) await rm(storageDir, { recursive: true, force: true });
  });

  it('/healthz is degraded (503) while Meilisearch is down, then ok again on its own', async () => {
    expect((await app.get('/healthz').expect(200)).body).toEqual({ status: 'ok', db: true, search: true });
    const killed = Date.now();
    process.kill(await meiliPid(), 'SIGKILL');
    await pollUntil(async () => (await app.get('/healthz')).status === 503, 5000, '/healthz did not notice Meilisearch was gone');
    const degraded = await app.get('/healthz');
    expect(degraded.status).toBe(503);
    expect(degraded.body).toEqual({ status: 'degraded', db: true, search: false });
    expect(await health.check()).toEqual({ status: 'degraded', db: true, search: false });

    await pollUntil(async () => (await app.get('/healthz')).status === 200, RECOVERY_BOUND_MS, '/healthz did not recover');
    const recoveredMs = Date.now() - killed;
    expect((await app.get('/healthz').expect(200)).body).toEqual({ status: 'ok', db: true, search: true });
    console.log(JSON.stringify({ service: 'meilisearch', via: '/healthz', recovered_ms: recoveredMs }));
  }, RECOVERY_BOUND_MS + 30_000);

  it('/healthz is degraded (503) while PostgreSQL is down, then ok again on its own', async () => {
    expect((await app.get('/healthz').expect(200)).body).toEqual({ status: 'ok', db: true, search: true });
    const killed = Date.now();
    process.kill(await postmasterPid(), 'SIGKILL');
    await pollUntil(async () => (await app.get('/healthz')).status === 503, 5000, '/healthz did not notice PostgreSQL was gone');
    expect((await app.get('/healthz')).body).toMatchObject({ status: 'degraded', db: false });

    await pollUntil(async () => (await app.get('/healthz')).status === 200, RECOVERY_BOUND_MS, '/healthz did not recover');
    const recoveredMs = Date.now() - killed;
    expect((await app.get('/healthz').expect(200)).body).toEqual({ status: 'ok', db: true, search: true });
    console.log(JSON.stringify({ service: 'postgresql', via: '/healthz', recovered_ms: recoveredMs }));
  }, RECOVERY_BOUND_MS + 30_000);
});
