import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';
import { findFreePort, isProcessAlive, waitFor } from '../../src/platform/processes.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { csrfOf } from '../support/staff.js';

/**
 * Two real app processes on one database, as behind a load balancer: the sign-in budget per client
 * is counted in PostgreSQL, so it holds across both.
 */
const PER_MINUTE = 3;
const ADMIN_PASSWORD = 'two-processes-admin-pw';

interface AppProcess {
  child: ChildProcess;
  base: string;
  output: () => string;
}

let ctx: TestContext;
let dataDir: string;
const apps: AppProcess[] = [];

async function startApp(name: string): Promise<AppProcess> {
  const port = await findFreePort();
  // One process (node --import tsx), as scripts/bench-load.ts starts it, so a kill reaches the server itself.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: ctx.config.databaseUrl,
      MEILI_URL: inject('meiliUrl'),
      MEILI_MASTER_KEY: inject('meiliKey'),
      MEILI_INDEX_PREFIX: ctx.config.meili.indexPrefix,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: path.join(dataDir, name),
      LOG_LEVEL: 'silent',
      ADMIN_PASSWORD,
      RATE_LIMIT_SIGNIN_PER_MIN: String(PER_MINUTE),
      RATE_LIMIT_API_PER_MIN: '1000000',
      TRUST_PROXY: '',
      PUBLIC_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const app = { child, base: `http://127.0.0.1:${port}`, output: () => output };
  apps.push(app);
  return app;
}

async function waitHealthy(app: AppProcess): Promise<void> {
  await waitFor(
    async () => {
      if (app.child.exitCode !== null || app.child.signalCode !== null) throw new Error(`app exited early:\n${app.output()}`);
      return fetch(`${app.base}/healthz`).then((r) => r.ok, () => false);
    },
    90_000,
    `app at ${app.base} did not become healthy:\n${app.output()}`,
  );
}

async function stopApp(app: AppProcess): Promise<void> {
  const { child } = app;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  await waitFor(() => child.exitCode !== null || child.signalCode !== null || !isProcessAlive(child.pid!), 10_000, 'app did not stop').catch(() => {
    child.kill('SIGKILL');
  });
}

const stopAll = () => Promise.allSettled(apps.map(stopApp));

beforeAll(async () => {
  ctx = await createTestContext();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'gfwj-two-'));
  await chmod(dataDir, 0o755);
  try {
    const [a, b] = await Promise.all([startApp('a'), startApp('b')]);
    await Promise.all([waitHealthy(a!), waitHealthy(b!)]);
  } catch (error) {
    await stopAll();
    throw error;
  }
}, 120_000);
afterAll(async () => {
  await stopAll();
  await ctx?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 60_000);

const badSignIn = async (app: AppProcess) => {
  const res = await fetch(`${app.base}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'wrong-password' }),
  });
  const body = (await res.json()) as { error?: { code: string; message: string } };
  return { status: res.status, code: body.error?.code, message: body.error?.message };
};

describe('two app processes on one database', () => {
  it('share the sign-in budget per client: 2 bad sign-ins to A and 2 to B, the 4th is 429', async () => {
    const [a, b] = apps as [AppProcess, AppProcess];
    // Both processes are up on the same database (the one admin created once).
    expect(a.base).not.toBe(b.base);

    const answers = [await badSignIn(a), await badSignIn(a), await badSignIn(b), await badSignIn(b)];
    expect(answers.map((r) => r.status)).toEqual([401, 401, 401, 429]);
    expect(answers.slice(0, 3).map((r) => r.message)).toEqual(['用户名或密码错误', '用户名或密码错误', '用户名或密码错误']);
    expect(answers[3]).toMatchObject({ code: 'rate_limited', message: '登录尝试过于频繁，请稍后再试' });

    // A, too, now refuses this client, and its sign-in page counts against the same budget.
    expect(await badSignIn(a)).toMatchObject({ status: 429, message: '登录尝试过于频繁，请稍后再试' });
    const page = await fetch(`${a.base}/staff/login`);
    expect(page.status).toBe(200);
    const cookie = (page.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
    const form = await fetch(`${a.base}/staff/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', cookie },
      body: new URLSearchParams({ _csrf: csrfOf(await page.text()), username: 'admin', password: ADMIN_PASSWORD }).toString(),
    });
    expect(form.status).toBe(429);
    expect(await form.text()).toContain('登录尝试过于频繁，请稍后再试');

    // The counter lives in PostgreSQL, not in either process.
    const counters = await ctx.db.selectFrom('rate_limit_counters').select(['key', 'hits']).where('key', 'like', 'signin:%').execute();
    expect(counters.length).toBeGreaterThan(0);
  });
});
