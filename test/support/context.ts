import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import supertest from 'supertest';
import { inject } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createDb, type Db } from '../../src/db/database.js';
import type { Role } from '../../src/db/tables.js';
import { createLogger } from '../../src/logger.js';
import { createMeiliClient } from '../../src/platform/meili.js';
import { createLocalStorage } from '../../src/platform/storage.js';
import type { Actor } from '../../src/features/accounts/actor.js';
import { fixedClock, systemClock, type Clock } from '../../src/platform/clock.js';
import { createServices, type Services } from '../../src/services.js';
import { createIndexWorker, type IndexWorker } from '../../src/features/search/index-worker.js';
import { dropIndexes, indexNames, type SearchIndexes } from '../../src/features/search/search-index.js';

const TEMPLATE_DATABASE = 'gfwj_template';

export interface TestContext {
  config: Config;
  db: Db;
  services: Services;
  indexes: SearchIndexes;
  worker: IndexWorker;
  /** The day the services and the worker see. */
  clock: Clock;
  request: () => supertest.Agent;
  app: ReturnType<typeof createApp>;
  /** A staff member and a bearer token for them. */
  user: (role?: Role) => Promise<{ actor: Actor; token: string }>;
  close: () => Promise<void>;
}

/** A clock the test can move: `clock.set('2024-01-01')`. */
export interface MovableClock extends Clock {
  set(day: string | null): void;
}

export function movableClock(timeZone = 'Asia/Shanghai'): MovableClock {
  let fixed: Clock | null = null;
  const system = systemClock(timeZone);
  return {
    today: () => (fixed ?? system).today(),
    set: (day) => {
      fixed = day ? fixedClock(day) : null;
    },
  };
}

/**
 * A real database (cloned from the migrated template) and real Meilisearch indexes with a prefix of
 * their own, so test files run side by side without seeing each other's records.
 */
export async function createTestContext(options: { clock?: Clock; env?: Record<string, string> } = {}): Promise<TestContext> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const urlOf = (database: string) => inject('pgUrlPattern').replace('{db}', database);
  const admin = new pg.Client({ connectionString: urlOf('postgres') });
  await admin.connect();
  await admin.query(`create database ${name} template ${TEMPLATE_DATABASE}`);
  await admin.end();

  const storageDir = await mkdtemp(path.join(os.tmpdir(), 'gfwj-files-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: inject('dataDir'),
    DATABASE_URL: urlOf(name),
    MEILI_URL: inject('meiliUrl'),
    MEILI_MASTER_KEY: inject('meiliKey'),
    MEILI_INDEX_PREFIX: `${name}_`,
    STORAGE_DIR: storageDir,
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    // Tests send many requests from one address; the tests of the limits set their own.
    RATE_LIMIT_SIGNIN_PER_MIN: '1000000',
    RATE_LIMIT_API_PER_MIN: '1000000',
    ...options.env,
  });
  const logger = createLogger(config.logLevel);
  const db = createDb(urlOf(name), { max: 5 });
  const indexes = indexNames(createMeiliClient(inject('meiliUrl'), inject('meiliKey')), config.meili.indexPrefix);
  const clock = options.clock ?? systemClock(config.timeZone);
  const services = createServices({ db, indexes, storage: createLocalStorage(storageDir), clock, tokenTtlDays: config.tokenTtlDays });
  const worker = createIndexWorker({ db, indexes, logger, clock });
  const app = createApp({ config, services, logger });
  let users = 0;

  return {
    config,
    db,
    services,
    indexes,
    worker,
    clock,
    app,
    request: () => supertest.agent(app),
    async user(role: Role = 'admin') {
      const username = `${role}${++users}`;
      const password = `pw-${randomBytes(8).toString('hex')}`;
      const userId = await services.users.create(null, { username, password, role });
      const { token } = await services.auth.issueToken(username, password, '127.0.0.1');
      return { actor: { userId, username, role, ip: '127.0.0.1' }, token };
    },
    async close() {
      await worker.stop();
      await db.destroy();
      await dropIndexes(indexes);
      const cleanup = new pg.Client({ connectionString: urlOf('postgres') });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
      await rm(storageDir, { recursive: true, force: true });
    },
  };
}
