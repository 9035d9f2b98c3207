/**
 * `npm run bench:annual`: the whole annual report with 100,000 requests for disclosure, printing JSON.
 *
 * 1. Starts an embedded PostgreSQL in a temporary DATA_DIR (no search needed) and migrates it.
 * 2. Loads 21 organs (a county and 20 departments), N requests (default 100,000) received over
 *    2021–2024 with every applicant type and outcome, some open, and N/100 appeals, by set-based SQL.
 * 3. Times the report for 2023 as the API computes it (Article 20 + sections 三 and 四 + texts),
 *    for the whole tree and for one department: median, p95 and max of --runs; and the DOCX export.
 * 4. Stops everything it started and removes the directory.
 * Options: --runs 11 --requests 100000
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
// Also for its side effect: DATE columns read as 'YYYY-MM-DD' strings.
import '../src/db/database.js';
import type { Database } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createLifecycle } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';
import { startInfrastructure } from '../src/platform/infrastructure.js';
import { createMeiliClient } from '../src/platform/meili.js';
import { createLocalStorage } from '../src/platform/storage.js';
import { fixedClock } from '../src/platform/clock.js';
import { createServices } from '../src/services.js';
import { indexNames } from '../src/features/search/search-index.js';
import { OUTCOMES } from '../src/features/annual-report/annual-report.js';
import { annualReportDocx } from '../src/features/annual-report/annual-report-export.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '11' }, requests: { type: 'string', default: '100000' } } });
const RUNS = Number(values.runs);
const REQUESTS = Number(values.requests);

const logger = createLogger('warn');
const lifecycle = createLifecycle(logger);
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gfwj-bench-annual-'));
await chmod(dataDir, 0o755);
lifecycle.add('data dir', () => rm(dataDir, { recursive: true, force: true }));
process.on('SIGINT', () => void lifecycle.shutdown().then(() => process.exit(130)));

const progress = (message: string) => process.stderr.write(`[bench:annual] ${message}\n`);
const round = (n: number) => Number(n.toFixed(1));

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await work();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

async function stats(work: () => Promise<unknown>) {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push((await timed(work)).ms);
  times.sort((a, b) => a - b);
  return { runs: RUNS, median_ms: round(times[Math.floor(times.length / 2)]!), p95_ms: round(times[Math.min(times.length - 1, Math.floor(0.95 * times.length))]!), max_ms: round(times[times.length - 1]!) };
}

const result: Record<string, unknown> = { requests: REQUESTS, appeals: Math.round(REQUESTS / 100), cpus: os.cpus().length };
let code = 0;
try {
  const config = loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'http://127.0.0.1:3000', DATA_DIR: dataDir, LOG_LEVEL: 'warn', MEILI_URL: 'http://127.0.0.1:9', MEILI_MASTER_KEY: 'unused' });
  const started = await startInfrastructure(config, logger, (stop) => lifecycle.add('embedded services', stop), { search: false });
  const pool = new pg.Pool({ connectionString: started.databaseUrl, max: 10, application_name: 'gfwj-bench' });
  pool.on('error', (error) => {
    if (!lifecycle.stopping) progress(`idle database connection lost: ${error.message}`);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  lifecycle.add('database pool', () => db.destroy());
  await migrateToLatest(db);

  progress(`loading ${REQUESTS} requests`);
  const load = await timed(async () => {
    const root = (await db.insertInto('organs').values({ name: '压测县人民政府' }).returning('id').executeTakeFirstOrThrow()).id;
    await sql`insert into organs (name, parent_id) select '压测县第' || d || '局', ${root}::int from generate_series(1, 20) d`.execute(db);
    const organOf = sql`join lateral (select (select array_agg(id order by id) from organs) as ids) a on true
                        join lateral (select a.ids[1 + ((i * 7919) % array_length(a.ids, 1))::int] as id) o on true`;
    // Received over 2021–2024; nine in ten concluded 5–60 days later with one of the 21 outcomes.
    await sql`insert into disclosure_requests (organ_id, number, received_on, applicant_type, concluded_on, outcome, fee_fen)
              select o.id, 'R' || i, r.received,
                     (array['natural_person','natural_person','natural_person','commercial','research','public_interest','legal_service','other'])[1 + (i % 8)::int],
                     case when i % 10 <> 0 then r.received + 5 + ((i * 31) % 56)::int end,
                     case when i % 10 <> 0 then (${sql.val(OUTCOMES)}::text[])[1 + ((i * 13) % ${OUTCOMES.length})::int] end,
                     case when i % 50 = 0 then 1000 end
              from generate_series(1, ${REQUESTS}::bigint) i
              ${organOf}
              join lateral (select date '2021-01-01' + ((i * 104729) % 1461)::int as received) r on true`.execute(db);
    await sql`insert into appeals (organ_id, number, kind, filed_on, concluded_on, result)
              select o.id, 'A' || i, (array['review','litigation_direct','litigation_after_review'])[1 + (i % 3)::int], f.filed,
                     case when i % 4 <> 0 then f.filed + 60 end, case when i % 4 <> 0 then (array['upheld','corrected','other'])[1 + (i % 3)::int] end
              from generate_series(1, ${Math.round(REQUESTS / 100)}::bigint) i
              ${organOf}
              join lateral (select date '2021-01-01' + ((i * 7907) % 1461)::int as filed) f on true`.execute(db);
    await sql`vacuum analyze`.execute(db);
    return root;
  });
  result['load_ms'] = Math.round(load.ms);
  const root = load.value;
  const department = (await db.selectFrom('organs').select('id').where('parent_id', '=', root).orderBy('id').executeTakeFirstOrThrow()).id;

  const services = createServices({ db, indexes: indexNames(createMeiliClient(config.meili.url!, config.meili.masterKey), 'bench_'), storage: createLocalStorage(config.storageDir), clock: fixedClock('2024-12-31') });
  const actor = { userId: 0, username: 'bench', role: 'admin' as const, ip: null };
  const whole = { year: 2023, organ_id: root, subtree: true };
  const report = await services.annualReports.report(actor, whole);
  result['whole_tree_2023'] = { received: report.requests.received.total, carried_over: report.requests.carried_over.total, concluded: report.requests.outcomes.total.total, carried_forward: report.requests.carried_forward.total, balanced: report.requests.balanced };
  progress('timing reports');
  result['report_whole_tree'] = await stats(() => services.annualReports.report(actor, whole));
  result['report_one_department'] = await stats(() => services.annualReports.report(actor, { year: 2023, organ_id: department, subtree: false }));
  result['docx_export'] = await stats(() => annualReportDocx(report));
  result['note'] = 'medians on a shared 2-core machine where other test suites may run at the same time';
} catch (error) {
  code = 1;
  result['error'] = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
} finally {
  await lifecycle.shutdown();
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exit(code);
