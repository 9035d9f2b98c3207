import { loadConfig } from '../src/config.js';
import { createDb } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createLifecycle } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';
import { startInfrastructure } from '../src/platform/infrastructure.js';

/** `npm run migrate`: applies pending migrations to DATABASE_URL, or to the embedded database. */
const config = loadConfig(process.env);
const logger = createLogger(config.logLevel);
const lifecycle = createLifecycle(logger);
let code = 0;
try {
  const infra = await startInfrastructure(config, logger, (stop) => lifecycle.add('services', stop), {
    search: false,
  });
  const db = createDb(infra.databaseUrl, { max: 1 });
  lifecycle.add('database', () => db.destroy());
  const applied = await migrateToLatest(db);
  process.stdout.write(applied.length ? `已应用迁移：${applied.join('、')}\n` : '数据库已是最新结构。\n');
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  code = 1;
} finally {
  await lifecycle.shutdown();
}
process.exit(code);
