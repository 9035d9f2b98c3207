import type { ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import net from 'node:net';

/** A free TCP port on loopback, chosen by the kernel. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readPid(file: string): Promise<number | null> {
  try {
    const pid = Number.parseInt((await readFile(file, 'utf8')).split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 1 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Takes the embedded server in `dir` for this process. A server whose owning app still runs is in
 * use: refuse, rather than pull a database out from under a live app (say, `npm run migrate` beside
 * the server). A server whose owner died without shutting it down (kill -9, power loss) is an orphan
 * still holding the data directory: stop it.
 */
export async function takeOver(dir: string, serverPidFile: string, signal: NodeJS.Signals, timeoutMs = 15_000): Promise<void> {
  const ownerFile = path.join(dir, 'owner.pid');
  const owner = await readPid(ownerFile);
  const server = await readPid(serverPidFile);
  if (server !== null && server !== process.pid && isProcessAlive(server)) {
    if (owner !== null && owner !== process.pid && isProcessAlive(owner)) {
      throw new Error(`数据目录 ${dir} 正被进程 ${owner} 使用。请先停止它，或设置 DATABASE_URL / MEILI_URL 连接正在运行的服务。`);
    }
    process.kill(server, signal);
    await waitFor(() => !isProcessAlive(server), timeoutMs, `进程 ${server} 未能在 ${timeoutMs} ms 内退出`);
  }
  await writeFile(ownerFile, `${process.pid}\n`);
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, message: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Supervised {
  /** The running child, or undefined while it is being restarted. */
  current(): ChildProcess | undefined;
  /** Stops supervising (call before stopping the child on purpose). */
  release(): void;
}

/**
 * Keeps an embedded server running while the app runs: when its process exits unasked, `restart` is
 * tried again with a growing pause (1 s, doubling, at most 30 s) until it comes back. Callers see the
 * outage meanwhile as they see any outage (health degraded, search in basic mode), and recover alone.
 */
export function supervise(
  name: string,
  first: ChildProcess,
  restart: () => Promise<ChildProcess>,
  logger: { warn: (obj: object, msg: string) => void; info: (obj: object, msg: string) => void },
): Supervised {
  let child: ChildProcess | undefined = first;
  let released = false;
  let timer: NodeJS.Timeout | undefined;
  const watch = (proc: ChildProcess) => {
    proc.once('exit', (code, signal) => {
      if (released || proc !== child) return;
      child = undefined;
      logger.warn({ service: name, code, signal }, 'embedded service exited; restarting');
      schedule(1000, 1);
    });
  };
  const schedule = (delayMs: number, attempt: number) => {
    timer = setTimeout(async () => {
      if (released) return;
      const started = Date.now();
      try {
        const proc = await restart();
        if (released) {
          proc.kill('SIGTERM');
          return;
        }
        child = proc;
        watch(proc);
        logger.info({ service: name, attempt, ms: Date.now() - started }, 'embedded service restarted');
      } catch (error) {
        logger.warn({ service: name, attempt, err: error }, 'embedded service restart failed; trying again');
        schedule(Math.min(delayMs * 2, 30_000), attempt + 1);
      }
    }, delayMs);
    timer.unref();
  };
  watch(first);
  return {
    current: () => child,
    release: () => {
      released = true;
      clearTimeout(timer);
    },
  };
}
