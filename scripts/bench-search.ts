/**
 * `npm run bench:search [-- --docs 20000 --clients 50 --seconds 15 --reps 5]`: search performance,
 * printed as JSON (progress goes to stderr).
 *
 * 1. Starts embedded PostgreSQL and Meilisearch in a temporary DATA_DIR and loads the real corpus
 *    (../shared/corpus/corpus.jsonl.gz, streamed) plus deterministic synthetic documents up to --docs,
 *    as a bulk load does: rows and their index jobs in the same transactions.
 * 2. Index throughput: the same records fed straight to Meilisearch (a scratch index, every batch
 *    queued at once), then the app started on an ephemeral port, whose index worker catches up on
 *    the outbox; documents per second of both.
 * 3. Latency, one client, p50/p95: /api/v1/search against the identical multi-search sent straight to
 *    Meilisearch, and the HTML results page against a plain Meilisearch query (ids only). For
 *    reference, the same multi-search through a bare Node forwarder (bench-search-forwarder.ts): the
 *    cost of one HTTP hop on this machine, which no app in between can avoid.
 * 4. Throughput: --clients concurrent clients on the API, then on the results page, then both
 *    again; errors and the app's RSS after each phase (the second round should add nothing).
 * Everything it started is stopped and the temporary directory removed, also on failure. With
 * `--data DIR` the data stay in DIR, and a later run on the same DIR skips the load and the direct
 * feed: the app indexes the documents again and they are measured (for trying a change to the search
 * without loading everything again).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { sql } from 'kysely';
import type { EnqueuedTaskPromise } from 'meilisearch';
import { Agent, request } from 'undici';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/database.js';
import type { NewDocument } from '../src/db/tables.js';
import type { CorpusRecord } from '../src/features/intake/catalog-row.js';
import { docNumberKey, formatDocNumber, parseDocNumber } from '../src/shared/doc-number.js';
import type { DocumentKind } from '../src/shared/document-status.js';
import { createLifecycle } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';
import { openDatabase } from '../src/platform/infrastructure.js';
import { createMeiliClient } from '../src/platform/meili.js';
import { findFreePort, waitFor } from '../src/platform/processes.js';
import { buildRecords, deleteIndexIfAny, ensureIndex, indexNames, waitForTasks } from '../src/features/search/search-index.js';
import { sendAppRequests } from './bench-search-request.js';
import { percentile, random } from './bench-random.js';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '100000' },
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '15' },
    reps: { type: 'string', default: '5' },
    data: { type: 'string' },
  },
});
const DOCS = Math.max(1, Number(values.docs));
const CLIENTS = Number(values.clients);
const SECONDS = Math.min(Number(values.seconds), 60);
const REPS = Math.max(2, Number(values.reps));
const CORPUS = path.resolve(process.cwd(), '../shared/corpus/corpus.jsonl.gz');
const TODAY = new Date().toISOString().slice(0, 10);
const BATCH = 1000;

const log = (message: string) => process.stderr.write(`[bench:search] ${message}\n`);

// ---------------------------------------------------------------------------------------------
// Data

const CORPUS_KINDS: Record<string, DocumentKind> = {
  法律: 'law',
  宪法: 'law',
  行政法规: 'administrative_regulation',
  监察法规: 'administrative_regulation',
  地方性法规: 'local_regulation',
  部门规章: 'rule',
  地方政府规章: 'rule',
  规范性文件: 'normative',
};
const ORGANS = [
  '示例县人民政府', '示例县人民政府办公室', '示例县发展和改革局', '示例县教育局', '示例县科学技术局', '示例县公安局',
  '示例县民政局', '示例县司法局', '示例县财政局', '示例县人力资源和社会保障局', '示例县自然资源局', '示例县生态环境局',
  '示例县住房和城乡建设局', '示例县交通运输局', '示例县水利局', '示例县农业农村局', '示例县商务局', '示例县文化和旅游局',
  '示例县卫生健康委员会', '示例县应急管理局', '示例县审计局', '示例县市场监督管理局', '示例县统计局', '示例县医疗保障局',
  '示例县林业局', '示例县数据局', '示例县退役军人事务局', '示例县城市管理局', '示例县税务局', '示例县消防救援大队',
];
const PREFIXES = ['示政发', '示政办发', '示发改', '示教发', '示科发', '示公发', '示民发', '示司发', '示财发', '示人社发', '示自然资发', '示环发',
  '示建发', '示交发', '示水发', '示农发', '示商发', '示文旅发', '示卫健发', '示应急发', '示审发', '示市监发', '示统发', '示医保发',
  '示林发', '示数发', '示退役发', '示城管发', '示税发', '示消发'];
const TOPICS = ['综合政务', '财政、金融、审计', '农业、林业、水利', '城乡建设、环境保护', '市场监管、安全生产监管', '科技、教育', '卫生、体育',
  '劳动、人事、监察', '民政、扶贫、救灾', '生态环境', '财政信息', '安全生产', '食品药品', '工业、交通', '公安、安全、司法'];
const SUBJECTS = ['营商环境', '安全生产', '生态环境保护', '食品药品监管', '农村人居环境', '政府信息公开', '社会救助', '基本医疗保险',
  '义务教育', '城市管理', '消防安全', '数据安全', '知识产权保护', '防汛抗旱', '乡村振兴', '行政执法', '政务服务', '住房保障',
  '养老服务', '就业创业', '公共资源交易', '财政资金', '国有资产', '耕地保护', '水资源管理', '交通运输', '文化旅游', '应急管理'];
const FORMS = ['关于进一步加强{s}工作的通知', '关于印发《示例县{s}管理办法》的通知', '关于做好{s}有关工作的意见', '关于{s}的实施意见',
  '关于印发《示例县{s}实施细则》的通知', '关于开展{s}专项行动的通知', '关于规范{s}工作的若干措施'];

/** A corpus record with its validity as the source states it (已废止 …). */
interface CorpusLine extends CorpusRecord {
  status: string | null;
}

async function* corpusDocuments(): AsyncGenerator<CorpusLine> {
  const lines = readline.createInterface({ input: createReadStream(CORPUS).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim()) yield JSON.parse(line) as CorpusLine;
}

interface Row {
  doc: NewDocument;
  topics: number[];
  repealedOn: string | null;
}

function docNumberColumns(text: string | null, used: Set<string>, organId: number, kind: string) {
  const parsed = text ? parseDocNumber(text) : null;
  const key = parsed ? docNumberKey(parsed) : null;
  // One 文号 per organ and kind (the table's unique index); a duplicate in the corpus keeps none.
  if (!parsed || !key || used.has(`${organId}:${kind}:${key}`)) {
    return { doc_number: null, doc_number_prefix: null, doc_number_year: null, doc_number_serial: null, doc_number_key: null };
  }
  used.add(`${organId}:${kind}:${key}`);
  return {
    doc_number: formatDocNumber(parsed),
    doc_number_prefix: parsed.prefix,
    doc_number_year: parsed.year,
    doc_number_serial: parsed.serial,
    doc_number_key: key,
  };
}

const isoDay = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

async function loadDocuments(db: Db, organIds: number[], topicIds: number[]) {
  const used = new Set<string>();
  const paragraphs: string[] = [];
  let pending: Row[] = [];
  let corpus = 0;
  let synthetic = 0;
  let chars = 0;

  async function flush() {
    if (pending.length === 0) return;
    const rows = pending;
    pending = [];
    await db.transaction().execute(async (trx) => {
      const ids = await trx.insertInto('documents').values(rows.map((r) => r.doc)).returning('id').execute();
      const topics = rows.flatMap((r, i) => r.topics.map((topic_id) => ({ document_id: ids[i]!.id, topic_id })));
      if (topics.length) await trx.insertInto('document_topics').values(topics).execute();
      const repeals = rows.flatMap((r, i) => (r.repealedOn ? [{ document_id: ids[i]!.id, repealed_on: r.repealedOn }] : []));
      if (repeals.length) await trx.insertInto('document_repeals').values(repeals).execute();
      await trx.insertInto('index_jobs').values(ids.map((r) => ({ entity: 'document' as const, entity_id: r.id }))).execute();
    });
  }

  const rand = random(20261129);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  for await (const line of corpusDocuments()) {
    if (corpus + synthetic >= DOCS) break;
    for (const p of line.body.split('\n')) if (p.length >= 30 && paragraphs.length < 200_000) paragraphs.push(p);
    const kind = CORPUS_KINDS[line.kind ?? ''] ?? 'other';
    const organId = organIds[Math.abs(hash(line.issuing_organ ?? line.title)) % organIds.length]!;
    const published = line.publish_date ?? '2000-01-01';
    const effective = line.effective_date && line.effective_date >= published ? line.effective_date : null;
    pending.push({
      doc: {
        kind,
        title: line.title.slice(0, 500),
        ...docNumberColumns(line.doc_number, used, organId, kind),
        organ_id: organId,
        published_on: published,
        effective_on: effective,
        body: line.body,
      },
      topics: [pick(topicIds)],
      repealedOn: line.status === '已废止' ? (published > '2020-01-01' ? published : '2020-01-01') : null,
    });
    corpus++;
    chars += line.body.length;
    if (pending.length >= BATCH) await flush();
  }
  while (corpus + synthetic < DOCS) {
    const n = synthetic++;
    const organ = Math.floor(rand() * organIds.length);
    const year = 2005 + Math.floor(rand() * 22);
    const signed = isoDay(year, 1 + Math.floor(rand() * 12), 1 + Math.floor(rand() * 28));
    const published = signed;
    const subject = pick(SUBJECTS);
    let body = '';
    while (body.length < 2800) body += `${pick(paragraphs)}\n`;
    body = `各乡（镇）人民政府，县政府各部门：\n为做好${subject}工作，现通知如下。\n${body}`;
    const docNumber = `${PREFIXES[organ]}〔${year}〕${n + 1}号`;
    const roll = rand();
    pending.push({
      doc: {
        kind: rand() < 0.85 ? 'normative' : 'rule',
        title: pick(FORMS).replace('{s}', subject),
        ...docNumberColumns(docNumber, used, organIds[organ]!, 'normative'),
        organ_id: organIds[organ]!,
        signed_on: signed,
        published_on: published,
        expires_on: roll < 0.3 ? isoDay(year + 5, 12, 31) : null,
        body,
      },
      topics: [pick(topicIds), pick(topicIds)].filter((t, i, all) => all.indexOf(t) === i),
      repealedOn: roll > 0.93 ? isoDay(Math.min(year + 3, 2025), 6, 30) : null,
    });
    chars += body.length;
    if (pending.length >= BATCH) await flush();
    if (synthetic % 10_000 === 0) log(`loaded ${corpus + synthetic} documents`);
  }
  await flush();
  return { corpus, synthetic, avgChars: Math.round(chars / Math.max(1, corpus + synthetic)) };
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

// ---------------------------------------------------------------------------------------------
// Measuring

const stats = (xs: number[]) => ({ p50: +percentile(xs, 50).toFixed(2), p95: +percentile(xs, 95).toFixed(2), n: xs.length });

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await work();
  return [performance.now() - started, value];
}

// ---------------------------------------------------------------------------------------------

const dataDir = values.data ? path.resolve(values.data) : await mkdtemp(path.join(os.tmpdir(), 'gfwj-bench-search-'));
await mkdir(dataDir, { recursive: true });
await chmod(dataDir, 0o755);
const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', MEILI_INDEX_PREFIX: 'bench_' });
const logger = createLogger('warn');
const lifecycle = createLifecycle(logger);
let app: ChildProcess | undefined;
let forwarder: ChildProcess | undefined;
if (!values.data) lifecycle.add('temporary directory', () => rm(dataDir, { recursive: true, force: true }));
const stop = async (child: ChildProcess | undefined) => {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
};
const stopChildren = () => Promise.all([stop(app), stop(forwarder)]);
process.on('SIGINT', () => void stopChildren().then(() => lifecycle.shutdown()).then(() => process.exit(130)));

const result: Record<string, unknown> = { requested_docs: DOCS, today: TODAY };
let code = 0;
try {
  const { infra, db } = await openDatabase(config, logger, lifecycle, { search: true, maxConnections: 4 });
  const client = createMeiliClient(infra.meiliUrl, infra.meiliKey);
  const indexes = indexNames(client, config.meili.indexPrefix);

  const loadedBefore = Number((await db.selectFrom('documents').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  let directFeed: { ms: number; records: number; total: number } | undefined;
  if (loadedBefore > 0) {
    result['documents'] = { total: loadedBefore, reused: dataDir };
    // Indexed again by this code, so the records have the shape it searches.
    await db.insertInto('index_jobs').columns(['entity', 'entity_id']).expression(db.selectFrom('documents').select([sql.lit('document').as('entity'), 'id'])).execute();
    log(`reusing ${loadedBefore} documents in ${dataDir}; indexing them again`);
  } else {
    // 1. The bulk load.
    const organIds = (
      await db.insertInto('organs').values(ORGANS.map((name, i) => ({ name, doc_prefixes: [PREFIXES[i]!] }))).returning('id').execute()
    ).map((o) => o.id);
    const topicIds = (await db.selectFrom('topics').select('id').where('name', 'in', TOPICS).execute()).map((t) => t.id);
    const [loadMs, loaded] = await timed(() => loadDocuments(db, organIds, topicIds));
    const total = loaded.corpus + loaded.synthetic;
    result['documents'] = { total, corpus: loaded.corpus, synthetic: loaded.synthetic, avg_body_chars: loaded.avgChars, load_seconds: +(loadMs / 1000).toFixed(1) };
    log(`loaded ${total} documents in ${(loadMs / 1000).toFixed(1)} s`);

    // 2a. The same records straight into Meilisearch: every batch queued at once, as fast as it takes them.
    const direct = `${config.meili.indexPrefix}direct`;
    await ensureIndex(client, direct);
    const [directMs, directRecords] = await timed(async () => {
      const tasks: EnqueuedTaskPromise[] = [];
      let after = 0;
      let records = 0;
      for (;;) {
        const ids = (await db.selectFrom('documents').select('id').where('id', '>', after).orderBy('id').limit(BATCH).execute()).map((r) => r.id);
        if (ids.length === 0) break;
        after = ids.at(-1)!;
        const batch = await buildRecords(db, { documents: ids, interpretations: [] }, TODAY);
        records += batch.length;
        tasks.push(client.index(direct).addDocuments(batch, { primaryKey: 'id' }));
      }
      // Everything is queued at once, and Meilisearch may take it in one batch of many minutes.
      await waitForTasks(tasks, { timeout: 3_600_000, interval: 2000 });
      return records;
    });
    await deleteIndexIfAny(indexes, direct);
    log(`direct feed: ${directRecords} records in ${(directMs / 1000).toFixed(1)} s`);
    directFeed = { ms: directMs, records: directRecords, total };
  }

  // 2b. The app, whose worker catches up on the outbox the bulk load left.
  const port = await findFreePort();
  const base = `http://127.0.0.1:${port}`;
  const spawned = performance.now();
  app = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      // Production requires it (links and feeds); nothing here follows them.
      PUBLIC_URL: base,
      DATA_DIR: path.join(dataDir, 'app'),
      DATABASE_URL: infra.databaseUrl,
      MEILI_URL: infra.meiliUrl,
      MEILI_MASTER_KEY: infra.meiliKey ?? '',
      MEILI_INDEX_PREFIX: config.meili.indexPrefix,
      PORT: String(port),
      ADMIN_PASSWORD: 'bench-search-admin',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_API_PER_MIN: '100000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitFor(async () => (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)), 60_000, 'the app did not start');
  await waitFor(
    async () => Number((await db.selectFrom('index_jobs').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n) === 0,
    3_600_000,
    'the index worker did not catch up',
  );
  const catchUpMs = performance.now() - spawned;
  const indexed = await client.index(indexes.search).getStats();
  // On disk: Meilisearch's whole database (the direct-feed index is deleted by now), and the verbatim
  // search's table with its trigram indexes where this version has one.
  const fragments = await sql<{ bytes: string | null }>`select pg_total_relation_size(to_regclass('search_fragments')) as bytes`.execute(db);
  result['index_size_mb'] = {
    meilisearch_used: +((await client.getStats()).usedDatabaseSize / 2 ** 20).toFixed(1),
    postgres_search_fragments: +(Number(fragments.rows[0]?.bytes ?? 0) / 2 ** 20).toFixed(1),
  };
  log(`app catch-up: ${indexed.numberOfDocuments} records in ${(catchUpMs / 1000).toFixed(1)} s`);
  if (directFeed) {
    const directRate = directFeed.total / (directFeed.ms / 1000);
    const catchUpRate = directFeed.total / (catchUpMs / 1000);
    result['indexing'] = {
      records: directFeed.records,
      direct_feed: { seconds: +(directFeed.ms / 1000).toFixed(1), docs_per_s: +directRate.toFixed(1) },
      app_catch_up: { seconds: +(catchUpMs / 1000).toFixed(1), docs_per_s: +catchUpRate.toFixed(1), includes_app_start: true },
      ratio: +(catchUpRate / directRate).toFixed(3),
      indexed_records: indexed.numberOfDocuments,
    };
  } else {
    result['indexing'] = {
      app_reindex: { seconds: +(catchUpMs / 1000).toFixed(1), docs_per_s: +(loadedBefore / (catchUpMs / 1000)).toFixed(1), includes_app_start: true },
      compared_with_direct_feed: false,
    };
  }

  // 3. Latency, one client.
  // Three synthetic 文号, spelled with the other brackets.
  const sampleDocNumbers: string[] = [];
  for (const skip of [5, 1002, 1999]) {
    const row = await db.selectFrom('documents').select('doc_number').where('doc_number', 'like', '示%').orderBy('id').offset(skip).limit(1).executeTakeFirst();
    if (row?.doc_number) sampleDocNumbers.push(row.doc_number);
  }
  const QUERIES = [
    '规范性文件', '营商环境', '行政处罚', '食品安全', '环境保护', '个人信息保护', '税收征收管理', '安全生产责任', '未成年人保护', '城乡规划',
    '劳动合同', '知识产权', '社会保险', '突发事件应对', '政府信息公开', '消防安全', '农村土地承包', '数据安全', '乡村振兴', '养老服务',
    ...sampleDocNumbers.map((n) => n.replace('〔', '[').replace('〕', ']')),
  ];
  result['queries'] = QUERIES;
  /** Exactly what the app sends for a query. */
  const rawSame = (q: string) => sendAppRequests(client, q, indexes.search, TODAY);
  const forwarderPort = await findFreePort();
  forwarder = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench-search-forwarder.ts'], {
    env: {
      ...process.env,
      MEILI_URL: infra.meiliUrl,
      MEILI_MASTER_KEY: infra.meiliKey ?? '',
      INDEX_UID: indexes.search,
      TODAY,
      PORT: String(forwarderPort),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const rawPlain = (q: string) => client.index(indexes.search).search(q, { limit: 20, attributesToRetrieve: ['type', 'ref_id'] });
  // The app is called with the same HTTP client as Meilisearch (undici's request, src/platform/meili.ts):
  // fetch would add about 0.7 ms to each call to the app and none to the raw ones.
  const appClient = new Agent();
  const get = async (url: string, origin = base) => {
    const res = await request(origin + url, { dispatcher: appClient });
    await res.body.arrayBuffer();
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
  };
  const forwarded = `http://127.0.0.1:${forwarderPort}`;
  await waitFor(async () => (await request(forwarded, { dispatcher: appClient }).then((r) => r.body.dump().then(() => true), () => false)), 30_000, 'the forwarder did not start');
  const latency: Record<string, number[]> = { raw_plain: [], raw_same_params: [], forward_only: [], api: [], page: [] };
  for (let rep = 0; rep < REPS; rep++) {
    for (const q of QUERIES) {
      const e = encodeURIComponent(q);
      const measured: [string, () => Promise<unknown>][] = [
        ['raw_plain', () => rawPlain(q)],
        ['raw_same_params', () => rawSame(q)],
        ['forward_only', () => get(`/?q=${e}`, forwarded)],
        ['api', () => get(`/api/v1/search?q=${e}`)],
        ['page', () => get(`/search?q=${e}`)],
      ];
      for (const [name, work] of measured) {
        const [ms] = await timed(work);
        // The first round warms caches on every side; it is not counted.
        if (rep > 0) latency[name]!.push(ms);
      }
    }
  }
  const l = Object.fromEntries(Object.entries(latency).map(([k, v]) => [k, stats(v)]));
  result['latency_ms'] = l;

  // 4. Throughput with concurrent clients, and the app's memory across the phases.
  const rss: Record<string, number> = { after_catch_up: await rssMb(app.pid!) };
  const load = async (kind: 'api' | 'page') => {
    const latencies: number[] = [];
    let errors = 0;
    let n = 0;
    const deadline = Date.now() + SECONDS * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (Date.now() < deadline) {
          const q = encodeURIComponent(QUERIES[n++ % QUERIES.length]!);
          const filters = n % 4 === 0 ? '&status=in_force' : n % 4 === 1 ? '&sort=date' : '';
          try {
            const [ms] = await timed(() => get(kind === 'api' ? `/api/v1/search?q=${q}${filters}` : `/search?q=${q}${filters}`));
            latencies.push(ms);
          } catch {
            errors++;
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return { requests: latencies.length, errors, seconds: +seconds.toFixed(1), rps: +(latencies.length / seconds).toFixed(1), ...stats(latencies) };
  };
  const throughput: Record<string, unknown> = { clients: CLIENTS };
  throughput['api'] = await load('api');
  rss['after_api_load'] = await rssMb(app.pid!);
  throughput['page'] = await load('page');
  rss['after_page_load'] = await rssMb(app.pid!);
  throughput['api_again'] = await load('api');
  rss['after_api_load_again'] = await rssMb(app.pid!);
  throughput['page_again'] = await load('page');
  rss['after_page_load_again'] = await rssMb(app.pid!);
  result['throughput'] = throughput;
  result['app_rss_mb'] = rss;

  const errors = ['api', 'page', 'api_again', 'page_again'].reduce((sum, k) => sum + (throughput[k] as { errors: number }).errors, 0);
  const ratio = (a: number, b: number) => +(a / b).toFixed(2);
  result['targets'] = {
    api_p50_vs_raw_same_params: ratio(l['api']!.p50, l['raw_same_params']!.p50),
    api_within_1_2x: l['api']!.p50 <= 1.2 * l['raw_same_params']!.p50,
    page_p50_vs_raw_plain: ratio(l['page']!.p50, l['raw_plain']!.p50),
    page_within_2x: l['page']!.p50 <= 2 * l['raw_plain']!.p50,
    // What the hop alone costs (see the forwarder): the room 1.2× leaves the app is what is left.
    forward_only_p50_vs_raw_same_params: ratio(l['forward_only']!.p50, l['raw_same_params']!.p50),
    ...(directFeed
      ? {
          catch_up_vs_direct: (result['indexing'] as { ratio: number }).ratio,
          catch_up_at_least_0_9x: (result['indexing'] as { ratio: number }).ratio >= 0.9,
        }
      : {}),
    errors,
    no_errors: errors === 0,
    // The same load twice: what the second round adds is what grows without bound.
    rss_growth_mb_second_round: rss['after_page_load_again']! - rss['after_page_load']!,
  };
} catch (error) {
  result['error'] = error instanceof Error ? error.message : String(error);
  code = 1;
} finally {
  await stopChildren();
  await lifecycle.shutdown();
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exit(code);
