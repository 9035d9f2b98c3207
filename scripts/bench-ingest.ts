/**
 * `npm run bench:ingest`: ingestion figures, printed as JSON.
 *
 * 1. PDF text extraction: Chinese PDFs typeset with pdfkit and a CJK font (fonts-wqy-zenhei or
 *    fonts-noto-cjk), through the extractor pool (child processes, 2 workers) and through Debian's
 *    `pdftotext` (poppler-utils) on the same files, one at a time and two at a time.
 * 2. End-to-end import of the shared corpus (4,985 documents) with `npm run import` into an empty
 *    database, then the same import again (everything skipped).
 * 3. A 10,000-document import (the corpus plus synthetic records made from it): documents/s and the
 *    importer's peak RSS.
 * 4. OCR of scans: a scanned 公文 (text drawn with the CJK font, rasterized, wrapped in a PDF) read
 *    through the pool (page rendering with pdftoppm included), against `tesseract` run directly on
 *    the same page images (rendered beforehand), two at a time; and the character accuracy of the
 *    OCR text against the text drawn.
 * Runs its own embedded PostgreSQL in a temporary DATA_DIR and stops it. Options: --pdf-files 6
 * --pdf-pages 100 --ocr-pages 6; --skip-imports leaves out 2 and 3 (the extraction figures alone).
 */
import { execFile, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import pg from 'pg';
import { createDb } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createLogger } from '../src/logger.js';
import { projectRoot } from '../src/paths.js';
import { startEmbeddedPostgres } from '../src/platform/embedded-postgres.js';
import { insertOrgan } from '../src/features/catalog/organ.repository.js';
import { createExtractorPool } from '../src/platform/extractor.js';
import { createUserService } from '../src/features/accounts/user.service.js';
import { createExtractionService } from '../src/features/intake/extraction.service.js';
import { ocrAvailable } from '../src/platform/ocr-tools.js';
import {
  characterAccuracy,
  chinesePdf,
  corpusStream,
  CORPUS_FILE,
  manyPagePdf,
  RED_HEAD_LINES,
  scannedTextPdf,
} from '../test/support/upload-fixtures.js';

const { values } = parseArgs({
  options: {
    'pdf-files': { type: 'string', default: '6' },
    'pdf-pages': { type: 'string', default: '100' },
    'ocr-pages': { type: 'string', default: '6' },
    'skip-imports': { type: 'boolean', default: false },
  },
});
const OCR_PAGES = Math.min(Number(values['ocr-pages']), 100);
const PDF_FILES = Math.min(Number(values['pdf-files']), 20);
const PDF_PAGES = Math.min(Number(values['pdf-pages']), 500);
const run = promisify(execFile);
const logger = createLogger('warn');
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
// The organ of the corpus records that name none (262 of them), given with --organ.
const UNNAMED_ORGAN = '未注明制定机关';

const loadAtStart = os.loadavg()[0]!;
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gfwj-bench-ingest-'));
// As root, embedded-postgres runs the server as 'postgres', which must be able to enter here.
await chmod(dataDir, 0o755);

async function pdfBenchmark() {
  const files: string[] = [];
  for (let i = 0; i < PDF_FILES; i++) {
    const file = path.join(dataDir, `bench-${i}.pdf`);
    await writeFile(file, await manyPagePdf(PDF_PAGES));
    files.push(file);
  }
  const bytes = await Promise.all(files.map((f) => readFile(f)));
  const pages = PDF_FILES * PDF_PAGES;

  async function poolRate(workers: number, pdftotext = true) {
    const pool = createExtractorPool({ workers, pdftotext });
    try {
      // Warm: every child started and its parser loaded, as in a running server.
      const warm = await chinesePdf([['预热']]);
      await Promise.all(Array.from({ length: workers }, () => pool.extract('pdf', warm)));
      const started = performance.now();
      const results = await Promise.all(bytes.map((b) => pool.extract('pdf', b)));
      const seconds = (performance.now() - started) / 1000;
      if (results.some((r) => r.pages.length !== PDF_PAGES)) throw new Error('extraction lost pages');
      return pages / seconds;
    } finally {
      await pool.close();
    }
  }

  async function pdftotextRate(parallel: number): Promise<number | null> {
    try {
      await run('pdftotext', ['-v']);
    } catch {
      return null;
    }
    const queue = [...files];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        for (let file = queue.shift(); file; file = queue.shift()) {
          await run('pdftotext', ['-enc', 'UTF-8', file, path.join(dataDir, `${path.basename(file)}.txt`)]);
        }
      }),
    );
    return pages / ((performance.now() - started) / 1000);
  }

  const pool2 = await poolRate(2);
  const pool1 = await poolRate(1);
  // Where the time went before: pdf.js alone, as on a machine without poppler.
  const pdfjs2 = await poolRate(2, false);
  const poppler1 = await pdftotextRate(1);
  const poppler2 = await pdftotextRate(2);
  return {
    files: PDF_FILES,
    pages_per_file: PDF_PAGES,
    han_chars_per_page: 1000,
    pool_2_workers_pages_per_s: round(pool2),
    pool_1_worker_pages_per_s: round(pool1),
    pool_2_workers_pdfjs_only_pages_per_s: round(pdfjs2),
    pdftotext_pages_per_s: poppler1 === null ? null : round(poppler1),
    pdftotext_2_parallel_pages_per_s: poppler2 === null ? null : round(poppler2),
    pdftotext_over_pool_ratio: poppler2 === null ? null : round(poppler2 / pool2, 2),
    // The target: the pool on both cores at least half as fast as two pdftotext processes.
    pool_over_pdftotext_2_parallel: poppler2 === null ? null : round(pool2 / poppler2, 2),
    note: poppler1 === null ? 'pdftotext not installed (apt-get install poppler-utils)' : undefined,
  };
}

/** Two at a time, as the pool's two children run. */
async function inPairs<T>(items: T[], work: (item: T) => Promise<void>) {
  const queue = [...items];
  await Promise.all(
    [0, 1].map(async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

async function ocrBenchmark() {
  if (!ocrAvailable()) return { note: 'OCR off: apt-get install tesseract-ocr tesseract-ocr-chi-sim poppler-utils' };
  const drawn = Array.from({ length: OCR_PAGES }, (_, i) => (i === 0 ? RED_HEAD_LINES : [`第${i + 1}条 ${RED_HEAD_LINES[4]}`, ...RED_HEAD_LINES.slice(5)]));
  // One file a page, so that the two children share the work as they would share uploads.
  const scans = await Promise.all(drawn.map((lines) => scannedTextPdf([lines])));
  const pool = createExtractorPool({ workers: 2 });
  const extraction = createExtractionService(pool, { ocr: true });
  let pooled: { seconds: number; accuracy: number };
  try {
    await Promise.all([0, 1].map(() => pool.extract('pdf', scans[0]!)));
    const started = performance.now();
    const texts = await Promise.all(scans.map((bytes) => extraction.extract({ kind: 'pdf', bytes })));
    const seconds = (performance.now() - started) / 1000;
    const accuracy = texts.map((t, i) => characterAccuracy(drawn[i]!.join('\n'), t.text));
    pooled = { seconds, accuracy: accuracy.reduce((a, b) => a + b, 0) / accuracy.length };
  } finally {
    await pool.close();
  }
  // The same pages as the pool renders them (200 dpi, grey), then Tesseract alone on them.
  const images: string[] = [];
  for (const [i, bytes] of scans.entries()) {
    const pdfFile = path.join(dataDir, `scan-${i}.pdf`);
    await writeFile(pdfFile, bytes);
    await run('pdftoppm', ['-r', '200', '-gray', '-png', '-singlefile', pdfFile, path.join(dataDir, `scan-${i}`)]);
    images.push(path.join(dataDir, `scan-${i}.png`));
  }
  const env = { ...process.env, OMP_THREAD_LIMIT: '1' };
  const started = performance.now();
  await inPairs(images, async (image) => void (await run('tesseract', [image, 'stdout', '-l', 'chi_sim', '--psm', '3'], { env })));
  const direct = (performance.now() - started) / 1000;
  return {
    pages: OCR_PAGES,
    render_dpi: 200,
    pool_2_workers_pages_per_s: round(OCR_PAGES / pooled.seconds, 2),
    tesseract_direct_2_parallel_pages_per_s: round(OCR_PAGES / direct, 2),
    pool_over_tesseract_direct: round(direct / pooled.seconds, 2),
    character_accuracy: round(pooled.accuracy, 4),
  };
}

/** The corpus plus synthetic records (new ids and titles, paragraphs reordered) up to `total`. */
async function writeTenThousand(file: string, total: number) {
  const gzip = zlib.createGzip();
  const out = gzip.pipe(createWriteStream(file));
  const closed = new Promise<void>((resolve) => out.on('close', () => resolve()));
  const write = async (line: string) => {
    if (!gzip.write(`${line}\n`)) await new Promise<void>((resolve) => gzip.once('drain', () => resolve()));
  };
  let count = 0;
  const seeds: { title: string; issuing_organ: string | null; kind: string | null; body: string }[] = [];
  for await (const record of corpusStream()) {
    await write(JSON.stringify(record));
    count++;
    if (seeds.length < 500 && record.body.length > 2000) {
      seeds.push({ title: record.title, issuing_organ: record.issuing_organ, kind: record.kind, body: record.body });
    }
  }
  for (let i = 0; count < total; i++, count++) {
    const seed = seeds[i % seeds.length]!;
    const paragraphs = seed.body.split('\n');
    const shift = (i * 7) % paragraphs.length;
    await write(
      JSON.stringify({
        id: `synthetic-${i}`,
        title: `${seed.title}（合成样本${i}）`,
        kind: seed.kind,
        issuing_organ: seed.issuing_organ,
        doc_number: null,
        publish_date: `20${String(10 + (i % 15)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 10}`,
        effective_date: null,
        body: [...paragraphs.slice(shift), ...paragraphs.slice(0, shift)].join('\n'),
      }),
    );
  }
  gzip.end();
  await closed;
  return count;
}

interface ImportSummary {
  rows: number;
  inserted: number;
  skipped: number;
  failed: number;
  notes: number;
  seconds: number;
  max_rss_mb: number;
}

/** `npm run import` as its own process against `databaseUrl`, sampling its RSS from /proc. */
async function importFile(file: string, databaseUrl: string): Promise<ImportSummary & { peak_rss_sampled_mb: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/import.ts', file, '--user', 'admin', '--organ', UNNAMED_ORGAN], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl, DATA_DIR: dataDir, STORAGE_DIR: path.join(dataDir, 'files'), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  let peak = 0;
  const sampler = setInterval(() => {
    readFile(`/proc/${child.pid}/status`, 'utf8').then(
      (status) => {
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        peak = Math.max(peak, kb / 1024);
      },
      () => undefined,
    );
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(sampler);
  if (code !== 0 && code !== 2) throw new Error(`import exited with ${code}: ${stdout}`);
  return { ...(JSON.parse(stdout.trim().split('\n').at(-1)!) as ImportSummary), peak_rss_sampled_mb: Math.round(peak) };
}

const pdf = await pdfBenchmark();
const ocr = await ocrBenchmark();
if (values['skip-imports']) {
  const machine = { cpus: os.cpus().length, node: process.version, load_average_1m_at_start: round(loadAtStart, 2) };
  process.stdout.write(`${JSON.stringify({ machine, pdf_extraction: pdf, ocr }, null, 2)}\n`);
  await rm(dataDir, { recursive: true, force: true });
  process.exit(0);
}

const postgres = await startEmbeddedPostgres(path.join(dataDir, 'pg'), logger);
try {

  async function freshDatabase(name: string) {
    const admin = new pg.Client({ connectionString: postgres.url('postgres') });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const db = createDb(postgres.url(name), { max: 2 });
    try {
      await migrateToLatest(db);
      await createUserService({ db }).create(null, { username: 'admin', password: 'bench-admin-password', role: 'admin', display_name: null });
      await db.transaction().execute((trx) => insertOrgan(trx, { name: UNNAMED_ORGAN }));
    } finally {
      await db.destroy();
    }
    return postgres.url(name);
  }

  const corpusDb = await freshDatabase('bench_corpus');
  const corpus = await importFile(CORPUS_FILE, corpusDb);
  const rerun = await importFile(CORPUS_FILE, corpusDb);

  const tenThousandFile = path.join(dataDir, 'ten-thousand.jsonl.gz');
  const total = await writeTenThousand(tenThousandFile, 10_000);
  const big = await importFile(tenThousandFile, await freshDatabase('bench_10k'));

  const rate = (s: ImportSummary) => round(s.rows / s.seconds);
  process.stdout.write(
    `${JSON.stringify(
      {
        // Other work on the machine slows every figure; the load says how much there was.
        machine: { cpus: os.cpus().length, node: process.version, load_average_1m_at_start: round(loadAtStart, 2) },
        pdf_extraction: pdf,
        ocr,
        corpus_import: {
          documents: corpus.rows,
          inserted: corpus.inserted,
          failed: corpus.failed,
          imported_without_clashing_doc_number: corpus.notes,
          seconds: corpus.seconds,
          documents_per_s: rate(corpus),
          importer_peak_rss_mb: Math.max(corpus.max_rss_mb, corpus.peak_rss_sampled_mb),
        },
        corpus_reimport_all_skipped: { documents: rerun.rows, skipped: rerun.skipped, inserted: rerun.inserted, seconds: rerun.seconds, documents_per_s: rate(rerun) },
        import_10k: {
          documents: total,
          inserted: big.inserted,
          failed: big.failed,
          seconds: big.seconds,
          documents_per_s: rate(big),
          importer_peak_rss_mb: Math.max(big.max_rss_mb, big.peak_rss_sampled_mb),
        },
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await postgres.stop();
  await rm(dataDir, { recursive: true, force: true });
}
