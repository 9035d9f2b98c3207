/**
 * `npm run reindex`: rebuilds the search index from PostgreSQL into a new index and swaps it in
 * atomically; searches keep answering from the old index meanwhile. Changes committed during the
 * rebuild are queued again for the index worker of the running app (or of the next start).
 *
 * With embedded services (no DATABASE_URL / MEILI_URL) the app must be stopped first: both would
 * use the same data directory. Prints a JSON summary.
 */
import cliProgress from 'cli-progress';
import { loadConfig } from '../src/config.js';
import { createLifecycle } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';
import { openDatabase } from '../src/platform/infrastructure.js';
import { createMeiliClient } from '../src/platform/meili.js';
import { systemClock } from '../src/platform/clock.js';
import { indexNames } from '../src/features/search/search-index.js';
import { rebuildSearchIndex, type RebuildProgress } from '../src/features/search/search-rebuild.js';

const PHASES: Record<RebuildProgress['phase'], string> = {
  reading: '读取并写入新索引',
  indexing: '等待索引完成',
  swapping: '切换到新索引',
};

const config = loadConfig(process.env);
const logger = createLogger(config.env === 'production' ? config.logLevel : 'warn');
const lifecycle = createLifecycle(logger);
process.on('SIGINT', () => void lifecycle.shutdown().then(() => process.exit(130)));
process.on('SIGTERM', () => void lifecycle.shutdown().then(() => process.exit(143)));

let code = 0;
try {
  const { infra, db } = await openDatabase(config, logger, lifecycle, { search: true, maxConnections: 3 });
  const indexes = indexNames(createMeiliClient(infra.meiliUrl, infra.meiliKey), config.meili.indexPrefix);

  const bar = new cliProgress.SingleBar(
    { format: '{phase} |{bar}| {value}/{total} 件 | {duration_formatted}', hideCursor: true, noTTYOutput: !process.stderr.isTTY, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const began = Date.now();
  const result = await rebuildSearchIndex(db, indexes, systemClock(config.timeZone).today(), ({ phase, done, total }) => {
    if (!started) {
      bar.start(total, 0, { phase: PHASES[phase] });
      started = true;
    }
    bar.setTotal(total);
    bar.update(done, { phase: PHASES[phase] });
  });
  bar.stop();
  process.stdout.write(`${JSON.stringify({ ...result, index: indexes.search, seconds: (Date.now() - began) / 1000 })}\n`);
  process.stderr.write(
    `索引已重建并切换：${result.documents} 件文件、${result.interpretations} 件解读。` +
      (result.requeued ? `重建期间的 ${result.requeued} 项修改已重新排队，应用运行时会自动补上。` : '') +
      '\n',
  );
} catch (error) {
  process.stderr.write(`重建索引失败：${error instanceof Error ? error.message : String(error)}\n`);
  code = 1;
} finally {
  await lifecycle.shutdown();
}
process.exit(code);
