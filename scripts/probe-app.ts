import { spawn } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { createLifecycle } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';
import { openDatabase } from '../src/platform/infrastructure.js';
import { findFreePort, waitFor } from '../src/platform/processes.js';

const dataDir = '/work/bench30k';
const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', MEILI_INDEX_PREFIX: 'bench_' });
const logger = createLogger('warn');
const lifecycle = createLifecycle(logger);
const { infra, db } = await openDatabase(config, logger, lifecycle, { search: true, maxConnections: 2 });
const port = await findFreePort();
const base = `http://127.0.0.1:${port}`;
const app = spawn(process.execPath, [...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/work/probe'] : []), '--import', 'tsx', 'src/main.ts'], {
  env: { ...process.env, NODE_ENV: 'production', DATA_DIR: path.join(dataDir, 'app'), DATABASE_URL: infra.databaseUrl, MEILI_URL: infra.meiliUrl,
    MEILI_MASTER_KEY: infra.meiliKey ?? '', MEILI_INDEX_PREFIX: 'bench_', PORT: String(port), ADMIN_PASSWORD: 'bench-search-admin', LOG_LEVEL: 'warn', RATE_LIMIT_API_PER_MIN: '100000000' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
await waitFor(async () => (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)), 60_000, 'no start');
await new Promise((r) => setTimeout(r, 3000));
await waitFor(async () => Number((await db.selectFrom('index_jobs').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n) === 0, 3_600_000, 'no catch-up');
console.error('caught up');
const Q = ['规范性文件', '营商环境', '行政处罚', '食品安全', '环境保护', '个人信息保护', '税收征收管理', '安全生产责任', '未成年人保护', '城乡规划',
  '劳动合同', '知识产权', '社会保险', '突发事件应对', '政府信息公开', '消防安全', '农村土地承包', '数据安全', '乡村振兴', '养老服务'];
const out: Record<string, number> = {};
for (const [name, url] of [['api', '/api/v1/search?q='], ['page', '/search?q='], ['health', '/healthz?q='], ['robots', '/robots.txt?q=']] as const) {
  const times: number[] = [];
  for (let r = 0; r < (Number(process.env.REPS) || 5); r++) for (const q of Q) {
    const t = performance.now(); const res = await fetch(base + url + encodeURIComponent(q)); await res.arrayBuffer(); if (r > 0) times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  out[name] = +times[Math.floor(times.length / 2)]!.toFixed(2);
}
console.log(JSON.stringify(out));
app.kill('SIGTERM');
await new Promise((r) => app.once('exit', r));
await lifecycle.shutdown();
