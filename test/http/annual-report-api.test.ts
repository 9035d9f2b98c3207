import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import mammoth from 'mammoth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/platform/clock.js';
import { expectApiError, expectNothingStored } from '../support/assertions.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { bearer, buildDocument, buildInterpretation } from '../support/factories.js';
import { binary, readZipEntry } from '../support/downloads.js';

/**
 * The registers and the whole annual report over HTTP, on 1 March 2024 (the 2023 report is being
 * compiled). The county has a bureau below it and a neighbour beside it.
 */
let ctx: TestContext;
let token: string;
let editorToken: string;
let county: number;
let bureau: number;
let neighbour: number;
const COUNTY = '静乐县人民政府';
const BUREAU = '静乐县市场监督管理局';

beforeAll(async () => {
  ctx = await createTestContext({ clock: fixedClock('2024-03-01') });
  token = (await ctx.user('compiler')).token;
  editorToken = (await ctx.user('editor')).token;
  const organ = async (name: string, parent_id: number | null = null) =>
    (await ctx.db.insertInto('organs').values({ name, parent_id }).returning('id').executeTakeFirstOrThrow()).id;
  county = await organ(COUNTY);
  bureau = await organ(BUREAU, county);
  neighbour = await organ('岚县人民政府');
});
afterAll(() => ctx?.close());

const post = (path: string, body: object, auth = token) => ctx.request().post(`/api/v1${path}`).set(bearer(auth)).send(body);
const patch = (path: string, body: object) => ctx.request().patch(`/api/v1${path}`).set(bearer(token)).send(body);
const annual = (query: string) => ctx.request().get(`/api/v1/reports/annual?${query}`).set(bearer(token));
const upload = (path: string, bytes: Buffer, name: string) => ctx.request().post(`/api/v1${path}`).set(bearer(token)).attach('file', bytes, name);

async function request(number: string, fields: Record<string, unknown>, organ_id = county) {
  const res = await post('/disclosure-requests', { organ_id, number, applicant_type: 'natural_person', ...fields });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: number; deadline: unknown };
}

describe('the register of requests and section 三', () => {
  const ids: Record<string, number> = {};
  beforeAll(async () => {
    // Carried over twice: received 2021, open through 2022 and 2023, concluded 2024.
    ids['twice'] = (await request('2021-001', { received_on: '2021-11-02', concluded_on: '2024-01-10', outcome: 'disclosed', applicant_type: 'research' })).id;
    ids['jan1'] = (await request('2022-090', { received_on: '2022-12-26', concluded_on: '2023-01-01', outcome: 'unavailable.not_held' })).id;
    ids['partly'] = (await request('2023-001', { received_on: '2023-03-01', concluded_on: '2023-03-20', outcome: 'partially_disclosed', applicant_type: 'commercial' })).id;
    ids['dec31'] = (await request('2023-002', { received_on: '2023-12-31', applicant_type: 'legal_service' })).id;
    ids['dec31b'] = (await request('2023-003', { received_on: '2023-12-31', concluded_on: '2024-01-01', outcome: 'disclosed' })).id;
    ids['withheld'] = (await request('2023-004', { received_on: '2023-05-04', concluded_on: '2023-05-30', outcome: 'withheld.third_party', applicant_type: 'public_interest', fee_yuan: '30.00' })).id;
    ids['bureau'] = (await request('SJ-2023-1', { received_on: '2023-06-01', concluded_on: '2023-06-10', outcome: 'not_processed.petition', applicant_type: 'other' }, bureau)).id;
    await request('LX-2023-1', { received_on: '2023-06-01', concluded_on: '2023-06-10', outcome: 'disclosed' }, neighbour);
  });

  it('counts every edge in its row and column, and balances', async () => {
    const res = await annual(`year=2023&organ_id=${county}`).expect(200);
    const r = res.body.requests;
    expect(r.received).toEqual({ natural_person: 1, commercial: 1, research: 0, public_interest: 1, legal_service: 1, other: 0, total: 4 });
    expect(r.carried_over).toEqual({ natural_person: 1, commercial: 0, research: 1, public_interest: 0, legal_service: 0, other: 0, total: 2 });
    expect(r.outcomes['unavailable.not_held'].natural_person).toBe(1);
    // 部分公开 counted once: in its row and in the total, in no other row.
    expect(r.outcomes.partially_disclosed.commercial).toBe(1);
    const commercialRows = Object.entries(r.outcomes as Record<string, { commercial: number }>).filter(([k, c]) => k !== 'total' && c.commercial > 0);
    expect(commercialRows.map(([k]) => k)).toEqual(['partially_disclosed']);
    expect(r.outcomes.total.total).toBe(3);
    expect(r.carried_forward).toEqual({ natural_person: 1, commercial: 0, research: 1, public_interest: 0, legal_service: 1, other: 0, total: 3 });
    expect(r.balanced).toBe(true);
    expect(res.body.processing_fees).toEqual({ count: 1, yuan: '30.00' });
    expect(Object.keys(res.body)).toEqual(['year', 'organ_id', 'article20', 'requests', 'appeals', 'processing_fees', 'sections']);
    expect(res.body.article20).toMatchObject({ year: 2023, organ_id: county, normative: expect.any(Object) });
  });

  it('counts a sub-organ’s requests with subtree only', async () => {
    const own = (await annual(`year=2023&organ_id=${county}`).expect(200)).body.requests;
    const tree = (await annual(`year=2023&organ_id=${county}&subtree=true`).expect(200)).body.requests;
    expect(own.received.other).toBe(0);
    expect(tree.received.other).toBe(1);
    expect(tree.outcomes['not_processed.petition'].total).toBe(1);
    expect(tree.received.total).toBe(own.received.total + 1);
  });

  it('drills down from a number to its requests', async () => {
    const res = await ctx.request().get(`/api/v1/reports/annual/cells?year=2023&organ_id=${county}&cell=requests.carried_over.total`).set(bearer(token)).expect(200);
    expect(res.body.items.map((i: { number: string }) => i.number).sort()).toEqual(['2021-001', '2022-090']);
    const withheld = await ctx.request().get(`/api/v1/reports/annual/cells?year=2023&organ_id=${county}&cell=requests.withheld.third_party.public_interest`).set(bearer(token)).expect(200);
    expect(withheld.body).toMatchObject({ total: 1, items: [{ id: ids['withheld'], outcome_label: expect.stringContaining('保护第三方合法权益') }] });
    expectApiError(await ctx.request().get(`/api/v1/reports/annual/cells?year=2023&organ_id=${county}&cell=requests.nope.total`).set(bearer(token)), 400);
  });

  it('names an unbalanced column with its requests when a record’s dates are edited in the database', async () => {
    await ctx.db.updateTable('disclosure_requests').set({ concluded_on: '2022-12-01' }).where('id', '=', ids['partly']!).execute();
    try {
      const r = (await annual(`year=2023&organ_id=${county}`).expect(200)).body.requests;
      expect(r.balanced).toBe(false);
      expect(r.unbalanced).toEqual([
        { column: 'commercial', left: 1, right: 0, requests: [{ id: ids['partly'], number: '2023-001' }] },
        { column: 'total', left: 6, right: 5, requests: [{ id: ids['partly'], number: '2023-001' }] },
      ]);
      const finalising = await post('/reports/annual/finalise', { organ_id: county, year: 2023 });
      expect(expectApiError(finalising, 400).message).toContain('勾稽关系不平');
    } finally {
      await ctx.db.updateTable('disclosure_requests').set({ concluded_on: '2023-03-20' }).where('id', '=', ids['partly']!).execute();
    }
  });

  it('refuses bad entries in Chinese and stores nothing', async () => {
    await expectNothingStored(ctx.db, async () => {
      expectApiError(await post('/disclosure-requests', { organ_id: county, number: 'X1', received_on: '2023-05-01', applicant_type: 'robot' }), 400);
      const noOutcome = expectApiError(await post('/disclosure-requests', { organ_id: county, number: 'X2', received_on: '2023-05-01', applicant_type: 'other', concluded_on: '2023-05-02' }), 400);
      expect(noOutcome.fields?.['outcome']).toContain('办理结果');
      const early = expectApiError(await post('/disclosure-requests', { organ_id: county, number: 'X3', received_on: '2023-05-01', applicant_type: 'other', concluded_on: '2023-04-02', outcome: 'disclosed' }), 400);
      expect(early.fields?.['concluded_on']).toContain('不能早于收到日期');
      expectApiError(await post('/disclosure-requests', { organ_id: county, number: '2023-001', received_on: '2023-05-01', applicant_type: 'other' }), 409);
      expectApiError(await post('/disclosure-requests', { organ_id: 999999, number: 'X4', received_on: '2023-05-01', applicant_type: 'other' }), 400);
      expectApiError(await post('/disclosure-requests', { organ_id: county, number: 'X5', received_on: '2023-05-01', applicant_type: 'other', fee_yuan: '1.234' }), 400);
      expectApiError(await post('/disclosure-requests', { organ_id: county, number: 'X6', received_on: '2023-05-01', applicant_type: 'other' }, editorToken), 403);
    });
  });

  it('concludes a request by PATCH, with the deadline shown while open', async () => {
    const created = await request('2024-001', { received_on: '2024-02-01', correction_asked_on: '2024-02-05', correction_received_on: '2024-02-19' });
    // 2024 春节: 10–17 February off, 4 and 18 February worked; the 补正 pause runs 6–19 February,
    // so 2, 4 and 5 February then 20 February to 13 March make the 20 working days.
    expect(created.deadline).toEqual({ state: 'open', due_on: '2024-03-13', working_days_left: 8 });
    const done = await patch(`/disclosure-requests/${created.id}`, { concluded_on: '2024-02-28', outcome: 'disclosed' }).expect(200);
    expect(done.body).toMatchObject({ concluded_on: '2024-02-28', outcome: 'disclosed', deadline: null });
    expectApiError(await patch(`/disclosure-requests/${created.id}`, { outcome: null }), 400);
    expectApiError(await patch('/disclosure-requests/987654', { outcome: 'disclosed' }), 404);
  });
});

describe('imports of the registers', () => {
  const HEADER = '申请编号,受理机关,收到日期,申请人类型,办结日期,办理结果\r\n';
  it('imports a GBK CSV twice (the second time concluding a pending request) and refuses a file with a bad row', async () => {
    const first = `${HEADER}IMP-1,${COUNTY},2023/7/1,自然人,2023-07-20,不予公开-属于国家秘密\r\nIMP-2,${COUNTY},2023年8月1日,法人或其他组织-商业企业,,\r\n`;
    const res = await upload('/disclosure-requests/import', iconv.encode(first, 'gbk'), '申请.csv').expect(200);
    expect(res.body).toMatchObject({ inserted: 2, duplicates: 0, updated: 0, errors: [] });
    const again = await upload('/disclosure-requests/import', iconv.encode(first, 'gbk'), '申请.csv').expect(200);
    expect(again.body).toMatchObject({ inserted: 0, duplicates: 2, updated: 0, errors: [] });
    const concluding = `${HEADER}IMP-1,${COUNTY},2023/7/1,自然人,2023-07-20,withheld.state_secret\r\nIMP-2,${COUNTY},2023-08-01,commercial,2023-08-15,予以公开\r\n`;
    const third = await upload('/disclosure-requests/import', Buffer.from(concluding), '申请.csv').expect(200);
    expect(third.body).toMatchObject({ inserted: 0, duplicates: 1, updated: 1, errors: [] });
    const audits = await ctx.db.selectFrom('audit_log').select(['after']).where('action', '=', 'disclosure_request.import').orderBy('id').execute();
    expect(audits.map((a) => a.after)).toEqual([
      expect.objectContaining({ file_name: '申请.csv', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), rows: 2, inserted: 2, updated: 0, duplicates: 0 }),
      expect.objectContaining({ rows: 2, inserted: 0, duplicates: 2 }),
      expect.objectContaining({ rows: 2, inserted: 0, updated: 1, duplicates: 1 }),
    ]);
    const list = await ctx.request().get(`/api/v1/disclosure-requests?organ_id=${county}&q=IMP-2`).set(bearer(token)).expect(200);
    expect(list.body.items).toMatchObject([{ number: 'IMP-2', concluded_on: '2023-08-15', outcome: 'disclosed' }]);

    const bad = `${HEADER}IMP-3,${COUNTY},2023-09-01,自然人,,\r\nIMP-4,${COUNTY},2023-09-01,外星人,,\r\nIMP-1,${COUNTY},2023-07-01,自然人,2023-07-21,予以公开\r\n`;
    await expectNothingStored(ctx.db, async () => {
      const refused = await upload('/disclosure-requests/import', Buffer.from(bad), '申请.csv');
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([
        { row: 3, message: expect.stringContaining('申请人类型“外星人”无法识别') },
      ]);
    });
    const conflict = `${HEADER}IMP-1,${COUNTY},2023-07-01,自然人,2023-07-21,予以公开\r\n`;
    await expectNothingStored(ctx.db, async () => {
      const refused = await upload('/disclosure-requests/import', Buffer.from(conflict), '申请.csv');
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0].message).toContain('已办结');
    });
  });

  it('imports appeals from an XLSX and counts section 四', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('案件');
    sheet.addRow(['案件编号', '被申请机关', '案件类型', '立案日期', '审结日期', '结果']);
    sheet.addRow(['FY-1', COUNTY, '行政复议', '2023-02-01', '2023-04-01', '维持']);
    sheet.addRow(['FY-2', COUNTY, '行政复议', '2023-12-31', '', '']);
    sheet.addRow(['SS-1', COUNTY, '未经复议直接起诉', '2022-10-01', '2023-01-01', '纠正']);
    sheet.addRow(['SS-2', COUNTY, '复议后起诉', '2023-03-01', '2024-01-05', '其他']);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    expect((await upload('/appeals/import', bytes, '案件.xlsx').expect(200)).body).toMatchObject({ inserted: 4, duplicates: 0, errors: [] });
    expect((await upload('/appeals/import', bytes, '案件.xlsx').expect(200)).body).toMatchObject({ inserted: 0, duplicates: 4 });
    const created = await post('/appeals', { organ_id: county, number: 'FY-3', kind: 'review', filed_on: '2023-05-01', concluded_on: '2023-06-01', result: 'corrected' });
    expect(created.status).toBe(201);
    const appeals = (await annual(`year=2023&organ_id=${county}`).expect(200)).body.appeals;
    expect(appeals).toEqual({
      review: { upheld: 1, corrected: 1, other: 0, pending: 1, total: 3 },
      litigation_direct: { upheld: 0, corrected: 1, other: 0, pending: 0, total: 1 },
      litigation_after_review: { upheld: 0, corrected: 0, other: 0, pending: 1, total: 1 },
    });
  });
});

describe('the draft counts the interpretations published for the organ’s documents', () => {
  it('counts each interpretation of the year once, however many of its documents it explains', async () => {
    const { actor } = await ctx.user('admin');
    const doc = (n: number) =>
      buildDocument(ctx.services, actor, { organ_id: neighbour, title: `解读计数测试文件${n}`, doc_number: `岚政发〔2020〕${n}号`, signed_on: '2020-05-01', published_on: '2020-05-10' });
    const [a, b] = [await doc(1), await doc(2)];
    await buildInterpretation(ctx.services, actor, [a.id], { published_on: '2021-03-01' });
    await buildInterpretation(ctx.services, actor, [a.id, b.id], { published_on: '2021-12-31' });
    await buildInterpretation(ctx.services, actor, [b.id], { published_on: '2020-12-31' });
    const draft = (await annual(`year=2021&organ_id=${neighbour}`).expect(200)).body.sections;
    expect(draft.one).toContain('发布政策解读2篇');
    expect((await annual(`year=2020&organ_id=${neighbour}`).expect(200)).body.sections.one).toContain('发布政策解读1篇');
  });
});

describe('the whole report as files, texts and publication', () => {
  const download = (query: string) => annual(query).buffer(true).parse(binary).expect(200);

  it('starts sections 一, 五, 六 from a draft of what the system knows, and saves them', async () => {
    const draft = (await annual(`year=2023&organ_id=${county}`).expect(200)).body.sections;
    expect(draft.one).toContain('2023年共收到政府信息公开申请');
    expect(draft.six).toContain('收取信息处理费，共计30.00元');
    const saved = await post('/reports/annual/texts', { organ_id: county, year: 2023, one: `${draft.one}\n（三）平台建设方面。完成规范性文件库建设。`, five: '主要问题：解读比例较低。', six: draft.six });
    expect(saved.status, saved.text).toBe(200);
    const sections = (await annual(`year=2023&organ_id=${county}`).expect(200)).body.sections;
    expect(sections.five).toBe('主要问题：解读比例较低。');
    // Next year's draft keeps last year's own paragraphs but states its figures afresh.
    const next = (await annual(`year=2024&organ_id=${county}`).expect(200)).body.sections;
    expect(next.one).toContain('（三）平台建设方面');
    expect(next.one).not.toContain('2023年共收到');
    expect(next.five).toBe('主要问题：解读比例较低。');
  });

  it('DOCX: title, the lead paragraph with the period, sections in order, the tables of 三 and 四 with the 勾稽 note', async () => {
    const res = await download(`year=2023&organ_id=${county}&format=docx`);
    const text = (await mammoth.extractRawText({ buffer: res.body as Buffer })).value;
    const order = [
      `${COUNTY} 2023 年政府信息公开工作年度报告`,
      '统计期限自 2023 年 1 月 1 日起至 2023 年 12 月 31 日止',
      '一、政府信息公开总体情况',
      '二、主动公开政府信息情况',
      '第二十条第（一）项',
      '三、收到和处理政府信息公开申请情况',
      '（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）',
      '四、政府信息公开行政复议、行政诉讼情况',
      '五、政府信息公开工作存在的主要问题及改进情况',
      '主要问题：解读比例较低。',
      '六、其他需要报告的事项',
    ];
    const positions = order.map((s) => text.indexOf(s));
    expect(positions.every((p) => p >= 0), JSON.stringify(positions)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);

    const xml = await readZipEntry(res.body as Buffer, 'word/document.xml');
    const tables = [...xml.matchAll(/<w:tbl>([\s\S]*?)<\/w:tbl>/g)].map((t) =>
      [...t[1]!.matchAll(/<w:tr[ >]([\s\S]*?)<\/w:tr>/g)].map((row) =>
        [...row[1]!.matchAll(/<w:tc>([\s\S]*?)<\/w:tc>/g)].map((cell) => [...cell[1]!.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('')),
      ),
    );
    expect(tables).toHaveLength(6);
    const requests = tables[4]!;
    expect(requests).toHaveLength(28);
    // The places under the merged corner, 自然人 and 总计 are continuation cells, empty.
    expect(requests[2]).toEqual(['', '', '商业企业', '科研机构', '社会公益组织', '法律服务机构', '其他', '']);
    const received = requests.find((r) => r[0] === '一、本年新收政府信息公开申请数量')!;
    expect(received).toEqual(['一、本年新收政府信息公开申请数量', '2', '2', '0', '1', '1', '0', '6']);
    const secret = requests.find((r) => r.includes('1. 属于国家秘密'))!;
    expect(secret.slice(-7)).toEqual(['1', '0', '0', '0', '0', '0', '1']);
    const appeals = tables[5]!;
    expect(appeals[3]).toEqual(['1', '1', '0', '1', '3', '0', '1', '0', '0', '1', '0', '0', '0', '1', '1']);
  });

  it('XLSX: the tables of 二, 三 and 四 with merged headers', async () => {
    const res = await download(`year=2023&organ_id=${county}&format=xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as unknown as ExcelJS.Buffer);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['第二十条', '三', '四']);
    const three = workbook.getWorksheet('三')!;
    expect(three.getCell('A2').value).toContain('勾稽关系');
    expect(three.getCell('C4').master.address).toBe('A2');
    expect(three.getCell('E3').master.address).toBe('E3');
    expect(three.getCell('I3').master.address).toBe('E3');
    expect(three.getCell('A5').value).toBe('一、本年新收政府信息公开申请数量');
    expect(three.getCell('J5').value).toBe(6);
    const four = workbook.getWorksheet('四')!;
    expect(four.getCell('E3').master.address).toBe('A2');
    expect(four.getCell('E5').value).toBe(3);
  });

  it('finalises: a later change to the register shows as a difference and the published DOCX stays as it was', async () => {
    const done = await post('/reports/annual/finalise', { organ_id: county, year: 2023 });
    expect(done.status, done.text).toBe(201);
    expectApiError(await post('/reports/annual/finalise', { organ_id: county, year: 2023 }), 409);
    const published = ctx.request().get(`/api/v1/reports/annual/published?year=2023&organ_id=${county}&format=docx`).set(bearer(token)).buffer(true).parse(binary);
    const before = (await published.expect(200)).body as Buffer;

    await request('LATE-1', { received_on: '2023-11-11', applicant_type: 'commercial' });
    const after = await ctx.request().get(`/api/v1/reports/annual/published?year=2023&organ_id=${county}`).set(bearer(token)).expect(200);
    expect(after.body.report.requests.received.commercial).toBe(2);
    expect(after.body.differences).toEqual(
      expect.arrayContaining([
        { path: 'requests.received.commercial', published: 2, current: 3 },
        { path: 'requests.carried_forward.total', published: 3, current: 4 },
      ]),
    );
    const again = (await ctx.request().get(`/api/v1/reports/annual/published?year=2023&organ_id=${county}&format=docx`).set(bearer(token)).buffer(true).parse(binary).expect(200)).body as Buffer;
    expect(again.equals(before)).toBe(true);
    const text = (await mammoth.extractRawText({ buffer: again })).value;
    expect(text).toContain('一、本年新收政府信息公开申请数量');
  });
});
