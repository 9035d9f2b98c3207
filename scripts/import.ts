/**
 * `npm run import -- <catalog.csv|catalog.xlsx|corpus.jsonl.gz> [--files DIR] [--dry-run] [--organ NAME]`
 *
 * Imports an existing catalog of documents (CSV or XLSX, one document per row, originals in a folder)
 * or the JSON Lines corpus (../shared/corpus/corpus.jsonl.gz). See README "批量导入" for the columns.
 * Shows a progress bar on a terminal, writes the rows it could not import to <name>.errors.csv next
 * to the input, and prints a JSON summary. Running it again imports only what is missing, so a run
 * that was killed is resumed by starting it again.
 *
 * With embedded services (no DATABASE_URL) the server must be stopped first: both would use the same
 * data directory.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { access, constants, mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { loadConfig } from '../src/config.js';
import { createLifecycle } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';
import { sharedExtractor } from '../src/platform/extractor.js';
import { openDatabase } from '../src/platform/infrastructure.js';
import { createLocalStorage } from '../src/platform/storage.js';
import { findUserByUsername } from '../src/features/accounts/user.repository.js';
import { can, type Actor } from '../src/features/accounts/actor.js';
import { createCatalogImportService, type RowError } from '../src/features/intake/catalog-import.service.js';
import { countRecords, formatOf, readRecords } from '../src/features/intake/catalog-import.readers.js';
import { systemClock } from '../src/platform/clock.js';
import { createVersionService } from '../src/features/catalog/document-versions.service.js';
import { createDocumentService } from '../src/features/catalog/document.service.js';
import { createExtractionService } from '../src/features/intake/extraction.service.js';

const USAGE = `用法：npm run import -- <目录.csv|目录.xlsx|corpus.jsonl.gz> [选项]
  --files DIR    原件所在目录（目录中“文件名”列的文件）
  --dry-run      只检查，不写入任何数据
  --organ NAME   未写发文机关的行使用的机关（须已存在）
  --user NAME    以哪个账号导入（默认 ADMIN_USERNAME，须为管理员或文件编辑）
  --batch N      每批提交的行数（默认 200）`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    files: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    organ: { type: 'string' },
    user: { type: 'string' },
    batch: { type: 'string', default: '200' },
    help: { type: 'boolean', default: false },
  },
});

const config = loadConfig(process.env);
const logger = createLogger(config.env === 'production' ? config.logLevel : 'warn');
const lifecycle = createLifecycle(logger);
process.on('SIGINT', () => void lifecycle.shutdown().then(() => process.exit(130)));
process.on('SIGTERM', () => void lifecycle.shutdown().then(() => process.exit(143)));

/**
 * Next to the input if that folder is writable, else under DATA_DIR. A folder without write bits is
 * read-only by intent (the shared corpus) even for root, whom access() lets write anywhere.
 */
async function reportPath(input: string): Promise<string> {
  const name = `${path.basename(input).replace(/\.(csv|xlsx|jsonl|ndjson)(\.gz)?$/i, '')}.errors.csv`;
  const folder = path.dirname(input);
  const writable = await access(folder, constants.W_OK).then(
    async () => ((await stat(folder)).mode & 0o222) !== 0,
    () => false,
  );
  if (writable) return path.join(folder, name);
  const dir = path.join(config.dataDir, 'import-reports');
  await mkdir(dir, { recursive: true });
  return path.join(dir, name);
}

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

async function main(): Promise<number> {
  if (values.help || positionals.length !== 1) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 64;
  }
  const input = path.resolve(positionals[0]!);
  formatOf(input);
  await access(input, constants.R_OK).catch(() => {
    throw new Error(`无法读取文件：${input}`);
  });
  const batchSize = Number(values.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 5000) throw new Error('--batch 应为 1 到 5000 之间的整数');

  const { db } = await openDatabase(config, logger, lifecycle, { search: false, maxConnections: 4 });
  lifecycle.add('extractor', () => sharedExtractor().close());

  const username = values.user ?? config.admin.username;
  const user = await findUserByUsername(db, username);
  if (!user || user.disabled) throw new Error(`账号“${username}”不存在或已停用（用 --user 指定）`);
  const actor: Actor = { userId: user.id, username: user.username, role: user.role, ip: null };
  if (!can(actor, 'document:write')) throw new Error(`账号“${username}”无权登记文件`);

  const storage = createLocalStorage(config.storageDir);
  const clock = systemClock(config.timeZone);
  const documents = createDocumentService({ db, storage, clock, extraction: createExtractionService(sharedExtractor()) });
  const versions = createVersionService({ db, storage, clock, documents });
  const importer = createCatalogImportService({ db, documents, versions });

  const report = await reportPath(input);
  await rm(report, { force: true });
  let reportStream: WriteStream | undefined;
  const onError = (e: RowError) => {
    if (!reportStream) {
      reportStream = createWriteStream(report);
      // The BOM makes Excel read the UTF-8 report as UTF-8.
      reportStream.write('\ufeff行号,标识,问题\n');
    }
    reportStream.write(`${[e.line, e.label, e.message].map(csvCell).join(',')}\n`);
  };

  const total = await countRecords(input);
  const bar = new cliProgress.SingleBar(
    {
      format: '导入 {bar} {percentage}% | {value}/{total} 行 | 新增 {inserted} 已有 {skipped} 失败 {failed}',
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { inserted: 0, skipped: 0, failed: 0 });
  const started = Date.now();
  const result = await importer.run(actor, readRecords(input), {
    dryRun: values['dry-run'],
    filesDir: values.files ? path.resolve(values.files) : null,
    defaultOrgan: values.organ ?? null,
    batchSize,
    maxFileBytes: config.maxUploadBytes,
    onError,
    onProgress: (p) => bar.update(p.rows, { inserted: p.inserted, skipped: p.skipped, failed: p.failed }),
  });
  bar.stop();
  if (reportStream) await new Promise<void>((resolve) => reportStream!.end(resolve));
  const seconds = (Date.now() - started) / 1000;
  const summary = {
    file: input,
    dry_run: values['dry-run'],
    rows: result.rows,
    inserted: result.inserted,
    skipped: result.skipped,
    failed: result.failed,
    notes: result.notes,
    organs_created: result.organsCreated,
    error_report: result.failed || result.notes ? report : null,
    seconds: Math.round(seconds * 10) / 10,
    rows_per_second: Math.round(result.rows / Math.max(seconds, 0.001)),
    max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  if (result.failed) process.stderr.write(`${result.failed} 行未能导入，详见 ${report}\n`);
  if (result.inserted && !values['dry-run']) process.stderr.write('搜索索引任务已排队，服务运行时会自动更新。\n');
  return result.failed ? 2 : 0;
}

let code: number;
try {
  code = await main();
} catch (error) {
  process.stderr.write(`导入失败：${error instanceof Error ? error.message : String(error)}\n`);
  code = 1;
}
await lifecycle.shutdown();
process.exit(code);
