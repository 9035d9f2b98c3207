import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/features/accounts/actor.js';
import { expectApiError, expectNothingStored } from '../support/assertions.js';
import { createTestContext, movableClock, type TestContext } from '../support/context.js';
import { bearer, buildOrgan } from '../support/factories.js';
import { signedInAgent } from '../support/staff.js';

const TODAY = '2024-06-15';
const password = 'publishing-password';

let ctx: TestContext;
let admin: Actor;
let token: string;
let organId: number;

beforeAll(async () => {
  const clock = movableClock();
  clock.set(TODAY);
  ctx = await createTestContext({ clock });
  ({ actor: admin, token } = await ctx.user('admin'));
  organId = (await buildOrgan(ctx.services, admin, { name: '示例县人民政府', doc_prefixes: ['示政发', '示政规'] })).id;
  await ctx.services.users.create(null, { username: 'legal', password, role: 'editor' });
});
afterAll(() => ctx?.close());

/** The draft of the issue: a 征求意见稿 with no 文号, no 成文日期 and a date left blank. */
const draftOfTheIssue = () =>
  ctx.services.documents.create(admin, {
    kind: 'normative',
    title: '示例县农村道路管理办法（征求意见稿）',
    organ_id: organId,
    body: '第一条 为加强农村道路管理……\n本办法自 年 月 日起施行。',
  });

const patch = (id: number, body: object) => ctx.request().patch(`/api/v1/documents/${id}`).set(bearer(token)).send(body);
const post = (body: object) => ctx.request().post('/api/v1/documents').set(bearer(token)).send(body);

describe('publishing through the API', () => {
  it('refuses to publish without 文号 and 成文日期, naming each field, and changes nothing', async () => {
    const draft = await draftOfTheIssue();
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await patch(draft.id, { published_on: TODAY }), 400, 'validation_failed');
      expect(error.message).toBe('发布前须填写：文号、成文日期');
      expect(error.fields).toEqual({ doc_number: '发布前须填写文号', signed_on: '发布前须填写成文日期' });
    });
    expect((await ctx.services.documents.get(admin, draft.id)).status).toBe('draft');
  });

  it('a rule is asked for its 令号', async () => {
    const draft = await ctx.services.documents.create(admin, { kind: 'rule', title: '示例县规章', organ_id: organId, signed_on: '2024-06-01' });
    const error = expectApiError(await patch(draft.id, { published_on: TODAY }), 400, 'validation_failed');
    expect(error.fields).toEqual({ doc_number: '发布前须填写令号' });
  });

  it('publishes once the fields are there, storing and answering the warnings', async () => {
    const draft = await draftOfTheIssue();
    const res = await patch(draft.id, { published_on: TODAY, doc_number: '示农发〔2023〕4号', signed_on: '2024-06-01' }).expect(200);
    expect(res.body.status).toBe('in_force');
    expect(res.body.warnings.map((w: { code: string }) => w.code)).toEqual(['draft_wording', 'blank_date', 'no_expiry', 'doc_number_year', 'doc_number_prefix']);
    for (const w of res.body.warnings as { message: string }[]) expect(w.message).toMatch(/\p{Script=Han}/u);
    const again = await ctx.request().get(`/api/v1/documents/${draft.id}`).expect(200);
    expect(again.body.warnings).toEqual(res.body.warnings);
  });

  it('a document registered as published today is being published: the same 400', async () => {
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await post({ kind: 'normative', title: '今日发布', organ_id: organId, published_on: TODAY }), 400, 'validation_failed');
      expect(Object.keys(error.fields ?? {})).toEqual(['doc_number', 'signed_on']);
    });
  });

  it('a record of an earlier publication (a catalog being loaded) is kept, its missing fields a warning', async () => {
    const res = await post({ kind: 'rule', title: '示例县历史规章', organ_id: organId, published_on: '2001-05-01' }).expect(201);
    expect(res.body.warnings).toEqual([{ code: 'missing_fields', message: '缺少文号、成文日期' }]);
  });
});

describe('the 发布 button', () => {
  it('shows the checks on the page and publishes nothing when fields are missing', async () => {
    const draft = await draftOfTheIssue();
    const { agent, csrf } = await signedInAgent(ctx, 'legal', password);
    const res = await agent.post(`/staff/documents/${draft.id}/publish`).type('form').send({ _csrf: csrf, published_on: TODAY });
    expect(res.status).toBe(400);
    expect(res.text).toContain('发布前须填写：文号、成文日期');
    expect(res.text).toContain('文号：发布前须填写文号');
    expect(res.text).not.toContain('doc_number');
    expect((await ctx.services.documents.get(admin, draft.id)).published_on).toBeNull();
  });

  it('shows what the public will see with the warnings, and publishes only when confirmed', async () => {
    const draft = await draftOfTheIssue();
    await ctx.services.documents.update(admin, draft.id, { doc_number: '示政规〔2024〕8号', signed_on: '2024-06-01' });
    const { agent, csrf } = await signedInAgent(ctx, 'legal', password);
    const page = await agent.post(`/staff/documents/${draft.id}/publish`).type('form').send({ _csrf: csrf, published_on: TODAY }).expect(200);
    expect(page.text).toContain('示政规〔2024〕8号');
    expect(page.text).toContain('现行有效');
    expect(page.text).toContain('可能仍是草稿');
    expect(page.text).toContain('正文中有未填写的日期');
    expect(page.text).toContain('仍然发布');
    expect((await ctx.services.documents.get(admin, draft.id)).published_on).toBeNull();
    await agent.post(`/staff/documents/${draft.id}/publish`).type('form').send({ _csrf: csrf, published_on: TODAY, confirmed: '1' }).expect(303);
    const published = await ctx.services.documents.get(admin, draft.id);
    expect(published.status).toBe('in_force');
    expect(published.warnings.map((w) => w.code)).toEqual(['draft_wording', 'blank_date', 'no_expiry']);
    const show = await agent.get(`/staff/documents/${draft.id}`).expect(200);
    expect(show.text).toContain('发布时的提醒');
  });
});
