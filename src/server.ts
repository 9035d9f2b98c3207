import type { Server } from 'node:http';
import pg from 'pg';
import { createApp } from './app.js';
import type { Config } from './config.js';
import type { Db } from './db/database.js';
import type { Lifecycle } from './lifecycle.js';
import type { Logger } from './logger.js';
import { openDatabase } from './platform/infrastructure.js';
import { createExtractorPool } from './platform/extractor.js';
import { createMeiliClient } from './platform/meili.js';
import { createLocalStorage } from './platform/storage.js';
import { INDEX_JOBS_CHANNEL } from './features/search/index-job.repository.js';
import { systemClock } from './platform/clock.js';
import { createServices, type Services } from './services.js';
import { createIndexWorker, type IndexWorker } from './features/search/index-worker.js';
import { indexNames } from './features/search/search-index.js';
import { ocrAvailable, OCR_PACKAGES } from './platform/ocr-tools.js';

export interface Running {
  url: string;
  db: Db;
  services: Services;
  worker: IndexWorker;
  server: Server;
}

/**
 * Wires config → services (embedded or remote) → database → search → app → listen, registering each
 * part's shutdown with the lifecycle as soon as it exists.
 */
export async function startServer(config: Config, logger: Logger, lifecycle: Lifecycle): Promise<Running> {
  const started = Date.now();
  const { infra, db } = await openDatabase(config, logger, lifecycle, { search: true });

  const indexes = indexNames(createMeiliClient(infra.meiliUrl, infra.meiliKey), config.meili.indexPrefix);
  const storage = createLocalStorage(config.storageDir);
  const extractor = createExtractorPool();
  lifecycle.add('extractor', () => extractor.close());
  const clock = systemClock(config.timeZone);
  const services = createServices({ db, indexes, storage, clock, extractor, tokenTtlDays: config.tokenTtlDays });

  const admin = await services.auth.ensureInitialAdmin(config.admin.username, config.admin.password);
  if (admin.generatedPassword) {
    // Printed once, to the console only: the logger may ship lines elsewhere.
    process.stdout.write(
      `\n首次启动：已创建管理员账号 ${config.admin.username}，初始密码 ${admin.generatedPassword}\n请登录后尽快修改；此密码不会再次显示。\n\n`,
    );
  }

  const worker = createIndexWorker({ db, indexes, logger, clock });
  worker.start();
  lifecycle.add('index worker', () => worker.stop());
  // Commits that write index jobs NOTIFY this channel, from any app process; the poll is the fallback.
  const listener = new pg.Client({ connectionString: infra.databaseUrl });
  listener.on('notification', () => worker.nudge());
  listener.on('error', (error) => logger.warn({ err: error }, 'index notification listener failed; polling only'));
  await listener.connect();
  await listener.query(`listen ${INDEX_JOBS_CHANNEL}`);
  lifecycle.add('notification listener', () => listener.end());

  // Uploads staged for a registration nobody finished are forgotten after a day.
  const sweepStaged = () =>
    services.documents.sweepStagedUploads().then(
      (removed) => removed > 0 && logger.info({ removed }, 'swept staged uploads'),
      (error: unknown) => logger.warn({ err: error }, 'could not sweep staged uploads'),
    );
  void sweepStaged();
  const sweeping = setInterval(sweepStaged, 3600_000);
  sweeping.unref();
  lifecycle.add('staged upload sweep', async () => clearInterval(sweeping));

  const app = createApp({ config, services, logger });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  // Slow clients must not hold sockets for ever.
  server.requestTimeout = 120_000;
  server.headersTimeout = 20_000;
  server.keepAliveTimeout = 5_000;
  lifecycle.add('http server', () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 5000).unref();
  }));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = config.publicUrl ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  logger.info({ url, startupMs: Date.now() - started }, 'listening');
  if (!ocrAvailable()) logger.warn(`OCR off: scans are stored without text and images refused; install ${OCR_PACKAGES}`);
  return { url, db, services, worker, server };
}
