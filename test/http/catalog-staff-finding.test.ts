import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/features/accounts/actor.js';
import { expectApiError, expectNothingStored } from '../support/assertions.js';
import { createTestContext, movableClock, type TestContext } from '../support/context.js';
import { bearer, buildOrgan } from '../support/factories.js';
import { signedInAgent } from '../support/staff.js';

const TODAY = '2024-06-15';
const password = 'finding-password';

let ctx: TestContext;
let admin: Actor;
let token: string;
let organId: number;
let otherOrganId: number;

beforeAll(async () => {
  const clock = movableClock();
  clock.set(TODAY);
  ctx = await createTestContext({ clock });
  ({ actor: admin, token } = await ctx.user('admin'));
  organId = (await buildOrgan(ctx.services, admin, { name: '示例县人民政府' })).id;
  otherOrganId = (await buildOrgan(ctx.services, admin, { name: '示例县财政局' })).id;
  await ctx.services.users.create(null, { username: 'legal', password, role: 'editor' });
});
afterAll(() => ctx?.close());

const published = (title: string, doc_number: string | null, organ = organId) =>
  ctx.services.documents.create(admin, { kind: 'normative', title, doc_number, organ_id: organ, signed_on: '2023-01-02', published_on: '2023-01-05', expires_on: '2028-01-04' });
const repeal = (id: number, body: object) => ctx.request().post(`/api/v1/documents/${id}/repeal`).set(bearer(token)).send(body);

describe('repeal by 文号 (by_doc_number)', () => {
  it('finds the repealing document by its 文号 in any spelling and relates the two', async () => {
    const by = await published('关于废止若干文件的决定', '示政发〔2024〕3号');
    const target = await published('示例县河道管理办法', '示政规〔2020〕1号');
    const res = await repeal(target.id, { repealed_on: TODAY, by_doc_number: '示政发[2024]03号' }).expect(200);
    expect(res.body.repeal).toEqual({ repealed_on: TODAY, by_document_id: by.id, reason: null });
    expect(res.body.relations).toEqual([{ relation: 'repeals', direction: 'incoming', document: { id: by.id, title: by.title, doc_number: '示政发〔2024〕3号' } }]);
  });

  it.each([
    ['no document carries it', '示政发〔2024〕99号', '没有文号为“示政发〔2024〕99号”的文件'],
    ['it is not a 文号', '关于废止', '无法识别的文号“关于废止”'],
  ])('%s → 400 naming by_doc_number, nothing stored', async (_name, value, message) => {
    const target = await published(`待废止文件${value}`, null);
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await repeal(target.id, { repealed_on: TODAY, by_doc_number: value }), 400, 'validation_failed');
      expect(error.fields).toEqual({ by_doc_number: message });
    });
  });

  it('a 文号 two organs use → 400 naming both, asking to choose', async () => {
    await published('县政府的决定', '示办发〔2024〕5号');
    await published('财政局的决定', '示办发〔2024〕5号', otherOrganId);
    const target = await published('又一待废止文件', null);
    const error = expectApiError(await repeal(target.id, { repealed_on: TODAY, by_doc_number: '示办发〔2024〕5号' }), 400, 'validation_failed');
    expect(error.fields?.['by_doc_number']).toContain('示例县人民政府《县政府的决定》');
    expect(error.fields?.['by_doc_number']).toContain('请从列表中选择');
  });

  it('both by_document_id and by_doc_number → 400', async () => {
    const target = await published('两项都填', null);
    expectApiError(await repeal(target.id, { repealed_on: TODAY, by_document_id: 1, by_doc_number: '示政发〔2024〕3号' }), 400, 'validation_failed');
  });
});

describe('the picker and the staff list find documents by 文号 or title', () => {
  it('the lookup answers staff, matching a 文号 in another spelling or a title fragment', async () => {
    const doc = await published('示例县城市道路挖掘管理办法', '示政规〔2022〕7号');
    const draft = await ctx.services.documents.create(admin, { kind: 'normative', title: '示例县城市道路照明办法（草稿）', organ_id: organId });
    const { agent } = await signedInAgent(ctx, 'legal', password);
    const byNumber = await agent.get('/staff/documents/lookup').query({ q: '示政规（2022）07号' }).expect(200);
    expect(byNumber.body.items.map((d: { id: number }) => d.id)).toEqual([doc.id]);
    expect(byNumber.body.items[0]).toEqual({ id: doc.id, title: doc.title, doc_number: '示政规〔2022〕7号', organ_name: '示例县人民政府', published_on: '2023-01-05', status_label: '现行有效' });
    const byTitle = await agent.get('/staff/documents/lookup').query({ q: '城市道路' }).expect(200);
    expect(byTitle.body.items.map((d: { id: number }) => d.id).sort()).toEqual([doc.id, draft.id].sort());
    // % and _ are letters here, not wildcards.
    expect((await agent.get('/staff/documents/lookup').query({ q: '%' }).expect(200)).body.items).toEqual([]);
    await ctx.request().get('/staff/documents/lookup').query({ q: '城市道路' }).expect(303);
  });

  it('the staff list searches by keyword or 文号 and shows the 文号 column', async () => {
    await published('示例县农贸市场管理规定', '示政规〔2022〕8号');
    const { agent } = await signedInAgent(ctx, 'legal', password);
    const byNumber = await agent.get('/staff/documents').query({ q: '示政规〔2022〕8号' }).expect(200);
    expect(byNumber.text).toContain('共 1 件');
    expect(byNumber.text).toContain('<td>示政规〔2022〕8号</td>');
    const byWord = await agent.get('/staff/documents').query({ q: '农贸市场', status: 'in_force' }).expect(200);
    expect(byWord.text).toContain('示例县农贸市场管理规定');
    expect((await agent.get('/staff/documents').query({ q: '没有这个词' }).expect(200)).text).toContain('共 0 件');
  });
});

describe('staff downloads', () => {
  it('a draft original downloads with the session, named after the document; the API still wants a token', async () => {
    const draft = await ctx.services.documents.create(
      admin,
      { kind: 'normative', title: '示例县殡葬管理办法（征求意见稿）', organ_id: organId },
      { name: 'tongzhi.txt', kind: 'text', type: 'text/plain; charset=utf-8', bytes: Buffer.from('第一条 为规范殡葬管理……') },
    );
    const fileId = (await ctx.services.documents.get(admin, draft.id)).files[0]!.id;
    const { agent } = await signedInAgent(ctx, 'legal', password);
    const res = await agent.get(`/staff/documents/${draft.id}/files/${fileId}`).expect(200);
    expect(res.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('示例县殡葬管理办法（征求意见稿）.txt')}`);
    expect(res.text).toBe('第一条 为规范殡葬管理……');
    const page = await agent.get(`/staff/documents/${draft.id}`).expect(200);
    expect(page.text).toContain(`href="/staff/documents/${draft.id}/files/${fileId}"`);
    expect(page.text).toContain('示例县殡葬管理办法（征求意见稿）.txt');
    expect(page.text).toMatch(/文本，\d/);
    await ctx.request().get(`/staff/documents/${draft.id}/files/${fileId}`).expect(303);
    await ctx.request().get(`/api/v1/documents/${draft.id}/files/${fileId}`).expect(404);
  });
});
