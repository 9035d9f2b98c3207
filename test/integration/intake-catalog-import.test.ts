import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { projectRoot } from '../../src/paths.js';
import type { Actor } from '../../src/features/accounts/actor.js';
import { createCatalogImportService, type ImportOptions, type RowError } from '../../src/features/intake/catalog-import.service.js';
import { readRecords } from '../../src/features/intake/catalog-import.readers.js';
import { expectNothingStored, rowDelta } from '../support/assertions.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { buildOrgan } from '../support/factories.js';
import { chinesePdf, corpusSample, encryptedPdf, gbkText } from '../support/upload-fixtures.js';

vi.setConfig({ testTimeout: 120_000 });

let ctx: TestContext;
let admin: Actor;
let adminName: string;
let dir: string;
let organName: string;

beforeAll(async () => {
  ctx = await createTestContext();
  ({ actor: admin } = await ctx.user('admin'));
  adminName = admin.username;
  organName = '静安区人民政府';
  await buildOrgan(ctx.services, admin, { name: organName, doc_prefixes: ['静府规'] });
  await buildOrgan(ctx.services, admin, { name: '静安区生态环境局', doc_prefixes: ['静环规'] });
  dir = await mkdtemp(path.join(os.tmpdir(), 'gfwj-import-'));
  await mkdir(path.join(dir, 'originals'));
  await writeFile(path.join(dir, 'originals', '生态资金办法.pdf'), await chinesePdf([['静安区生态环境保护专项资金管理办法', '第一条 为加强资金管理，制定本办法。']]));
  await writeFile(path.join(dir, 'originals', '加密.pdf'), encryptedPdf());
  await writeFile(path.join(dir, 'secret.pdf'), await chinesePdf([['目录之外']]));
});
afterAll(async () => {
  await ctx?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function importer() {
  return createCatalogImportService({ db: ctx.db, documents: ctx.services.documents, versions: ctx.services.versions });
}

async function run(file: string, options: Partial<ImportOptions> = {}) {
  const errors: RowError[] = [];
  const result = await importer().run(admin, readRecords(file), {
    maxFileBytes: ctx.config.maxUploadBytes,
    filesDir: path.join(dir, 'originals'),
    onError: (e) => errors.push(e),
    ...options,
  });
  return { result, errors };
}

const csv = (rows: string[][]) => '\ufeff' + rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',')).join('\r\n') + '\r\n';

const CATALOG = [
  ['标题', '文号', '类别', '发文机关', '成文日期', '发布日期', '施行日期', '有效期至', '废止日期', '主题分类', '文件名'],
  ['静安区生态环境保护专项资金管理办法', '静府规〔2023〕5号', '行政规范性文件', '静安区人民政府', '二〇二三年五月十二日', '2023.5.20', '2023-06-01', '2028-05-31', '', '生态环境、财政信息', '生态资金办法.pdf'],
  ['关于加强噪声污染防治的通知', '', '规范性文件', '静安区生态环境局', '', '2022年3月1日', '', '', '2024-01-01', '生态环境', ''],
  ['静安区行政规范性文件管理规定', '静安区人民政府令第1号', '规章', '静安区人民政府', '2020/1/10', '2020-01-15', '2020-03-01', '', '', '', ''],
  ['未知机关的文件', '', '行政规范性文件', '不存在的机关', '', '2023-01-01', '', '', '', '', ''],
  ['日期写错的文件', '', '行政规范性文件', '静安区人民政府', '2023年13月1日', '', '', '', '', '', ''],
  ['类别写错的文件', '', '命令', '静安区人民政府', '', '', '', '', '', '', ''],
  ['原件缺失的文件', '静府规〔2023〕6号', '行政规范性文件', '静安区人民政府', '', '2023-06-01', '', '', '', '', '不存在.pdf'],
  ['原件在目录之外', '静府规〔2023〕7号', '行政规范性文件', '静安区人民政府', '', '2023-06-01', '', '', '', '', '../secret.pdf'],
  ['原件加密的文件', '静府规〔2023〕8号', '行政规范性文件', '静安区人民政府', '', '2023-06-01', '', '', '', '', '加密.pdf'],
  ['文号相同、标题不同的文件', '静府规〔2023〕5号', '行政规范性文件', '静安区人民政府', '', '2023-07-01', '', '', '', '', ''],
  ['主题未知的文件', '静府规〔2023〕9号', '行政规范性文件', '静安区人民政府', '', '2023-07-01', '', '', '', '不存在的主题', ''],
];

describe('catalog CSV import', () => {
  let file: string;
  beforeAll(async () => {
    file = path.join(dir, 'catalog.csv');
    await writeFile(file, csv(CATALOG));
  });

  it('a dry run checks every row and stores nothing', async () => {
    let outcome: Awaited<ReturnType<typeof run>> | undefined;
    await expectNothingStored(ctx.db, async () => {
      outcome = await run(file, { dryRun: true });
    });
    expect(outcome!.result).toMatchObject({ rows: 11, inserted: 4, failed: 7 });
  });

  it('imports the good rows through the document service and reports each bad row with its line', async () => {
    let outcome: Awaited<ReturnType<typeof run>> | undefined;
    const delta = await rowDelta(ctx.db, async () => {
      outcome = await run(file);
    });
    const { result, errors } = outcome!;
    expect(result).toEqual({ rows: 11, inserted: 4, skipped: 0, failed: 7, notes: 0, organsCreated: 0, versions: 0 });
    expect(delta).toMatchObject({ documents: 4, document_files: 1, stored_files: 1, document_repeals: 1, organs: 0 });
    // Every document got its audit entry and index job, as if registered through the API.
    expect(delta.index_jobs).toBeGreaterThanOrEqual(4);
    expect(delta.audit_log).toBe(5);
    const byLine = Object.fromEntries(errors.map((e) => [e.line, e.message]));
    expect(byLine).toEqual({
      5: expect.stringMatching(/发文机关“不存在的机关”不存在/),
      6: expect.stringMatching(/成文日期“2023年13月1日”不是有效日期/),
      7: expect.stringMatching(/类别“命令”无法识别/),
      8: expect.stringMatching(/找不到原件“不存在.pdf”/),
      9: expect.stringMatching(/不在 --files 指定的目录内/),
      10: expect.stringMatching(/已加密/),
      12: expect.stringMatching(/未知的主题分类：不存在的主题/),
    });

    // A row sharing a 文号 under another title is a document of its own, warned of.
    const sharing = await ctx.db.selectFrom('documents').select('warnings').where('title', '=', '文号相同、标题不同的文件').executeTakeFirstOrThrow();
    expect(sharing.warnings.map((w) => w.code)).toEqual(['missing_fields', 'no_expiry', 'doc_number_shared']);
    const notice = await ctx.db.selectFrom('documents').selectAll().where('title', '=', '静安区生态环境保护专项资金管理办法').executeTakeFirstOrThrow();
    expect(notice).toMatchObject({ signed_on: '2023-05-12', published_on: '2023-05-20', effective_on: '2023-06-01', expires_on: '2028-05-31' });
    expect(notice.body).toBe('静安区生态环境保护专项资金管理办法\n第一条 为加强资金管理，制定本办法。');
    const view = await ctx.services.documents.get(admin, notice.id);
    expect(view.topics.sort()).toEqual(['生态环境', '财政信息'].sort());
    expect(view.files).toEqual([expect.objectContaining({ name: '生态资金办法.pdf', role: 'main', text_layer: true })]);

    const repealed = await ctx.db.selectFrom('documents').select('id').where('title', '=', '关于加强噪声污染防治的通知').executeTakeFirstOrThrow();
    expect((await ctx.services.documents.get(admin, repealed.id)).status).toBe('repealed');
    const rule = await ctx.db.selectFrom('documents').selectAll().where('doc_number', '=', '静安区人民政府令第1号').executeTakeFirstOrThrow();
    expect(rule.kind).toBe('rule');
  });

  it('running it again changes nothing', async () => {
    let outcome: Awaited<ReturnType<typeof run>> | undefined;
    await expectNothingStored(ctx.db, async () => {
      outcome = await run(file);
    });
    expect(outcome!.result).toMatchObject({ rows: 11, inserted: 0, skipped: 4, failed: 7 });
  });

  it('a 废止日期 added to the catalog later is applied to the document already imported', async () => {
    const later = CATALOG.map((r) => [...r]);
    later[3]![8] = '2024-06-30';
    const updated = path.join(dir, 'catalog-later.csv');
    await writeFile(updated, csv(later));
    const delta = await rowDelta(ctx.db, async () => {
      expect((await run(updated)).result).toMatchObject({ inserted: 0, skipped: 4 });
    });
    expect(delta).toMatchObject({ documents: 0, document_repeals: 1 });
  });
});

describe('other catalog formats', () => {
  it('reads a GBK CSV with English headers and a default organ', async () => {
    const file = path.join(dir, 'gbk.csv');
    await writeFile(
      file,
      gbkText('title,doc_number,kind,published_on\r\n关于做好防汛工作的通知,静府规〔2021〕3号,normative,2021-05-06\r\n'),
    );
    const { result, errors } = await run(file, { defaultOrgan: organName });
    expect(errors).toEqual([]);
    expect(result).toMatchObject({ inserted: 1 });
    expect(await ctx.db.selectFrom('documents').select('title').where('doc_number', '=', '静府规〔2021〕3号').executeTakeFirst()).toEqual({
      title: '关于做好防汛工作的通知',
    });
  });

  it('reads UTF-8 that carries a control character as UTF-8, not as GBK', async () => {
    const file = path.join(dir, 'control.csv');
    // A vertical tab pasted from Word: valid UTF-8, but not "plain text" to a sniffer of uploads.
    await writeFile(file, 'title,doc_number,kind,published_on\r\n关于做好\u000b抗旱工作的通知,静府规〔2021〕4号,normative,2021-05-07\r\n', 'utf8');
    const { result, errors } = await run(file, { defaultOrgan: organName });
    expect(errors).toEqual([]);
    expect(result).toMatchObject({ inserted: 1 });
    const row = await ctx.db.selectFrom('documents').select('title').where('doc_number', '=', '静府规〔2021〕4号').executeTakeFirstOrThrow();
    expect(row.title).toContain('抗旱工作的通知');
  });

  it('reads an XLSX catalog with date cells, serial numbers and text dates', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('目录');
    sheet.addRow(['标题', '文号', '发文机关', '成文日期', '发布日期', '施行日期']);
    sheet.addRow(['关于印发XLSX测试办法的通知', '静府规〔2022〕11号', organName, new Date(Date.UTC(2022, 2, 1)), 44630, '2022年3月20日']);
    const file = path.join(dir, 'catalog.xlsx');
    await workbook.xlsx.writeFile(file);
    const { result, errors } = await run(file);
    expect(errors).toEqual([]);
    expect(result).toMatchObject({ rows: 1, inserted: 1 });
    expect(
      await ctx.db.selectFrom('documents').select(['signed_on', 'published_on', 'effective_on', 'kind']).where('doc_number', '=', '静府规〔2022〕11号').executeTakeFirst(),
    ).toEqual({ signed_on: '2022-03-01', published_on: '2022-03-10', effective_on: '2022-03-20', kind: 'normative' });
  });

  it('refuses a catalog without a 标题 column, and an unknown file type', async () => {
    const file = path.join(dir, 'no-title.csv');
    await writeFile(file, '文号,发文机关\n静府规〔2023〕1号,静安区人民政府\n');
    await expect(run(file)).rejects.toThrow(/缺少“标题”列/);
    expect(() => readRecords(path.join(dir, 'catalog.txt'))).toThrow(/不支持的目录文件/);
  });
});

describe('corpus import (JSON Lines)', () => {
  it('imports real records, creates their organs on the fly, and a second run changes nothing', async () => {
    const file = path.join(dir, 'sample.jsonl.gz');
    const records = await corpusSample(file, 40, ['{not json', JSON.stringify({ id: 'no-organ-1', title: '无机关', body: '正文', issuing_organ: null })]);
    const first = await run(file);
    expect(first.result.rows).toBe(42);
    expect(first.errors.map((e) => e.line)).toEqual(expect.arrayContaining([41, 42]));
    expect(first.result.inserted + first.result.failed).toBe(42);
    expect(first.result.inserted).toBeGreaterThanOrEqual(38);
    expect(first.result.organsCreated).toBeGreaterThan(0);
    const sources = await ctx.db.selectFrom('import_sources').select(['source_key', 'document_id']).execute();
    expect(sources).toHaveLength(first.result.inserted);
    const first40 = records[0]!;
    const imported = await ctx.db
      .selectFrom('import_sources as s')
      .innerJoin('documents as d', 'd.id', 's.document_id')
      .innerJoin('organs as o', 'o.id', 'd.organ_id')
      .select(['d.title', 'd.kind', 'd.doc_number', 'd.published_on', 'o.name as organ'])
      .where('s.source_key', '=', first40.id)
      .executeTakeFirstOrThrow();
    expect(imported).toEqual({
      title: first40.title,
      kind: 'other',
      doc_number: first40.doc_number,
      published_on: first40.publish_date,
      organ: first40.issuing_organ,
    });

    let again: Awaited<ReturnType<typeof run>> | undefined;
    await expectNothingStored(ctx.db, async () => {
      again = await run(file);
    });
    expect(again!.result).toMatchObject({ inserted: 0, skipped: first.result.inserted, organsCreated: 0, versions: 0 });
  });
});

describe('corpus records sharing a 文号', () => {
  it('imports both with the 文号 (one 主席令 publishes several amended laws)', async () => {
    const record = (id: string, title: string) =>
      JSON.stringify({ id, title, kind: '法律', issuing_organ: '全国人民代表大会常务委员会', doc_number: '中华人民共和国主席令第81号', publish_date: '2018-12-29', effective_date: null, body: `${title}正文` });
    const file = path.join(dir, 'shared-number.jsonl');
    await writeFile(file, [record('same-1', '甲法（2018年修正）'), record('same-2', '乙法（2018年修正）')].join('\n'));
    const { result, errors } = await run(file);
    expect(result).toMatchObject({ inserted: 2, failed: 0, notes: 0 });
    expect(errors).toEqual([]);
    const rows = await ctx.db.selectFrom('documents').select(['title', 'doc_number', 'warnings']).where('title', 'in', ['甲法（2018年修正）', '乙法（2018年修正）']).orderBy('title').execute();
    expect(rows).toEqual([
      { title: '乙法（2018年修正）', doc_number: '中华人民共和国主席令第81号', warnings: [{ code: 'doc_number_shared', message: expect.stringContaining('《甲法（2018年修正）》') }] },
      { title: '甲法（2018年修正）', doc_number: '中华人民共和国主席令第81号', warnings: [] },
    ]);
  });
});

describe('npm run import: resumable after kill -9', () => {
  function cli(args: string[]) {
    return spawn(process.execPath, ['--import', 'tsx', 'scripts/import.ts', ...args], {
      cwd: projectRoot,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        DATABASE_URL: ctx.config.databaseUrl,
        STORAGE_DIR: ctx.config.storageDir,
        DATA_DIR: dir,
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  async function finish(child: ReturnType<typeof cli>) {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { code, stdout, stderr };
  }

  const countSources = async () =>
    Number((await sql<{ n: string }>`select count(*) as n from import_sources where source_key like 'k%'`.execute(ctx.db)).rows[0]!.n);

  it('a run killed half-way leaves whole batches; running it again imports exactly the rest', async () => {
    const file = path.join(dir, 'resume.jsonl');
    // The corpus with ids of our own, so this run does not meet the records imported above.
    const records = await corpusSample(path.join(dir, 'resume-source.jsonl'), 1500);
    await writeFile(file, records.map((r, i) => JSON.stringify({ ...r, id: `k${i}`, doc_number: null })).join('\n') + '\n');

    const killed = cli([file, '--user', adminName, '--batch', '25']);
    const exited = finish(killed);
    await vi.waitFor(async () => expect(await countSources()).toBeGreaterThan(0), { timeout: 60_000, interval: 10 });
    killed.kill('SIGKILL');
    await exited;
    const afterKill = await countSources();
    expect(afterKill).toBeLessThan(records.length);
    // Batches are whole: every committed batch holds 25 records.
    expect(afterKill % 25).toBe(0);

    const resumed = await finish(cli([file, '--user', adminName, '--batch', '25']));
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = JSON.parse(resumed.stdout.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({ rows: records.length, skipped: afterKill, inserted: records.length - afterKill, failed: 0 });
    expect(await countSources()).toBe(records.length);
    const documents = await sql<{ n: string }>`select count(distinct document_id) as n from import_sources where source_key like 'k%'`.execute(ctx.db);
    expect(Number(documents.rows[0]!.n)).toBe(records.length);

    const third = await finish(cli([file, '--user', adminName, '--dry-run']));
    expect(JSON.parse(third.stdout.trim())).toMatchObject({ inserted: 0, skipped: records.length, dry_run: true });
  });

  it('writes the row-level error report next to the input and exits 2', async () => {
    const file = path.join(dir, 'bad.csv');
    await writeFile(file, csv([['标题', '发文机关'], ['没有这个机关的文件', '无此机关']]));
    const result = await finish(cli([file, '--user', adminName]));
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout.trim())).toMatchObject({ failed: 1, error_report: path.join(dir, 'bad.errors.csv') });
    expect(await readFile(path.join(dir, 'bad.errors.csv'), 'utf8')).toBe('\ufeff行号,标识,问题\n2,没有这个机关的文件,发文机关“无此机关”不存在，请先在机关管理中添加\n');
  });
});

describe('catalog import of versions', () => {
  const VERSIONS = [
    ['标题', '文号', '发文机关', '发布日期', '施行日期', '正文', '修改文件文号', '修改后施行日期'],
    ['静安区示例事项办理办法', '静府规〔2019〕11号', '静安区人民政府', '2019-02-01', '2019-03-01', '第一条 三十日内办结。', '', ''],
    ['关于修改示例事项办理办法的决定', '静府规〔2019〕12号', '静安区人民政府', '2019-08-10', '', '修改决定正文。', '', ''],
    ['静安区示例事项办理办法', '静府规〔2019〕11号', '静安区人民政府', '', '', '第一条 二十日内办结。', '静府规[2019]12号', '2019年9月1日'],
    ['静安区示例事项办理办法', '静府规〔2019〕11号', '静安区人民政府', '', '', '第一条 十日内办结。', '静府规〔2099〕1号', '2020-01-01'],
    ['静安区示例事项办理办法', '静府规〔2019〕11号', '静安区人民政府', '', '', '第一条 五日内办结。', '静府规〔2019〕12号', ''],
  ];
  let file: string;
  beforeAll(async () => {
    file = path.join(dir, 'versions.csv');
    await writeFile(file, csv(VERSIONS));
  });

  it('adds a row with the amending 文号 and day as a version of the document it names, and reports the bad ones', async () => {
    const { result, errors } = await run(file);
    expect(result).toMatchObject({ rows: 5, inserted: 2, versions: 1, failed: 2 });
    expect(errors.map((e) => [e.line, e.message]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
      [5, expect.stringContaining('请先登记修改文件')],
      [6, expect.stringContaining('修改文件文号与修改后施行日期须同时填写')],
    ]);
    const doc = await ctx.db.selectFrom('documents').select('id').where('doc_number', '=', '静府规〔2019〕11号').executeTakeFirstOrThrow();
    const before = await ctx.services.versions.documentAsOf(admin, doc.id, '2019-08-31');
    const after = await ctx.services.versions.documentAsOf(admin, doc.id, '2019-09-01');
    expect([before.version, before.body, after.version, after.body]).toEqual([1, '第一条 三十日内办结。', 2, '第一条 二十日内办结。']);
    expect(after.amendment?.amended_by?.doc_number).toBe('静府规〔2019〕12号');
  });

  it('a second run adds no version again', async () => {
    await expectNothingStored(ctx.db, async () => {
      const { result } = await run(file);
      expect(result).toMatchObject({ inserted: 0, versions: 0 });
    });
  });
});
