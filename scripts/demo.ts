import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { createLifecycle } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';
import { startServer } from '../src/server.js';
import { seedDemo } from './seed-demo.js';

/**
 * `npm run demo`: the product with the fictional 示例县 loaded, on embedded services under its own
 * data folder. DATABASE_URL and MEILI_URL are ignored on purpose: the demo never touches a real database.
 */
const dataDir = path.resolve(process.env['DEMO_DATA_DIR'] ?? './data-demo');
const adminPassword = process.env['DEMO_ADMIN_PASSWORD'] ?? 'demo-admin-2026';
const config = loadConfig({
  NODE_ENV: 'development',
  PORT: process.env['PORT'] ?? '3000',
  HOST: process.env['HOST'] ?? '127.0.0.1',
  DATA_DIR: dataDir,
  ADMIN_USERNAME: 'admin',
  ADMIN_PASSWORD: adminPassword,
  LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn',
});
const logger = createLogger(config.logLevel);
const lifecycle = createLifecycle(logger);
const stop = () => void lifecycle.shutdown().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

try {
  const running = await startServer(config, logger, lifecycle);
  const existing = await running.db.selectFrom('documents').select('id').limit(1).executeTakeFirst();
  if (!existing) {
    const admin = await running.db.selectFrom('users').select(['id', 'username']).where('username', '=', 'admin').executeTakeFirstOrThrow();
    const started = Date.now();
    const { documentIds } = await seedDemo(running.services, { userId: admin.id, username: admin.username, role: 'admin', ip: null });
    await running.worker.drainNow();
    process.stdout.write(`已载入示例县演示数据：${documentIds.size} 件文件（${Date.now() - started} ms）\n`);
  }
  process.stdout.write(
    [
      '',
      `规范性文件库（演示）已启动：${running.url}`,
      `  文件列表 API：${running.url}/api/v1/documents`,
      `  健康检查：    ${running.url}/healthz`,
      `  演示管理员：  admin / ${adminPassword}（仅限演示数据目录 ${dataDir}）`,
      '按 Ctrl+C 停止。',
      '',
    ].join('\n'),
  );
} catch (error) {
  logger.fatal({ err: error }, 'demo failed to start');
  process.stderr.write(`演示启动失败：${error instanceof Error ? error.message : String(error)}\n`);
  await lifecycle.shutdown();
  process.exit(1);
}
