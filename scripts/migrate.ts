import { loadConfig } from '../src/config.js';
import { createLifecycle } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';
import { openDatabase } from '../src/platform/infrastructure.js';

/** `npm run migrate`: applies pending migrations to DATABASE_URL, or to the embedded database. */
const config = loadConfig(process.env);
const logger = createLogger(config.logLevel);
const lifecycle = createLifecycle(logger);
let code = 0;
try {
  const { applied } = await openDatabase(config, logger, lifecycle, { search: false, maxConnections: 1 });
  process.stdout.write(applied.length ? `已应用迁移：${applied.join('、')}\n` : '数据库已是最新结构。\n');
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  code = 1;
} finally {
  await lifecycle.shutdown();
}
process.exit(code);
