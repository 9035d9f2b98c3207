import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import mammoth from 'mammoth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/platform/clock.js';
import { expectApiError } from '../support/assertions.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { bearer } from '../support/factories.js';
import { binary, readZipEntry } from '../support/downloads.js';

/**
 * The seed report (静乐县 2023): 规章 0/0/19, 行政规范性文件 123/0/123, no decisions, no fees. The
 * fixture holds those documents among others that must not count (other years, other organs,
 * drafts, co-issued, other kinds), and decisions and fees that fall outside 2023 or the organ.
 */
let ctx: TestContext;
let token: string;
let county: number;
let bureau: number;
let neighbour: number;

const COUNTY = '静乐县人民政府';

async function seed() {
  const organ = async (name: string, parent_id: number | null = null) =>
    (await ctx.db.insertInto('organs').values({ name, parent_id }).returning('id').executeTakeFirstOrThrow()).id;
  county = await organ(COUNTY);
  bureau = await organ('静乐县市场监督管理局', county);
  neighbour = await organ('岚县人民政府');
  const doc = (kind: string, organ_id: number, title: string, dates: Record<string, string | null>) => ({ kind, organ_id, title, ...dates });
  const rows = [
    // 19 rules in force, issued 2004–2022; two with a term that runs past 2023.
    ...Array.from({ length: 19 }, (_, i) =>
      doc('rule', county, `规章${i + 1}`, { signed_on: `${2004 + (i % 19)}-03-01`, published_on: `${2004 + (i % 19)}-03-05`, expires_on: i < 2 ? '2025-12-31' : null }),
    ),
    // 123 normative documents signed in 2023, in force on 31 December (some took effect later in the year).
    ...Array.from({ length: 123 }, (_, i) => {
      const month = String((i % 12) + 1).padStart(2, '0');
      return doc('normative', county, `静政发〔2023〕${i + 1}号文件`, {
        signed_on: `2023-${month}-01`,
        published_on: `2023-${month}-03`,
        effective_on: i % 10 === 0 ? `2023-${month}-20` : null,
      });
    }),
    // Older normative documents that had all ended before 2023.
    doc('normative', county, '2019 年文件，2022 年废止', { signed_on: '2019-01-01', published_on: '2019-01-05' }),
    doc('normative', county, '2020 年文件，2022 年 6 月失效', { signed_on: '2020-01-01', published_on: '2020-01-05', expires_on: '2022-06-30' }),
    // Counted elsewhere, or not at all.
    doc('normative', county, '草稿', { signed_on: '2023-05-01', published_on: null }),
    doc('law', county, '法律', { signed_on: '2023-05-01', published_on: '2023-05-01' }),
    doc('other', county, '其他文件', { signed_on: '2023-05-01', published_on: '2023-05-01' }),
    doc('normative', bureau, '市场监管局文件', { signed_on: '2023-05-01', published_on: '2023-05-02' }),
    doc('normative', neighbour, '岚县主办、静乐县联合发文', { signed_on: '2023-05-01', published_on: '2023-05-02' }),
    doc('normative', county, '2024 年文件', { signed_on: '2024-01-10', published_on: '2024-01-12' }),
  ];
  const inserted = await ctx.db.insertInto('documents').values(rows).returning(['id', 'title']).execute();
  const id = (title: string) => inserted.find((r) => r.title === title)!.id;
  await ctx.db.insertInto('document_repeals').values({ document_id: id('2019 年文件，2022 年废止'), repealed_on: '2022-11-30' }).execute();
  await ctx.db.insertInto('document_co_issuers').values({ document_id: id('岚县主办、静乐县联合发文'), organ_id: county, position: 0 }).execute();
  // Decisions and fees, none of them the county's own in 2023.
  await ctx.db
    .insertInto('decisions')
    .values([
      { kind: 'penalty', organ_id: county, decision_number: '静政罚〔2022〕1号', decision_number_key: 'k1', decided_on: '2022-12-31' },
      { kind: 'licensing', organ_id: county, decision_number: '静政许〔2024〕1号', decision_number_key: 'k2', decided_on: '2024-01-01' },
      { kind: 'penalty', organ_id: bureau, decision_number: '静市监罚〔2023〕1号', decision_number_key: 'k3', decided_on: '2023-06-01' },
      { kind: 'enforcement', organ_id: bureau, decision_number: '静市监强〔2023〕1号', decision_number_key: 'k4', decided_on: '2023-06-02' },
    ])
    .execute();
  await ctx.db
    .insertInto('fees')
    .values([
      { organ_id: county, item: '工本费', amount_fen: '500000', collected_on: '2022-12-31' },
      { organ_id: bureau, item: '检验费', amount_fen: '1234567', collected_on: '2023-03-01' },
      { organ_id: bureau, item: '检验费', amount_fen: '5000', collected_on: '2023-03-02' },
    ])
    .execute();
}

beforeAll(async () => {
  ctx = await createTestContext({ clock: fixedClock('2024-03-01') });
  ({ token } = await ctx.user('compiler'));
  await seed();
});
afterAll(() => ctx?.close());

const report = (query: string) => ctx.request().get(`/api/v1/reports/article20?${query}`);

const SEED_FORM = [
  ['第二十条第（一）项'],
  ['信息内容', '本年制发件数', '本年废止件数', '现行有效件数'],
  ['规章', '0', '0', '19'],
  ['行政规范性文件', '123', '0', '123'],
  ['第二十条第（五）项'],
  ['信息内容', '本年处理决定数量'],
  ['行政许可', '0'],
  ['第二十条第（六）项'],
  ['信息内容', '本年处理决定数量'],
  ['行政处罚', '0'],
  ['行政强制', '0'],
  ['第二十条第（八）项'],
  ['信息内容', '本年收费金额（单位：万元）'],
  ['行政事业性收费', '0.00'],
];

describe('GET /api/v1/reports/article20', () => {
  it('reproduces the seed report from data, in DESIGN.md’s shape', async () => {
    const res = await report(`year=2023&organ_id=${county}`).expect(200);
    expect(res.body).toMatchObject({
      year: 2023,
      organ_id: county,
      rules: { issued: 0, ended: 0, in_force: 19 },
      normative: { issued: 123, ended: 0, in_force: 123 },
      licensing: 0,
      penalty: 0,
      enforcement: 0,
      fees: { fen: 0, wan_yuan: '0.00' },
    });
    for (const key of ['year', 'organ_id', 'rules', 'normative', 'licensing', 'penalty', 'enforcement', 'fees']) expect(res.body).toHaveProperty(key);
    expect(Object.keys(res.body.fees).sort()).toEqual(['fen', 'wan_yuan']);
    expect(res.body.reconciliation).toMatchObject({
      balanced: true,
      normative: { in_force_previous: 0, pending_previous: 0, issued: 123, ended: 0, pending: 0, expected_in_force: 123, in_force: 123, difference: 0 },
      rules: { in_force_previous: 19, expected_in_force: 19, in_force: 19, difference: 0 },
    });
  });

  it('counts the sub-organs on request, and the year before differently', async () => {
    const res = await report(`year=2023&organ_id=${county}&subtree=true`).expect(200);
    expect(res.body).toMatchObject({
      subtree: true,
      organ_count: 2,
      normative: { issued: 124, in_force: 124 },
      penalty: 1,
      enforcement: 1,
      licensing: 0,
      fees: { fen: 1_239_567, wan_yuan: '1.24' },
    });
    const before = await report(`year=2022&organ_id=${county}`).expect(200);
    expect(before.body).toMatchObject({
      rules: { issued: 1, in_force: 19 },
      normative: { issued: 0, ended: 2, ended_repealed: 1, ended_expired: 1, in_force: 0 },
      penalty: 1,
      fees: { fen: 500_000, wan_yuan: '0.50' },
    });
  });

  it('explains each number with the records behind it', async () => {
    const scope = `year=2023&organ_id=${county}&subtree=true`;
    const cell = (name: string, extra = '') => ctx.request().get(`/api/v1/reports/article20/cells?${scope}&cell=${name}${extra}`).expect(200);
    const issued = await cell('normative.issued', '&page_size=100&page=2');
    expect(issued.body).toMatchObject({ total: 124, hidden: 0, page: 2, page_size: 100, label: '行政规范性文件 · 本年制发' });
    expect(issued.body.items).toHaveLength(24);
    expect(issued.body.items[0]).toMatchObject({ type: 'document', status_at_year_end: 'in_force', reconciliation_residual: 0 });
    const rules = await cell('rules.in_force');
    expect(rules.body.total).toBe(19);
    const penalty = await cell('penalty');
    expect(penalty.body.items).toEqual([
      { type: 'decision', id: expect.any(Number), kind: 'penalty', kind_label: '行政处罚', decision_number: '静市监罚〔2023〕1号', decided_on: '2023-06-01', organ: { id: bureau, name: '静乐县市场监督管理局' } },
    ]);
    const fees = await cell('fees');
    expect(fees.body).toMatchObject({ total: 2, sum: { fen: 1_239_567, yuan: '12395.67', wan_yuan: '1.24' } });
    expect(fees.body.items.map((f: { amount_yuan: string }) => f.amount_yuan)).toEqual(['12345.67', '50.00']);
    const ended = await ctx.request().get(`/api/v1/reports/article20/cells?year=2022&organ_id=${county}&cell=normative.ended`).expect(200);
    expect(ended.body.breakdown).toEqual({ repealed: 1, expired: 1 });
    expect(ended.body.items.map((d: { ended_by: string; ended_on: string }) => [d.ended_by, d.ended_on])).toEqual([
      ['repealed', '2022-11-30'],
      ['expired', '2022-07-01'],
    ]);
  });

  it('compares years side by side', async () => {
    const res = await ctx.request().get(`/api/v1/reports/article20/years?organ_id=${county}&from=2021&to=2023`).expect(200);
    expect(res.body.reports.map((r: { year: number; normative: { issued: number } }) => [r.year, r.normative.issued])).toEqual([
      [2021, 0],
      [2022, 0],
      [2023, 123],
    ]);
  });

  it('refuses bad queries with Chinese messages', async () => {
    expect(expectApiError(await report('organ_id=1'), 400).fields).toHaveProperty('year');
    expect(expectApiError(await report(`year=23&organ_id=${county}`), 400).fields?.['year']).toContain('四位数年份');
    expect(expectApiError(await report(`year=2023&organ_id=abc`), 400).fields).toHaveProperty('organ_id');
    expect(expectApiError(await report(`year=2023&organ_id=${county}&subtree=yes`), 400).fields).toHaveProperty('subtree');
    expect(expectApiError(await report(`year=2023&organ_id=${county}&format=pdf`), 400).fields).toHaveProperty('format');
    expect(expectApiError(await report(`year=2025&organ_id=${county}`), 400).fields?.['year']).toContain('不能晚于今年');
    expectApiError(await report('year=2023&organ_id=999999'), 404);
    expectApiError(await ctx.request().get(`/api/v1/reports/article20/cells?year=2023&organ_id=${county}&cell=rules.bogus`), 400);
    expectApiError(await ctx.request().get(`/api/v1/reports/article20/years?organ_id=${county}&from=2010&to=2023`), 400);
    expectApiError(await ctx.request().get(`/api/v1/reports/article20/years?organ_id=${county}&from=2023&to=2021`), 400);
  });

  it('is published in the OpenAPI description', async () => {
    const res = await ctx.request().get('/api/v1/openapi.json').expect(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/reports/article20', '/api/v1/reports/article20/cells', '/api/v1/decisions/import', '/api/v1/fees/import', '/api/v1/decisions', '/api/v1/fees']),
    );
    expect(res.body.paths['/api/v1/decisions/import'].post.requestBody.content).toHaveProperty('multipart/form-data');
  });
});

describe('exports', () => {
  const download = (format: string) =>
    report(`year=2023&organ_id=${county}&format=${format}`).buffer(true).parse(binary).expect(200);

  it('XLSX: the official form’s labels, numbers and merged cells, cell by cell', async () => {
    const res = await download('xlsx');
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent(`${COUNTY}2023年度政府信息公开年报第二十条.xlsx`)}`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as unknown as ExcelJS.Buffer);
    const sheet = workbook.getWorksheet('第二十条')!;
    expect(sheet.getCell('A1').value).toBe('二、主动公开政府信息情况');
    expect(sheet.getCell('A2').value).toBe(`${COUNTY} 2023 年度`);
    const grid: string[][] = [];
    for (let r = 3; r <= sheet.rowCount; r++) {
      const row: string[] = [];
      for (let c = 1; c <= 4; c++) {
        const cell = sheet.getCell(r, c);
        // A merged cell's later parts repeat its master; keep each value once.
        if (cell.isMerged && cell.master.address !== cell.address) continue;
        if (cell.value !== null) row.push(typeof cell.value === 'number' ? (cell.numFmt === '0.00' ? cell.value.toFixed(2) : String(cell.value)) : String(cell.value));
      }
      grid.push(row);
    }
    expect(grid).toEqual(SEED_FORM);
    // Headings span the form; a one-number table spans its number over the three value columns.
    for (const address of ['A3', 'A7', 'A10', 'A14']) expect(sheet.getCell(address.replace('A', 'D')).master.address).toBe(address);
    expect(sheet.getCell('D9').master.address).toBe('B9');
    expect(sheet.getCell('D16').master.address).toBe('B16');
    expect(sheet.getCell('B16').value).toBe(0);
    expect(sheet.getCell('D6').isMerged).toBe(false);
    const notes = workbook.getWorksheet('计算说明')!;
    expect(notes.getRow(1).values).toEqual([undefined, '项目', '规章', '行政规范性文件']);
    expect(notes.getRow(10).values).toEqual([undefined, '实际现行有效', 19, 123]);
  });

  it('DOCX: the four tables of section 二, cell by cell', async () => {
    const res = await download('docx');
    expect(res.headers['content-type']).toContain('wordprocessingml');
    const xml = await readZipEntry(res.body as Buffer, 'word/document.xml');
    const tables = [...xml.matchAll(/<w:tbl>([\s\S]*?)<\/w:tbl>/g)].map((t) =>
      [...t[1]!.matchAll(/<w:tr[ >]([\s\S]*?)<\/w:tr>/g)].map((row) =>
        [...row[1]!.matchAll(/<w:tc>([\s\S]*?)<\/w:tc>/g)].map((cell) => ({
          text: [...cell[1]!.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join(''),
          span: Number(/<w:gridSpan w:val="(\d+)"/.exec(cell[1]!)?.[1] ?? 1),
        })),
      ),
    );
    expect(tables).toHaveLength(4);
    expect(tables.flat().map((row) => row.map((c) => c.text))).toEqual(SEED_FORM);
    for (const table of tables) {
      expect(table[0]).toEqual([expect.objectContaining({ span: 4 })]);
      for (const row of table.slice(1)) expect(row.reduce((sum, c) => sum + c.span, 0)).toBe(4);
    }
    const text = (await mammoth.extractRawText({ buffer: res.body as Buffer })).value;
    expect(text.indexOf('二、主动公开政府信息情况')).toBeLessThan(text.indexOf('第二十条第（一）项'));
  });

  it('CSV: UTF-8 with a BOM, so that Excel opens it, and the form’s rows', async () => {
    const res = await download('csv');
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const bytes = res.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').split('\r\n');
    expect(lines.slice(0, 2)).toEqual(['二、主动公开政府信息情况,,,', `${COUNTY} 2023 年度,,,`]);
    expect(lines.slice(2, -1)).toEqual(SEED_FORM.map((row) => [...row, '', '', ''].slice(0, 4).join(',')));
    expect(lines.at(-1)).toBe('');
  });
});

describe('imports over HTTP', () => {
  const upload = (path: string, body: Buffer, name: string, auth = token) =>
    ctx.request().post(path).set(bearer(auth)).attach('file', body, name);

  it('imports a GBK CSV, counts a repeat as a duplicate, and the report sees it', async () => {
    const text = `类别,决定书文号,决定日期,实施机关\r\n行政许可,静政许〔2023〕8号,2023/8/8,${COUNTY}\r\n行政许可,静政许[2023]8号,2023/8/8,${COUNTY}\r\n`;
    const dry = await upload('/api/v1/decisions/import?dry_run=true', iconv.encode(text, 'gbk'), '许可.csv').expect(200);
    expect(dry.body).toMatchObject({ inserted: 1, duplicates: 1, errors: [], dry_run: true });
    expect((await report(`year=2023&organ_id=${county}`)).body.licensing).toBe(0);
    const res = await upload('/api/v1/decisions/import', iconv.encode(text, 'gbk'), '许可.csv').expect(200);
    expect(res.body).toMatchObject({ inserted: 1, duplicates: 1, errors: [] });
    expect((await report(`year=2023&organ_id=${county}`)).body.licensing).toBe(1);
    await ctx.db.deleteFrom('decisions').where('decision_number', '=', '静政许〔2023〕8号').execute();
  });

  it('answers 400 with every bad row, in DESIGN.md’s fields', async () => {
    const text = `organ,item,amount_yuan,collected_on\n${COUNTY},工本费,1.001,2023-01-01\n${COUNTY},工本费,1,2023-01-01\n${COUNTY},工本费,1,2023-02-30\n`;
    const res = await upload('/api/v1/fees/import', Buffer.from(text), 'fees.csv').expect(400);
    expect(res.body).toMatchObject({
      error: { code: 'validation_failed', message: expect.stringContaining('2 处错误') },
      inserted: 0,
      duplicates: 0,
      errors: [
        { row: 2, message: expect.stringContaining('两位小数') },
        { row: 4, message: expect.stringContaining('不是真实存在的日期') },
      ],
    });
    expect((await report(`year=2023&organ_id=${county}`)).body.fees.fen).toBe(0);
  });

  it('asks for the decision:write permission', async () => {
    const bytes = Buffer.from('类别,决定书文号,决定日期,实施机关\n');
    expectApiError(await ctx.request().post('/api/v1/decisions/import').attach('file', bytes, 'a.csv'), 401);
    const { token: editor } = await ctx.user('editor');
    expectApiError(await upload('/api/v1/decisions/import', bytes, 'a.csv', editor), 403);
  });

  it('wants a multipart file', async () => {
    expectApiError(await ctx.request().post('/api/v1/fees/import').set(bearer(token)).send({ rows: [] }), 415);
    expectApiError(await ctx.request().post('/api/v1/fees/import').set(bearer(token)).field('note', 'x'), 400);
  });

  it('refuses a file over the upload limit with 413', async () => {
    const small = await createTestContext({ env: { MAX_UPLOAD_MB: '0.01' } });
    try {
      const { token: admin } = await small.user('admin');
      const big = Buffer.from(`类别,决定书文号,决定日期,实施机关\n${'行政许可,X,2023-01-01,机关\n'.repeat(1000)}`);
      const res = await small.request().post('/api/v1/decisions/import').set(bearer(admin)).attach('file', big, 'big.csv');
      expectApiError(res, 413);
    } finally {
      await small.close();
    }
  });

  it('records decisions and fees one by one', async () => {
    const decision = await ctx
      .request()
      .post('/api/v1/decisions')
      .set(bearer(token))
      .send({ kind: 'enforcement', decision_number: '静政强〔2023〕1号', decided_on: '2023-10-10', organ_id: county })
      .expect(201);
    expect(decision.body).toMatchObject({ kind: 'enforcement', organ: { id: county, name: COUNTY } });
    expectApiError(
      await ctx.request().post('/api/v1/decisions').set(bearer(token)).send({ kind: 'enforcement', decision_number: '静政强〔2023〕01号', decided_on: '2023-10-10', organ_id: county }),
      409,
    );
    const fee = await ctx.request().post('/api/v1/fees').set(bearer(token)).send({ organ_id: county, item: '工本费', amount_yuan: '0.29', collected_on: '2023-10-10' }).expect(201);
    expect(fee.body).toMatchObject({ amount_fen: 29, amount_yuan: '0.29' });
    const bad = expectApiError(await ctx.request().post('/api/v1/fees').set(bearer(token)).send({ organ_id: county, item: '', amount_yuan: 0.29, collected_on: '2023/10/10' }), 400);
    expect(Object.keys(bad.fields ?? {}).sort()).toEqual(['amount_yuan', 'collected_on', 'item']);
    const after = await report(`year=2023&organ_id=${county}`).expect(200);
    expect(after.body).toMatchObject({ enforcement: 1, fees: { fen: 29, wan_yuan: '0.00' } });
    await ctx.db.deleteFrom('decisions').where('id', '=', decision.body.id).execute();
    await ctx.db.deleteFrom('fees').where('id', '=', fee.body.id).execute();
  });
});
