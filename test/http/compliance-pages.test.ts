import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/features/accounts/actor.js';
import { fixedClock } from '../../src/platform/clock.js';
import { expectApiError, expectHtmlError, expectNoLeak } from '../support/assertions.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { bearer, buildDocument, buildInterpretation, buildOrgan } from '../support/factories.js';
import { csrfOf, signedInAgent } from '../support/staff.js';

const TODAY = '2026-11-29';
const password = 'correct-horse-battery';

let ctx: TestContext;
let admin: Actor;
let organ: number;
const ids: Record<string, number> = {};

const signIn = async (username: string) => (await signedInAgent(ctx, username, password)).agent;

beforeAll(async () => {
  ctx = await createTestContext({ clock: fixedClock(TODAY) });
  admin = (await ctx.user('admin')).actor;
  await ctx.services.users.create(admin, { username: 'editor9', password, role: 'editor' });
  await ctx.services.users.create(admin, { username: 'compiler9', password, role: 'compiler' });
  organ = (await buildOrgan(ctx.services, admin, { name: '示例县测试局', short_name: '测试局' })).id;
  const doc = async (key: string, overrides: Parameters<typeof buildDocument>[2]) => {
    ids[key] = (await buildDocument(ctx.services, admin, { organ_id: organ, ...overrides })).id;
  };
  await doc('onTime', { title: '按时公开的办法', signed_on: '2025-03-03', published_on: '2025-03-05', expires_on: '2027-01-31' });
  // A title that a spreadsheet would run as a formula, with a comma and a quote: the CSV must neutralise and quote it.
  await doc('late', { title: '=HYPERLINK("x"),逾期公开的通知', signed_on: '2025-03-03', published_on: '2025-05-06' });
  await doc('expiring', { title: '即将到期的规定', signed_on: '2022-01-04', published_on: '2022-01-06', expires_on: '2027-05-29' });
  await buildInterpretation(ctx.services, admin, [ids['onTime']!], { published_on: '2025-03-05' });
});
afterAll(() => ctx?.close());

describe('the dashboard page', () => {
  it('sends visitors who are not signed in to the sign-in page', async () => {
    await ctx.request().get('/staff/compliance').expect(303).expect('location', '/staff/login?next=%2Fstaff%2Fcompliance');
  });

  it('shows the figures, the late document, the charts and the export links', async () => {
    const agent = await signIn('compiler9');
    const res = await agent.get(`/staff/compliance?organ_id=${organ}&from=2024&to=2026`).expect(200);
    expect(res.text).toContain('公开合规看板');
    expect(res.text).toMatch(/<svg[^>]+role="img"/);
    expect(res.text).toContain('2025年 及时公开率：50%（1/2）');
    expect(res.text).toContain('逾期公开的通知');
    expect(res.text).toMatch(/id="timeliness-matrix"/);
    expect(res.text).toContain('/staff/compliance/export.csv?from=2024&amp;to=2026&amp;organ_id=');
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.text).not.toMatch(/\sstyle="/);
  });

  it('links the dashboard from the staff home page', async () => {
    const agent = await signIn('compiler9');
    expect((await agent.get('/staff').expect(200)).text).toContain('href="/staff/compliance"');
  });

  it('answers a bad filter with a Chinese message, not a stack trace', async () => {
    const agent = await signIn('compiler9');
    expectHtmlError(await agent.get('/staff/compliance?from=20x6'), 400);
    const reversed = await agent.get('/staff/compliance?from=2026&to=2020');
    expectHtmlError(reversed, 400);
    expect(reversed.text).toContain('起始年度不能晚于截止年度');
  });
});

describe('CSV export', () => {
  it('exports the organ × year summary as UTF-8 CSV with a BOM', async () => {
    const agent = await signIn('compiler9');
    const res = await agent.get(`/staff/compliance/export.csv?table=summary&organ_id=${organ}&from=2025&to=2025`).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain("filename*=UTF-8''");
    const text = res.body instanceof Buffer ? res.body.toString('utf8') : res.text;
    expect(text.startsWith('\uFEFF')).toBe(true);
    const lines = text.slice(1).split('\r\n');
    expect(lines[0]).toBe('机关,年度,已判定件数,按时公开,逾期公开,逾期未公开,及时公开率,待公开,节假日安排未知,缺成文日期,行政规范性文件件数,有解读件数,解读覆盖率');
    expect(lines[1]).toBe('示例县测试局,2025,2,1,1,0,50%,0,0,0,2,1,50%');
    expect(lines.at(-1)).toBe('');
  });

  it('quotes and neutralises a title that looks like a formula', async () => {
    const agent = await signIn('compiler9');
    const res = await agent.get(`/staff/compliance/export.csv?table=timeliness&organ_id=${organ}&from=2025&to=2025`).expect(200);
    const text = res.body instanceof Buffer ? res.body.toString('utf8') : res.text;
    expect(text).toContain(`${ids['late']},"'=HYPERLINK(""x""),逾期公开的通知",`);
  });

  it('refuses an unknown table', async () => {
    const agent = await signIn('compiler9');
    expectHtmlError(await agent.get('/staff/compliance/export.csv?table=passwords'), 400);
  });
});

describe('recording review decisions in the page', () => {
  it('lets an editor record a decision and shows it', async () => {
    const agent = await signIn('editor9');
    const page = await agent.get(`/staff/compliance/expiry?organ_id=${organ}`).expect(200);
    expect(page.text).toContain('即将到期的规定');
    const res = await agent
      .post(`/staff/compliance/expiry/${ids['expiring']}?organ_id=${organ}`)
      .type('form')
      .send({ _csrf: csrfOf(page.text), decision: 'revise', decided_on: '', new_expires_on: '', note: '列入修订计划' })
      .expect(303);
    expect(res.headers['location']).toBe(`/staff/compliance/expiry?organ_id=${organ}&recorded=${ids['expiring']}#doc-${ids['expiring']}`);
    const after = await agent.get(res.headers['location']!.split('#')[0]!).expect(200);
    expect(after.text).toContain('已记录文件');
    expect(after.text).toContain('最近决定：<strong>予以修订</strong>');
    expect(after.text).toContain('列入修订计划');
  });

  it('re-renders the form with 400, the message and the input when the decision is incomplete', async () => {
    const agent = await signIn('editor9');
    const page = await agent.get(`/staff/compliance/expiry?organ_id=${organ}`).expect(200);
    const res = await agent
      .post(`/staff/compliance/expiry/${ids['onTime']}?organ_id=${organ}`)
      .type('form')
      .send({ _csrf: csrfOf(page.text), decision: 'extend', decided_on: TODAY, new_expires_on: '', note: '待定的说明' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('延长有效期时必须填写新的有效期至');
    expect(await ctx.db.selectFrom('expiry_reviews').select('id').where('document_id', '=', ids['onTime']!).execute()).toEqual([]);
    expect(res.text).toContain('value="待定的说明"');
    expect(res.text).toMatch(/<option value="extend" selected>/);
    expectNoLeak(res.text);
  });

  it('refuses a compiler, and a form without its CSRF token', async () => {
    const compiler = await signIn('compiler9');
    const page = await compiler.get('/staff/compliance/expiry').expect(200);
    expect(page.text).not.toContain('记录决定');
    expectHtmlError(
      await compiler.post(`/staff/compliance/expiry/${ids['expiring']}`).type('form').send({ _csrf: csrfOf(page.text), decision: 'revise' }),
      403,
    );
    const editor = await signIn('editor9');
    const missing = await editor.post(`/staff/compliance/expiry/${ids['expiring']}`).type('form').send({ decision: 'revise' });
    expectHtmlError(missing, 403);
    expect(missing.text).toContain('表单已过期');
  });
});

describe('the JSON API', () => {
  it('serves the figures to a reader and publishes the routes in OpenAPI', async () => {
    const { token } = await ctx.user('compiler');
    const res = await ctx.request().get(`/api/v1/compliance/timeliness?organ_id=${organ}&from=2025&to=2025`).set(bearer(token)).expect(200);
    expect(res.body.total).toMatchObject({ assessed: 2, on_time: 1, late: 1, on_time_share: 0.5 });
    // 20 working days in March after the 3rd, 22 in April (清明 4 Apr off, Sunday 27 Apr worked), then 6 May after 劳动节.
    expect(res.body.late[0]).toMatchObject({ id: ids['late'], timeliness: { status: 'late', deadline: '2025-03-31', working_days: 43 } });
    const coverage = await ctx.request().get(`/api/v1/compliance/interpretations?organ_id=${organ}&from=2025&to=2025`).set(bearer(token)).expect(200);
    expect(coverage.body.total).toEqual({ documents: 2, covered: 1, uncovered: 1, coverage_share: 0.5 });
    const openApi = await ctx.request().get('/api/v1/openapi.json').expect(200);
    for (const path of ['/api/v1/compliance/timeliness', '/api/v1/compliance/interpretations', '/api/v1/compliance/expiring', '/api/v1/compliance/documents/{id}/expiry-reviews', '/api/v1/compliance/export']) {
      expect(Object.keys(openApi.body.paths)).toContain(path);
    }
  });

  it('requires a token, and the write permission to record a decision', async () => {
    expectApiError(await ctx.request().get('/api/v1/compliance/expiring'), 401);
    const { token } = await ctx.user('compiler');
    expectApiError(
      await ctx.request().post(`/api/v1/compliance/documents/${ids['expiring']}/expiry-reviews`).set(bearer(token)).send({ decision: 'revise' }),
      403,
    );
  });

  it('records a decision and answers bad input with 400 and Chinese field messages', async () => {
    const { token } = await ctx.user('editor');
    const url = `/api/v1/compliance/documents/${ids['expiring']}/expiry-reviews`;
    const bad = expectApiError(await ctx.request().post(url).set(bearer(token)).send({ decision: 'forget', extra: 1 }), 400, 'validation_failed');
    expect(Object.keys(bad.fields ?? {})).toEqual(expect.arrayContaining(['decision', 'extra']));
    const early = expectApiError(
      await ctx.request().post(url).set(bearer(token)).send({ decision: 'extend', new_expires_on: '2027-05-01' }),
      400,
    );
    expect(early.fields).toEqual({ new_expires_on: '新的有效期至应晚于原有效期至（2027-05-29）' });
    const created = await ctx.request().post(url).set(bearer(token)).send({ decision: 'extend', new_expires_on: '2032-05-31', note: '继续施行' }).expect(201);
    expect(created.body).toMatchObject({ decision: 'extend', previous_expires_on: '2027-05-29', new_expires_on: '2032-05-31', decided_on: TODAY });
    const history = await ctx.request().get(url).set(bearer(token)).expect(200);
    expect(history.body.items.map((i: { decision: string }) => i.decision)).toEqual(['extend', 'revise']);
    expectApiError(await ctx.request().get('/api/v1/compliance/documents/99999999/expiry-reviews').set(bearer(token)), 404);
  });

  it('rejects bad query values', async () => {
    const { token } = await ctx.user('compiler');
    const error = expectApiError(await ctx.request().get('/api/v1/compliance/expiring?window_months=0').set(bearer(token)), 400);
    expect(error.fields).toEqual({ window_months: '评估窗口月数不能小于 1' });
    expectApiError(await ctx.request().get('/api/v1/compliance/interpretations?lag_days=-1').set(bearer(token)), 400);
    expectApiError(await ctx.request().get('/api/v1/compliance/timeliness?organ_id=1e3').set(bearer(token)), 400);
  });

  it('exports CSV to API clients too', async () => {
    const { token } = await ctx.user('compiler');
    const res = await ctx.request().get(`/api/v1/compliance/export?table=expiring&organ_id=${organ}`).set(bearer(token)).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
  });
});
