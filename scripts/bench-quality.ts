/**
 * `npm run bench:quality [-- --docs 1500 --probes 100 --seed 13]`: how well search finds a known
 * document, printed as JSON (progress goes to stderr).
 *
 * Loads the first --docs documents of the shared corpus (../shared/corpus/corpus.jsonl.gz) through
 * the catalog import service (as `npm run import` does: validation, audit, index jobs) into embedded
 * PostgreSQL and Meilisearch in a temporary directory, lets the index worker catch up, then asks the
 * search service, as the public, for --probes queries of each kind cut at random character positions
 * (seeded: the same on every run):
 * - body16 and body16_quoted: 16 characters of a body (quoted: `"…"`), body6: 6 characters,
 * - title8: 8 characters of a title, doc_number: a 文号 in four spellings.
 * For each kind: success@1 and MRR@10 (the source document's rank), latency p50/p95; for fragments,
 * also over the fragments that stand in exactly one document (MRR@10 `unique`), and for all of them
 * whether the first hit contains the fragment (`first_hit_contains`) and the source is among the
 * first 10 (`source_in_10`). "Contains" is judged on the texts as normalizeFragment reads them.
 */
import { createReadStream } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { loadConfig } from '../src/config.js';
import { createLifecycle } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';
import { systemClock } from '../src/platform/clock.js';
import { openDatabase } from '../src/platform/infrastructure.js';
import { createMeiliClient } from '../src/platform/meili.js';
import { createLocalStorage } from '../src/platform/storage.js';
import { createServices } from '../src/services.js';
import { createCatalogImportService } from '../src/features/intake/catalog-import.service.js';
import type { ImportRecord } from '../src/features/intake/catalog-import.service.js';
import type { CorpusRecord } from '../src/features/intake/catalog-row.js';
import { createIndexWorker } from '../src/features/search/index-worker.js';
import { ensureIndex, indexNames } from '../src/features/search/search-index.js';
import { normalizeFragment } from '../src/features/search/search-text.js';
import { parseDocNumber } from '../src/shared/doc-number.js';
import { percentile, random } from './bench-random.js';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '1500' },
    probes: { type: 'string', default: '100' },
    seed: { type: 'string', default: '13' },
  },
});
const DOCS = Math.max(10, Number(values.docs));
const PROBES = Math.max(5, Number(values.probes));
const CORPUS = path.resolve(process.cwd(), '../shared/corpus/corpus.jsonl.gz');
const log = (message: string) => process.stderr.write(`[bench:quality] ${message}\n`);

const rand = random(Number(values.seed));

async function* firstCorpusRecords(limit: number): AsyncGenerator<ImportRecord> {
  const lines = readline.createInterface({ input: createReadStream(CORPUS).pipe(createGunzip()), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    if (!line.trim()) continue;
    if (n++ >= limit) break;
    yield { line: n, corpus: JSON.parse(line) as CorpusRecord };
  }
}

interface Loaded {
  id: number;
  title: string;
  body: string;
  doc_number: string | null;
  /** normalizeFragment of title and body, to judge "contains". */
  normalized: string;
}

interface Probe {
  kind: string;
  q: string;
  source: number;
  /** The fragment as normalizeFragment reads it; absent for 文号. */
  fragment?: string;
}

/** `length` characters cut at a random position, holding at least that many letters or digits less a quarter. */
function cut(text: string, length: number): string | null {
  for (let attempt = 0; attempt < 20; attempt++) {
    const start = Math.floor(rand() * Math.max(1, text.length - length));
    const piece = text.slice(start, start + length);
    if (piece.length === length && normalizeFragment(piece).length >= Math.ceil(length * 0.75)) return piece;
  }
  return null;
}

/** 示政发〔2023〕5号 in four spellings: as written, square brackets, round brackets, full-width digits. */
function spellings(docNumber: string): string[] {
  const fullWidth = docNumber.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
  return [docNumber, docNumber.replace('〔', '[').replace('〕', ']'), docNumber.replace('〔', '（').replace('〕', '）'), fullWidth];
}

function makeProbes(docs: Loaded[]): Probe[] {
  const probes: Probe[] = [];
  const pick = () => docs[Math.floor(rand() * docs.length)]!;
  const add = (kind: string, length: number, field: 'title' | 'body', quoted = false) => {
    for (let made = 0, tries = 0; made < PROBES && tries < PROBES * 20; tries++) {
      const doc = pick();
      const piece = cut(doc[field], length);
      if (!piece) continue;
      probes.push({ kind, q: quoted ? `"${piece}"` : piece, source: doc.id, fragment: normalizeFragment(piece) });
      made++;
    }
  };
  add('body16', 16, 'body');
  add('body16_quoted', 16, 'body', true);
  add('body6', 6, 'body');
  add('title8', 8, 'title');
  const numbered = docs.filter((d) => d.doc_number && parseDocNumber(d.doc_number)?.year);
  for (let i = 0; i < Math.min(PROBES, numbered.length); i++) {
    const doc = numbered[Math.floor(rand() * numbered.length)]!;
    for (const q of spellings(doc.doc_number!)) probes.push({ kind: 'doc_number', q, source: doc.id });
  }
  return probes;
}

const mean = (xs: number[]) => (xs.length ? +(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3) : null);

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gfwj-bench-quality-'));
await chmod(dataDir, 0o755);
const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', MEILI_INDEX_PREFIX: 'quality_' });
const logger = createLogger('warn');
const lifecycle = createLifecycle(logger);
lifecycle.add('temporary directory', () => rm(dataDir, { recursive: true, force: true }));
const result: Record<string, unknown> = { docs: DOCS, probes_per_kind: PROBES, seed: Number(values.seed) };
let code = 0;
try {
  const { infra, db } = await openDatabase(config, logger, lifecycle, { search: true, maxConnections: 6 });
  const indexes = indexNames(createMeiliClient(infra.meiliUrl, infra.meiliKey), config.meili.indexPrefix);
  await ensureIndex(indexes.client, indexes.search);
  const clock = systemClock(config.timeZone);
  const services = createServices({ db, indexes, storage: createLocalStorage(path.join(dataDir, 'files')), clock });
  const userId = await services.users.create(null, { username: 'bench', password: 'bench-quality-2026', role: 'admin' });
  const actor = { userId, username: 'bench', role: 'admin' as const, ip: null };

  const started = performance.now();
  const importer = createCatalogImportService({ db, documents: services.documents, versions: services.versions });
  const imported = await importer.run(actor, firstCorpusRecords(DOCS), { maxFileBytes: 50 << 20, onError: () => undefined, batchSize: 200 });
  const worker = createIndexWorker({ db, indexes, logger, clock });
  await worker.drainNow();
  await worker.stop();
  result['load'] = { inserted: imported.inserted, failed: imported.failed, seconds: +((performance.now() - started) / 1000).toFixed(1) };
  log(`loaded and indexed ${imported.inserted} documents`);

  const rows = await db.selectFrom('documents').select(['id', 'title', 'body', 'doc_number']).where('published_on', '<=', clock.today()).execute();
  const docs: Loaded[] = rows.map((r) => ({ ...r, normalized: `${normalizeFragment(r.title)} ${normalizeFragment(r.body)}` }));
  const byId = new Map(docs.map((d) => [d.id, d]));
  const probes = makeProbes(docs);

  const perKind = new Map<string, { ranks: (number | null)[]; uniqueRanks: (number | null)[]; firstContains: boolean[]; inTen: boolean[]; ms: number[] }>();
  for (const probe of probes) {
    const t0 = performance.now();
    const answer = await services.search.search(null, { q: probe.q, sort: 'relevance', page: 1, page_size: 10 });
    const ms = performance.now() - t0;
    const at = answer.hits.findIndex((h) => h.type === 'document' && h.id === probe.source);
    const rank = at >= 0 ? at + 1 : null;
    const entry = perKind.get(probe.kind) ?? { ranks: [], uniqueRanks: [], firstContains: [], inTen: [], ms: [] };
    entry.ranks.push(rank);
    entry.ms.push(ms);
    if (probe.fragment) {
      const standing = docs.filter((d) => d.normalized.includes(probe.fragment!)).length;
      if (standing === 1) entry.uniqueRanks.push(rank);
      const first = answer.hits[0];
      const firstText = first?.type === 'document' ? byId.get(first.id)?.normalized : undefined;
      // An interpretation first: judged by its title and snippet text, which is all the page shows.
      entry.firstContains.push(first ? (firstText ?? normalizeFragment(`${first.title}${first.snippet}`)).includes(probe.fragment) : false);
      entry.inTen.push(rank !== null);
    }
    perKind.set(probe.kind, entry);
  }
  const reciprocal = (ranks: (number | null)[]) => ranks.map((r) => (r ? 1 / r : 0));
  const rate = (xs: boolean[]) => (xs.length ? +(xs.filter(Boolean).length / xs.length).toFixed(3) : null);
  result['kinds'] = Object.fromEntries(
    [...perKind].map(([kind, e]) => [
      kind,
      {
        n: e.ranks.length,
        success_at_1: rate(e.ranks.map((r) => r === 1)),
        mrr_at_10: mean(reciprocal(e.ranks)),
        ...(e.firstContains.length
          ? {
              first_hit_contains: rate(e.firstContains),
              source_in_10: rate(e.inTen),
              unique: { n: e.uniqueRanks.length, mrr_at_10: mean(reciprocal(e.uniqueRanks)), success_at_1: rate(e.uniqueRanks.map((r) => r === 1)) },
            }
          : {}),
        latency_ms: { p50: +percentile(e.ms, 50).toFixed(1), p95: +percentile(e.ms, 95).toFixed(1) },
      },
    ]),
  );
} catch (error) {
  result['error'] = error instanceof Error ? error.stack ?? error.message : String(error);
  code = 1;
} finally {
  await lifecycle.shutdown();
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exit(code);
