import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDb } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createLogger } from '../../src/logger.js';
import { startEmbeddedMeilisearch } from '../../src/platform/embedded-meilisearch.js';
import { startEmbeddedPostgres } from '../../src/platform/embedded-postgres.js';

export const TEMPLATE_DATABASE = 'gfwj_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrlPattern: string;
    meiliUrl: string;
    meiliKey: string;
    dataDir: string;
  }
}

export default async function setup(project: TestProject) {
  const logger = createLogger(process.env['TEST_LOG_LEVEL'] ?? 'warn');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gfwj-test-'));
  // As root, embedded-postgres runs the server as a 'postgres' user, which must be able to enter here.
  await chmod(dataDir, 0o755);
  const started = Date.now();
  const [postgres, meili] = await Promise.all([
    startEmbeddedPostgres(path.join(dataDir, 'pg'), logger),
    startEmbeddedMeilisearch(path.join(dataDir, 'meili'), {}, logger),
  ]);
  const stop = async () => {
    await Promise.all([postgres.stop(), meili.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const admin = new pg.Client({ connectionString: postgres.url('postgres') });
    await admin.connect();
    await admin.query(`create database ${TEMPLATE_DATABASE}`);
    await admin.end();
    const template = createDb(postgres.url(TEMPLATE_DATABASE), { max: 1 });
    await migrateToLatest(template).finally(() => template.destroy());
  } catch (error) {
    await stop();
    throw error;
  }
  logger.info({ ms: Date.now() - started }, 'test services ready');

  project.provide('pgUrlPattern', postgres.url('{db}'));
  project.provide('meiliUrl', meili.url);
  project.provide('meiliKey', meili.masterKey);
  project.provide('dataDir', dataDir);

  return stop;
}
