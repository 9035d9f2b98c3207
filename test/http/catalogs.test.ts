import ExcelJS from 'exceljs';
import mammoth from 'mammoth';
import type { Response } from 'superagent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/features/accounts/actor.js';
import { expectApiError, expectHtmlError } from '../support/assertions.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { bearer, buildDocument } from '../support/factories.js';

let ctx: TestContext;
let admin: Actor;
let token: string;
let county: number;
let bureau: number;
const ids: Record<string, number> = {};

function binary(res: Response, callback: (error: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

beforeAll(async () => {
  ctx = await createTestContext();
  ({ actor: admin, token } = await ctx.user('admin'));
  const organ = async (name: string, parent_id: number | null = null) =>
    (await ctx.db.insertInto('organs').values({ name, parent_id }).returning('id').executeTakeFirstOrThrow()).id;
  county = await organ('示例县人民政府');
  bureau = await organ('示例县教育局', county);
  const doc = async (key: string, fields: Parameters<typeof buildDocument>[2]) => {
    ids[key] = (await buildDocument(ctx.services, admin, { organ_id: county, ...fields })).id;
  };
  await doc('inForce', { title: '示例县政务服务事项办理规定', doc_number: '示政规〔2023〕1号', signed_on: '2023-02-15', published_on: '2023-02-20', effective_on: '2023-03-01', body: '二十个工作日' });
  await doc('amending', { title: '关于修改办理时限的决定', doc_number: '示政规〔2025〕1号', signed_on: '2025-02-01', published_on: '2025-02-10' });
  await doc('expiring', { title: '示例县临时补贴办法', doc_number: '示政规〔2021〕2号', signed_on: '2021-01-05', published_on: '2021-01-10', expires_on: '2025-06-30' });
  await doc('repealed', { title: '示例县旧管理办法', doc_number: '示政规〔2020〕4号', signed_on: '2020-04-01', published_on: '2020-04-03' });
  await doc('pending', { title: '示例县明年施行的办法', doc_number: '示政规〔2025〕9号', signed_on: '2025-12-01', published_on: '2025-12-05', effective_on: '2026-01-01' });
  await doc('rule', { kind: 'rule', title: '示例县规章', doc_number: '示例县人民政府令第1号', published_on: '2024-01-01' });
  await doc('bureau', { organ_id: bureau, title: '示例县教育局学生资助办法', doc_number: '示教规〔2024〕1号', signed_on: '2024-03-01', published_on: '2024-03-05' });
  await ctx.services.documents.repeal(admin, ids['repealed']!, { repealed_on: '2025-08-01', by_document_id: ids['amending'], reason: '已被新办法取代' });
  await ctx.services.versions.add(admin, ids['inForce']!, { amended_by_document_id: ids['amending'], effective_on: '2025-03-01', body: '十五个工作日' });
});
afterAll(() => ctx?.close());

const inForce = (query: string) => ctx.request().get(`/api/v1/catalogs/in-force?${query}`);

describe('现行有效目录', () => {
  it('lists the documents in force on the day, numbered and grouped by organ, with the latest amendment', async () => {
    const res = await inForce(`organ_id=${county}&subtree=true&as_of=2025-12-31`).expect(200);
    expect(res.body.title).toBe('示例县现行有效行政规范性文件目录（截至2025年12月31日）');
    expect(res.body.groups.map((g: { organ: { name: string } }) => g.organ.name)).toEqual(['示例县人民政府', '示例县教育局']);
    expect(res.body.items.map((i: { number: number; id: number }) => [i.number, i.id])).toEqual([
      [1, ids['inForce']],
      [2, ids['amending']],
      [3, ids['bureau']],
    ]);
    expect(res.body.items[0]).toMatchObject({ doc_number: '示政规〔2023〕1号', effective_on: '2023-03-01', amended_by_doc_number: '示政规〔2025〕1号', amendments: '经示政规〔2025〕1号修改' });
    // Before the amendment took effect the 目录 shows none.
    const before = await inForce(`organ_id=${county}&as_of=2025-02-28`).expect(200);
    expect(before.body.items.find((i: { id: number }) => i.id === ids['inForce']).amendments).toBe('');
  });

  it.each([
    ['2024-12-31', false],
    ['2025-12-31', false],
    ['2025-12-31', true],
    ['2026-12-31', true],
  ])('counts as many documents as Article 20 counts 现行有效 at the end of %s (subtree %s)', async (day, subtree) => {
    const year = Number(day.slice(0, 4));
    const report = await ctx.services.reports.article20(admin, { year, organ_id: county, subtree });
    for (const [kind, counted] of [['normative', report.normative.in_force], ['rule', report.rules.in_force]] as const) {
      const catalog = await ctx.services.catalogs.inForce(admin, { as_of: day, organ_id: county, subtree, kind: [kind] });
      expect(catalog.total, `${kind} ${day}`).toBe(counted);
    }
  });

  it('XLSX: the title row, the headers and the numbered rows under their organs', async () => {
    const res = await inForce(`organ_id=${county}&subtree=true&as_of=2025-12-31&format=xlsx`).buffer(true).parse(binary).expect(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.headers['content-disposition']).toContain(encodeURIComponent('示例县现行有效行政规范性文件目录（截至2025年12月31日）.xlsx'));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as unknown as ExcelJS.Buffer);
    const sheet = workbook.getWorksheet('目录')!;
    expect(sheet.getCell('A1').value).toBe('示例县现行有效行政规范性文件目录（截至2025年12月31日）');
    expect(sheet.getCell('H1').master.address).toBe('A1');
    expect(sheet.getRow(2).values).toEqual([undefined, '序号', '标题', '文号', '发文机关', '成文日期', '施行日期', '有效期至', '修改情况']);
    expect(sheet.getCell('A3').value).toBe('示例县人民政府');
    expect(sheet.getRow(4).values).toEqual([undefined, 1, '示例县政务服务事项办理规定', '示政规〔2023〕1号', '示例县人民政府', '2023-02-15', '2023-03-01', '', '经示政规〔2025〕1号修改']);
    expect(sheet.getCell('A5').value).toBe(2);
    expect(sheet.getCell('A6').value).toBe('示例县教育局');
    expect(sheet.getCell('A7').value).toBe(3);
    expect(sheet.rowCount).toBe(7);
  });

  it('DOCX: the title, then the table in order', async () => {
    const res = await inForce(`organ_id=${county}&as_of=2025-12-31&format=docx`).buffer(true).parse(binary).expect(200);
    expect(res.headers['content-type']).toContain('wordprocessingml');
    const lines = (await mammoth.extractRawText({ buffer: res.body as Buffer })).value.split('\n').filter((l) => l.trim());
    expect(lines[0]).toBe('示例县现行有效行政规范性文件目录（截至2025年12月31日）');
    expect(lines.slice(1, 9)).toEqual(['序号', '标题', '文号', '发文机关', '成文日期', '施行日期', '有效期至', '修改情况']);
    expect(lines.slice(9, 12)).toEqual(['1', '示例县政务服务事项办理规定', '示政规〔2023〕1号']);
    expect(lines).toContain('2');
    expect(lines).not.toContain('3');
  });

  it('CSV: the title row and the rows', async () => {
    const res = await inForce(`organ_id=${county}&as_of=2025-12-31&format=csv`).buffer(true).parse(binary).expect(200);
    const text = (res.body as Buffer).toString('utf8').replace(/^\uFEFF/, '');
    const lines = text.trim().split(/\r?\n/);
    expect(lines[0]).toContain('示例县现行有效行政规范性文件目录（截至2025年12月31日）');
    expect(lines[2]).toMatch(/^1,示例县政务服务事项办理规定,/);
    expect(lines).toHaveLength(4);
  });

  it('refuses bad input in Chinese', async () => {
    expectApiError(await inForce('as_of=2025-13-01'), 400);
    expectApiError(await inForce('format=pdf'), 400);
    expectApiError(await inForce('organ_id=999999'), 404);
    expectApiError(await ctx.request().get('/api/v1/catalogs/ended?from=2025-12-31&to=2025-01-01').set(bearer(token)), 400);
  });
});

describe('废止和失效目录', () => {
  it('lists what was repealed or expired in the period with the day and the reason', async () => {
    const res = await ctx.request().get(`/api/v1/catalogs/ended?organ_id=${county}&from=2025-01-01&to=2025-12-31`).expect(200);
    expect(res.body.title).toBe('示例县已废止和失效行政规范性文件目录（2025年1月1日至2025年12月31日）');
    expect(res.body.items.map((i: { number: number; id: number; ended_on: string; reason: string }) => [i.number, i.id, i.ended_on, i.reason])).toEqual([
      [1, ids['repealed'], '2025-08-01', '由示政规〔2025〕1号废止（已被新办法取代）'],
      [2, ids['expiring'], '2025-07-01', '有效期届满失效'],
    ]);
    const report = await ctx.services.reports.article20(admin, { year: 2025, organ_id: county, subtree: false });
    expect(res.body.total).toBe(report.normative.ended);
  });
});

describe('the public 现行有效目录 page', () => {
  it('is linked from the navigation and lists the same documents as the API, with the downloads', async () => {
    const home = await ctx.request().get('/').expect(200);
    expect(home.text).toContain('<a href="/catalogs/in-force">现行有效目录</a>');
    const res = await ctx.request().get(`/catalogs/in-force?organ_id=${county}&subtree=true&as_of=2025-12-31`).expect(200);
    expect(res.text).toContain('<h1>示例县现行有效行政规范性文件目录（截至2025年12月31日）</h1>');
    const rows = [...res.text.matchAll(/<tr>\s*<td>(\d+)<\/td>\s*<td><a href="\/documents\/(\d+)">/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const api = await inForce(`organ_id=${county}&subtree=true&as_of=2025-12-31`).expect(200);
    expect(rows).toEqual(api.body.items.map((i: { number: number; id: number }) => [i.number, i.id]));
    expect(res.text).toContain('经示政规〔2025〕1号修改');
    expect(res.text).toContain(`href="/api/v1/catalogs/in-force?organ_id=${county}&amp;subtree=true&amp;as_of=2025-12-31&amp;kind=normative&amp;format=xlsx"`);
    expectHtmlError(await ctx.request().get('/catalogs/in-force?as_of=2025-02-30'), 400);
  });
});
