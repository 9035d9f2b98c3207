import { loadConfig } from './config.js';
import { createLifecycle } from './lifecycle.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';

/** The composition root: the only place that reads process.env and installs signal handlers. */
const config = loadConfig(process.env);
const logger = createLogger(config.logLevel);
const lifecycle = createLifecycle(logger);

const stop = (signal: string) => {
  logger.info({ signal }, 'shutting down');
  void lifecycle.shutdown().then(() => process.exit(0));
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

try {
  const running = await startServer(config, logger, lifecycle);
  process.stdout.write(`规范性文件库已启动：${running.url}\n`);
} catch (error) {
  logger.fatal({ err: error }, error instanceof Error ? error.message : 'start-up failed');
  await lifecycle.shutdown();
  process.exit(1);
}
