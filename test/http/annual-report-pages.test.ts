import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type supertest from 'supertest';
import { fixedClock } from '../../src/platform/clock.js';
import { expectNoLeak } from '../support/assertions.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { signedInAgent } from '../support/staff.js';

/** The registers' pages, the report page and the deadlines list, driven through the real forms. */
let ctx: TestContext;
let county: number;
let agent: supertest.Agent;
let csrf: string;
const password = 'compiler-password-1';

beforeAll(async () => {
  ctx = await createTestContext({ clock: fixedClock('2024-03-01') });
  const { actor } = await ctx.user('admin');
  county = (await ctx.services.organs.create(actor, { name: '静乐县人民政府' })).id;
  await ctx.services.users.create(null, { username: 'counter', password, role: 'compiler' });
  ({ agent, csrf } = await signedInAgent(ctx, 'counter', password));
});
afterAll(() => ctx?.close());

describe('register pages', () => {
  it('enters a request, refuses a bad one with the message, edits it to conclude, and lists it with its deadline', async () => {
    const bad = await agent.post('/staff/registers/requests').type('form').send({ _csrf: csrf, organ_id: String(county), number: '<b>X</b>', received_on: '2024-02-20', applicant_type: 'natural_person', concluded_on: '2024-02-10', outcome: 'disclosed' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('办结日期不能早于收到日期');
    expect(bad.text).toContain('value="&lt;b&gt;X&lt;/b&gt;"');
    expectNoLeak(bad.text);
    await agent.post('/staff/registers/requests').type('form').send({ _csrf: csrf, organ_id: String(county), number: 'P-1', received_on: '2024-01-02', applicant_type: 'commercial', outcome: '' }).expect(303);
    const list = await agent.get(`/staff/registers/requests?organ_id=${county}&open=true`).expect(200);
    expect(list.text).toContain('P-1');
    // 20 working days from 2 January 2024 end in January: overdue on 1 March.
    expect(list.text).toMatch(/已逾期 \d+ 个工作日/);
    const id = (await ctx.db.selectFrom('disclosure_requests').select('id').where('number', '=', 'P-1').executeTakeFirstOrThrow()).id;
    const edit = await agent.get(`/staff/registers/requests/${id}`).expect(200);
    expect(edit.text).toContain('答复期限');
    await agent.post(`/staff/registers/requests/${id}`).type('form').send({ _csrf: csrf, organ_id: String(county), number: 'P-1', received_on: '2024-01-02', applicant_type: 'commercial', concluded_on: '2024-01-25', outcome: 'partially_disclosed' }).expect(303);
    const row = await ctx.db.selectFrom('disclosure_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ concluded_on: '2024-01-25', outcome: 'partially_disclosed' });
  });

  it('imports through the page and offers a template', async () => {
    const template = await agent.get('/staff/registers/appeals/template.csv').expect(200);
    expect(template.text).toContain('案件编号,被申请机关,案件类型,立案日期,审结日期,结果');
    const file = Buffer.from(`案件编号,被申请机关,案件类型,立案日期,审结日期,结果\r\nFY-1,静乐县人民政府,行政复议,2023-02-01,2023-04-01,纠正\r\n`);
    const res = await agent.post(`/staff/registers/appeals/import?_csrf=${encodeURIComponent(csrf)}`).attach('file', file, '案件.csv').expect(200);
    expect(res.text).toContain('新增 1 件');
  });

  it('lists open requests by days left on the compliance side', async () => {
    await agent.post('/staff/registers/requests').type('form').send({ _csrf: csrf, organ_id: String(county), number: 'P-2', received_on: '2024-02-26', applicant_type: 'natural_person' }).expect(303);
    await agent.post('/staff/registers/requests').type('form').send({ _csrf: csrf, organ_id: String(county), number: 'P-3', received_on: '2024-01-03', applicant_type: 'natural_person' }).expect(303);
    const page = await agent.get('/staff/compliance/requests').expect(200);
    expect(page.text.indexOf('P-3')).toBeLessThan(page.text.indexOf('P-2'));
    expect(page.text).toMatch(/data-overdue>1</);
  });
});

describe('report page', () => {
  it('shows every table with links, the balance check, saves the texts and finalises', async () => {
    const page = await agent.get(`/staff/annual-report?year=2023&organ_id=${county}`).expect(200);
    for (const title of ['一、政府信息公开总体情况', '二、主动公开政府信息情况', '三、收到和处理政府信息公开申请情况', '四、政府信息公开行政复议、行政诉讼情况', '五、', '六、其他需要报告的事项']) expect(page.text).toContain(title);
    expect(page.text).toContain('勾稽关系平衡');
    expect(page.text).toContain('/staff/annual-report/cells?year=2023&amp;organ_id=');
    const cell = await agent.get(`/staff/annual-report/cells?year=2023&organ_id=${county}&cell=appeals.review.corrected`).expect(200);
    expect(cell.text).toContain('FY-1');
    await agent.post('/staff/annual-report/texts').type('form').send({ _csrf: csrf, year: '2023', organ_id: String(county), one: '总体<情况>', five: '问题', six: '其他' }).expect(303);
    const saved = await agent.get(`/staff/annual-report?year=2023&organ_id=${county}`).expect(200);
    expect(saved.text).toContain('总体&lt;情况&gt;');
    await agent.post('/staff/annual-report/finalise').type('form').send({ _csrf: csrf, year: '2023', organ_id: String(county) }).expect(303);
    await agent.post('/staff/registers/appeals').type('form').send({ _csrf: csrf, organ_id: String(county), number: 'FY-2', kind: 'review', filed_on: '2023-06-01' }).expect(303);
    const after = await agent.get(`/staff/annual-report?year=2023&organ_id=${county}`).expect(200);
    expect(after.text).toContain('data-difference="appeals.review.pending"');
    const docx = await agent.get(`/staff/annual-report/published.docx?year=2023&organ_id=${county}`).expect(200);
    expect(docx.headers['content-type']).toContain('wordprocessingml');
    const years = await agent.get(`/staff/annual-report/years?organ_id=${county}&year=2023`).expect(200);
    expect(years.text).toContain('本年新收申请');
  });
});
