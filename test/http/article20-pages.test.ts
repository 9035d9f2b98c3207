import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/platform/clock.js';
import { expectHtmlError, expectNoLeak } from '../support/assertions.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { signedInAgent } from '../support/staff.js';

let ctx: TestContext;
let county: number;
let bureau: number;
const password = 'compiler-password-1';

beforeAll(async () => {
  ctx = await createTestContext({ clock: fixedClock('2024-03-01') });
  const { actor } = await ctx.user('admin');
  county = (await ctx.services.organs.create(actor, { name: '静乐县人民政府' })).id;
  bureau = (await ctx.services.organs.create(actor, { name: '静乐县<市场>监督管理局', parent_id: county })).id;
  await ctx.db
    .insertInto('documents')
    .values([
      { kind: 'rule', title: '静乐县规章', organ_id: county, signed_on: '2020-01-01', published_on: '2020-01-02' },
      { kind: 'normative', title: '关于<加强>管理的通知', organ_id: county, signed_on: '2023-02-01', published_on: '2023-02-03' },
      { kind: 'normative', title: '已失效的通知', organ_id: county, signed_on: '2021-02-01', published_on: '2021-02-03', expires_on: '2023-06-30' },
    ])
    .execute();
  await ctx.db
    .insertInto('decisions')
    .values({ kind: 'penalty', organ_id: bureau, decision_number: '静市监罚〔2023〕5号', decision_number_key: 'k', decided_on: '2023-05-05' })
    .execute();
  await ctx.services.users.create(null, { username: 'counter', password, role: 'compiler' });
  await ctx.services.users.create(null, { username: 'legal', password, role: 'editor' });
});
afterAll(() => ctx?.close());

describe('report page', () => {
  it('lays out section 二 like the official form, every number linked to its records', async () => {
    const res = await ctx.request().get(`/reports/article20?year=2023&organ_id=${county}`).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const html = res.text;
    for (const label of ['二、主动公开政府信息情况', '第二十条第（一）项', '第二十条第（五）项', '第二十条第（六）项', '第二十条第（八）项', '信息内容', '本年制发件数', '本年废止件数', '现行有效件数', '本年处理决定数量', '本年收费金额（单位：万元）', '行政事业性收费']) {
      expect(html).toContain(label);
    }
    expect(html.match(/<table class="form-table">/g)).toHaveLength(4);
    expect(html).toContain(`href="/reports/article20/cells?year=2023&amp;organ_id=${county}&amp;subtree=false&amp;cell=normative.issued"`);
    expect(html).toContain(`href="/api/v1/reports/article20?year=2023&amp;organ_id=${county}&amp;subtree=false&amp;format=xlsx"`);
    expect(html).toContain('href="/static/report.css"');
    expect(html).toContain('勾稽关系平衡');
    expect(html).toContain('静乐县&lt;市场&gt;监督管理局'); // escaped in the organ select
    expect(html).not.toMatch(/<script>|style="/);
    expectNoLeak(html);
  });

  it('counts the sub-organs when asked', async () => {
    const res = await ctx.request().get(`/reports/article20?year=2023&organ_id=${county}&subtree=true`).expect(200);
    expect(res.text).toContain('静乐县人民政府（含下级机关） 2023 年度');
    expect(res.text).toMatch(/cell=penalty"[^>]*>1</);
  });

  it('defaults to last year and the first organ', async () => {
    const res = await ctx.request().get('/reports/article20').expect(200);
    expect(res.text).toContain('静乐县人民政府 2023 年度');
  });

  it('lists the documents behind a number, with how each ended', async () => {
    const res = await ctx.request().get(`/reports/article20/cells?year=2023&organ_id=${county}&cell=normative.ended`).expect(200);
    expect(res.text).toContain('已失效的通知');
    expect(res.text).toContain('失效于 2023-07-01');
    expect(res.text).toContain('其中废止');
    const issued = await ctx.request().get(`/reports/article20/cells?year=2023&organ_id=${county}&cell=normative.issued`).expect(200);
    expect(issued.text).toContain('关于&lt;加强&gt;管理的通知');
    const penalty = await ctx.request().get(`/reports/article20/cells?year=2023&organ_id=${county}&subtree=true&cell=penalty`).expect(200);
    expect(penalty.text).toContain('静市监罚〔2023〕5号');
  });

  it('compares years side by side', async () => {
    const res = await ctx.request().get(`/reports/article20/years?organ_id=${county}&from=2021&to=2023`).expect(200);
    expect(res.text).toMatch(/2021 年[\s\S]*2022 年[\s\S]*2023 年/);
    expect(res.text).toContain('行政规范性文件 · 现行有效件数');
  });

  it('answers bad queries with a Chinese error page', async () => {
    expectHtmlError(await ctx.request().get('/reports/article20?year=abcd'), 400);
    expectHtmlError(await ctx.request().get('/reports/article20?organ_id=999999&year=2023'), 404);
    expectHtmlError(await ctx.request().get(`/reports/article20/cells?year=2023&organ_id=${county}&cell=x`), 400);
  });
});

describe('staff entry of decisions and fees', () => {
  it('sends visitors to sign in, and refuses editors', async () => {
    const anonymous = await ctx.request().get('/staff/article20').expect(303);
    expect(anonymous.headers['location']).toBe('/staff/login?next=%2Fstaff%2Farticle20');
    const { agent } = await signedInAgent(ctx, 'legal', password);
    expectHtmlError(await agent.get('/staff/article20'), 403);
  });

  it('records a decision, keeping the input and the message when it is wrong', async () => {
    const { agent, csrf } = await signedInAgent(ctx, 'counter', password);
    const page = await agent.get('/staff/article20').expect(200);
    expect(page.text).toContain('登记一件处理决定');
    const bad = await agent.post('/staff/article20/decisions').type('form').send({ _csrf: csrf, kind: 'licensing', decision_number: '静政许<2023>1号', decided_on: '2023-02-30', organ_id: String(county) });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('不是真实存在的日期');
    expect(bad.text).toContain('value="静政许&lt;2023&gt;1号"');
    const ok = await agent.post('/staff/article20/decisions').type('form').send({ _csrf: csrf, kind: 'licensing', decision_number: '静政许〔2023〕1号', decided_on: '2023-02-28', organ_id: String(county) }).expect(303);
    expect((await agent.get(ok.headers['location']!).expect(200)).text).toContain('已登记一件处理决定');
    const again = await agent.post('/staff/article20/decisions').type('form').send({ _csrf: csrf, kind: 'licensing', decision_number: '静政许[2023]1号', decided_on: '2023-02-28', organ_id: String(county) });
    expect(again.status).toBe(409);
    const fee = await agent.post('/staff/article20/fees').type('form').send({ _csrf: csrf, organ_id: String(county), item: '工本费', amount_yuan: '12.5', collected_on: '2023-03-01', receipt_number: '' });
    expect(fee.status).toBe(303);
    const report = await ctx.services.reports.article20(null, { year: 2023, organ_id: county, subtree: false });
    expect(report).toMatchObject({ licensing: 1, fees: { fen: 1250 } });
  });

  it('refuses a form without its CSRF token', async () => {
    const { agent } = await signedInAgent(ctx, 'counter', password);
    expectHtmlError(await agent.post('/staff/article20/decisions').type('form').send({ kind: 'licensing', decision_number: 'X', decided_on: '2023-02-28', organ_id: String(county) }), 403);
  });

  it('imports a file from the page, listing every bad row', async () => {
    const { agent, csrf } = await signedInAgent(ctx, 'counter', password);
    const bad = iconv.encode('实施机关,收费项目,金额（元）,收费日期\r\n静乐县人民政府,工本费,1.234,2023-01-01\r\n无此机关,工本费,1,2023-01-01\r\n', 'gbk');
    const refused = await agent.post(`/staff/article20/import?target=fees&_csrf=${encodeURIComponent(csrf)}`).attach('file', bad, '收费.csv');
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('文件中有 2 处错误');
    expect(refused.text).toContain('实施机关“无此机关”不存在');
    const good = Buffer.from('类别,决定书文号,决定日期,实施机关\n行政处罚,静政罚〔2023〕9号,2023-09-09,静乐县人民政府\n');
    const dry = await agent.post(`/staff/article20/import?target=decisions&_csrf=${encodeURIComponent(csrf)}`).field('dry_run', 'true').attach('file', good, 'a.csv').expect(200);
    expect(dry.text).toContain('试导入（未保存）：共 1 行，将新增 1 条');
    const done = await agent.post(`/staff/article20/import?target=decisions&_csrf=${encodeURIComponent(csrf)}`).attach('file', good, 'a.csv').expect(200);
    expect(done.text).toContain('导入完成：共 1 行，新增 1 条');
    expectHtmlError(await agent.post('/staff/article20/import?target=decisions').attach('file', good, 'a.csv'), 403);
  });
});
