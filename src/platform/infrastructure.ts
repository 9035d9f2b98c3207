import path from 'node:path';
import pg from 'pg';
import type { Config } from '../config.js';
import { createDb, type Db } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import type { Lifecycle } from '../lifecycle.js';
import type { Logger } from '../logger.js';
import { startEmbeddedMeilisearch } from './embedded-meilisearch.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';

export interface Infrastructure {
  databaseUrl: string;
  /** Empty when search was not asked for. */
  meiliUrl: string;
  meiliKey: string | undefined;
}

const EMBEDDED_DATABASE = 'gfwj';

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

/**
 * PostgreSQL and Meilisearch: the configured servers, or embedded ones under DATA_DIR. If the second
 * fails to start, the first is stopped again, so a failed start leaves no process behind.
 */
export async function startInfrastructure(
  config: Config,
  logger: Logger,
  register: (stop: () => Promise<void>) => void,
  needs: { search: boolean } = { search: true },
): Promise<Infrastructure> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((error: unknown) => logger.error({ err: error }, 'stop failed'));
  };
  register(stopAll);
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const embedded = await startEmbeddedPostgres(path.join(config.dataDir, 'pg'), logger);
    stops.push(embedded.stop);
    await ensureDatabase(embedded.url('postgres'), EMBEDDED_DATABASE);
    databaseUrl = embedded.url(EMBEDDED_DATABASE);
  }
  let meiliUrl = config.meili.url;
  let meiliKey = config.meili.masterKey;
  if (!meiliUrl && needs.search) {
    const embedded = await startEmbeddedMeilisearch(
      path.join(config.dataDir, 'meili'),
      { binary: config.meili.binary, maxIndexingMemory: config.meili.maxIndexingMemory },
      logger,
    );
    stops.push(embedded.stop);
    meiliUrl = embedded.url;
    meiliKey = embedded.masterKey;
  }
  return { databaseUrl, meiliUrl: meiliUrl ?? '', meiliKey };
}

/**
 * What the server and every script start with: the services (embedded or configured), a pool on the
 * database, and the schema migrated; each registered with the lifecycle as soon as it exists.
 */
export async function openDatabase(
  config: Config,
  logger: Logger,
  lifecycle: Lifecycle,
  options: { search: boolean; maxConnections?: number },
): Promise<{ infra: Infrastructure; db: Db; applied: string[] }> {
  const started = Date.now();
  const infra = await startInfrastructure(config, logger, (stop) => lifecycle.add('embedded services', stop), { search: options.search });
  logger.info({ ms: Date.now() - started }, 'services ready');
  const db = createDb(infra.databaseUrl, options.maxConnections === undefined ? {} : { max: options.maxConnections });
  lifecycle.add('database pool', () => db.destroy());
  const applied = await migrateToLatest(db);
  if (applied.length) logger.info({ migrations: applied }, 'migrations applied');
  return { infra, db, applied };
}
