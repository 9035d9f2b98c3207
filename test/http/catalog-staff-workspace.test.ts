import { utimes } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalStorage } from '../../src/platform/storage.js';
import { STAGED_UPLOAD_TTL_MS } from '../../src/features/catalog/document.service.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { signedInAgent } from '../support/staff.js';

let ctx: TestContext;
let organId: number;
const password = 'editor-password-1';

beforeAll(async () => {
  ctx = await createTestContext();
  const { actor } = await ctx.user('admin');
  organId = (await ctx.services.organs.create(actor, { name: '示例县人民政府', doc_prefixes: ['示政发'] })).id;
  await ctx.services.users.create(null, { username: 'legal', password, role: 'editor' });
  await ctx.services.users.create(null, { username: 'counter', password, role: 'compiler' });
});
afterAll(() => ctx?.close());

const countDocuments = async () => Number((await ctx.db.selectFrom('documents').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

describe('staff workspace', () => {
  it('registers a draft, keeping the input and naming the field when something is wrong', async () => {
    const { agent, csrf } = await signedInAgent(ctx, 'legal', password);
    const before = await countDocuments();
    const bad = await agent.post('/staff/documents').type('form').send({
      _csrf: csrf, kind: 'normative', title: '关于<规范>管理的通知', doc_number: '示政发〔2023〕7号', organ_id: String(organId),
      signed_on: '2023-05-10', published_on: '2023-05-01', topics: ['综合政务', '安全生产'], body: '第一条',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('发布日期：发布日期不能早于成文日期');
    expect(bad.text).toContain('value="关于&lt;规范&gt;管理的通知"');
    expect(bad.text).toMatch(/value="安全生产" checked/);
    expect(await countDocuments()).toBe(before);

    const ok = await agent.post('/staff/documents').type('form').send({
      _csrf: csrf, kind: 'normative', title: '关于规范管理的通知', doc_number: '示政发[2023]7号', organ_id: String(organId),
      signed_on: '2023-05-10', topics: '综合政务', body: '第一条 ……',
    });
    expect(ok.status).toBe(303);
    const page = await agent.get(ok.headers['location']!).expect(200);
    expect(page.text).toContain('示政发〔2023〕7号');
    expect(page.text).toContain('未发布');
  });

  it('publishes, links an interpretation, unlinks is refused for the last link, and repeals', async () => {
    const { agent, csrf } = await signedInAgent(ctx, 'legal', password);
    const created = await agent.post('/staff/documents').type('form').send({
      _csrf: csrf, kind: 'normative', title: '关于加强安全生产的意见', doc_number: '示政发〔2024〕2号', organ_id: String(organId), signed_on: '2024-03-01',
    });
    const url = created.headers['location']!;
    const id = Number(url.split('/').pop());
    // 发布 first shows what the public will see and asks to confirm; nothing is published yet.
    const confirm = await agent.post(`${url}/publish`).type('form').send({ _csrf: csrf, published_on: '2024-03-05' }).expect(200);
    expect(confirm.text).toContain('确认发布');
    expect(confirm.text).toContain('行政规范性文件未填写有效期至');
    expect((await ctx.services.documents.get({ userId: 1, username: 'x', role: 'admin', ip: null }, id)).published_on).toBeNull();
    await agent.post(`${url}/publish`).type('form').send({ _csrf: csrf, published_on: '2024-03-05', confirmed: '1' }).expect(303);
    expect((await ctx.services.documents.get(null, id)).status).toBe('in_force');

    await agent.post(`${url}/interpretations`).type('form').send({ _csrf: csrf, title: '《关于加强安全生产的意见》解读', published_on: '2024-03-06', body: '一、背景' }).expect(303);
    const doc = await ctx.services.documents.get(null, id);
    expect(doc.interpretations.map((i) => i.title)).toEqual(['《关于加强安全生产的意见》解读']);
    const interpretationId = doc.interpretations[0]!.id;
    const refused = await agent.post(`${url}/interpretations/${interpretationId}/unlink`).type('form').send({ _csrf: csrf });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('不能取消关联');

    const early = await agent.post(`${url}/repeal`).type('form').send({ _csrf: csrf, repealed_on: '2024-03-01' });
    expect(early.status).toBe(400);
    expect(early.text).toContain('废止日期不能早于发布日期');
    // 废止 first says what changes; only the confirmed form repeals.
    const confirmRepeal = await agent.post(`${url}/repeal`).type('form').send({ _csrf: csrf, repealed_on: '2025-12-31', reason: '清理' }).expect(200);
    expect(confirmRepeal.text).toContain('计入 2025 年度');
    expect((await ctx.services.documents.get(null, id)).repeal).toBeNull();
    await agent.post(`${url}/repeal`).type('form').send({ _csrf: csrf, repealed_on: '2025-12-31', reason: '清理', confirmed: '1' }).expect(303);
    expect((await ctx.services.documents.get(null, id, '2025-12-31')).status).toBe('repealed');
  });

  it('edits a document through the form', async () => {
    const { agent, csrf } = await signedInAgent(ctx, 'legal', password);
    const created = await agent.post('/staff/documents').type('form').send({ _csrf: csrf, kind: 'other', title: '旧标题', organ_id: String(organId) });
    const url = created.headers['location']!;
    const form = await agent.get(`${url}/edit`).expect(200);
    expect(form.text).toContain('value="旧标题"');
    await agent.post(url).type('form').send({ _csrf: csrf, kind: 'other', title: '新标题', organ_id: String(organId) }).expect(303);
    expect((await ctx.services.documents.get({ userId: 1, username: 'x', role: 'admin', ip: null }, Number(url.split('/').pop()))).title).toBe('新标题');
  });

  it('lets a compiler read the workspace but not write', async () => {
    const { agent, csrf } = await signedInAgent(ctx, 'counter', password);
    await agent.get('/staff/documents').expect(200);
    await agent.get('/staff/documents/new').expect(403);
    const before = await countDocuments();
    await agent.post('/staff/documents').type('form').send({ _csrf: csrf, kind: 'other', title: 'x', organ_id: String(organId) }).expect(403);
    expect(await countDocuments()).toBe(before);
  });

  it('refuses a workspace form without its CSRF token', async () => {
    const { agent } = await signedInAgent(ctx, 'legal', password);
    const before = await countDocuments();
    await agent.post('/staff/documents').type('form').send({ kind: 'other', title: 'x', organ_id: String(organId) }).expect(403);
    expect(await countDocuments()).toBe(before);
  });
});

describe('registering from an uploaded file', () => {
  const NOTICE = [
    '示例县人民政府',
    '示政发〔2024〕9号',
    '示例县人民政府关于加强农村集体资产管理的通知',
    '各乡（镇）人民政府，县直各有关单位：',
    '为进一步加强农村集体资产管理，现就有关事项通知如下。',
    '一、本通知自2024年5月1日起施行，有效期5年。',
    '示例县人民政府',
    '2024年4月12日',
  ].join('\n');

  it('suggests the metadata from the file, keeps the file, and registers it with its text when saved', async () => {
    const { agent, csrf } = await signedInAgent(ctx, 'legal', password);
    const organ = await ctx.db.selectFrom('organs').select('id').where('name', '=', '示例县人民政府').executeTakeFirstOrThrow();
    const suggested = await agent
      .post(`/staff/documents/suggest?_csrf=${encodeURIComponent(csrf)}`)
      .attach('file', Buffer.from(NOTICE, 'utf8'), '关于加强农村集体资产管理的通知.txt')
      .expect(200);
    expect(suggested.text).toContain('value="示例县人民政府关于加强农村集体资产管理的通知"');
    expect(suggested.text).toContain('value="示政发〔2024〕9号"');
    expect(suggested.text).toContain('value="2024-04-12"');
    expect(suggested.text).toMatch(new RegExp(`<option value="${organ.id}" selected>`));
    const sha256 = /name="staged_sha256" value="([0-9a-f]{64})"/.exec(suggested.text)![1]!;
    expect(await ctx.db.selectFrom('documents').select('id').where('title', 'like', '%农村集体资产%').executeTakeFirst()).toBeUndefined();

    const saved = await agent.post('/staff/documents').type('form').send({
      _csrf: csrf, staged_sha256: sha256, staged_name: '关于加强农村集体资产管理的通知.txt', kind: 'normative',
      title: '示例县人民政府关于加强农村集体资产管理的通知', doc_number: '示政发〔2024〕9号', organ_id: String(organ.id),
      signed_on: '2024-04-12', published_on: '2024-04-15', effective_on: '2024-05-01', expires_on: '2029-04-30',
    });
    expect(saved.status).toBe(303);
    const id = Number(saved.headers['location']!.split('/').pop());
    const doc = await ctx.services.documents.get(null, id);
    expect(doc.files).toMatchObject([{ name: '关于加强农村集体资产管理的通知.txt', sha256, role: 'main' }]);
    expect(await createLocalStorage(ctx.config.storageDir).has(sha256)).toBe(true);
    expect(doc.body).toContain('现就有关事项通知如下');
  });

  it('says what is wrong with a file that is not a document, in the form', async () => {
    const { agent, csrf } = await signedInAgent(ctx, 'legal', password);
    // A GIF: scanned pages (PNG, JPEG, TIFF) are read by OCR, a GIF is no document format.
    const gif = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1');
    const res = await agent.post(`/staff/documents/suggest?_csrf=${encodeURIComponent(csrf)}`).attach('file', gif, '通知.pdf');
    expect(res.status).toBe(415);
    expect(res.text).toContain('GIF');
    expect(res.text).toContain('name="file"');
  });

  it('forgets an upload nobody registered within a day; the form then asks for the file again', async () => {
    const { agent, csrf } = await signedInAgent(ctx, 'legal', password);
    const suggested = await agent
      .post(`/staff/documents/suggest?_csrf=${encodeURIComponent(csrf)}`)
      .attach('file', Buffer.from(`${NOTICE}\n（无人登记的一份）`, 'utf8'), '无人登记.txt')
      .expect(200);
    const sha256 = /name="staged_sha256" value="([0-9a-f]{64})"/.exec(suggested.text)![1]!;
    expect(await createLocalStorage(ctx.config.storageDir).has(sha256)).toBe(false);
    const staged = path.join(ctx.config.storageDir, 'staging', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
    const longAgo = new Date(Date.now() - STAGED_UPLOAD_TTL_MS - 60_000);
    await utimes(staged, longAgo, longAgo);
    expect(await ctx.services.documents.sweepStagedUploads()).toBeGreaterThanOrEqual(1);

    const before = await countDocuments();
    const res = await agent.post('/staff/documents').type('form').send({
      _csrf: csrf, staged_sha256: sha256, staged_name: '无人登记.txt', kind: 'other', title: '过期的暂存原件', organ_id: String(organId),
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('原件已失效');
    expect(res.text).toContain('value="过期的暂存原件"');
    expect(await countDocuments()).toBe(before);
  });

  it('refuses a staged file reference that does not exist, storing nothing', async () => {
    const { agent, csrf } = await signedInAgent(ctx, 'legal', password);
    const before = await countDocuments();
    const res = await agent.post('/staff/documents').type('form').send({
      _csrf: csrf, staged_sha256: 'f'.repeat(64), staged_name: 'x.pdf', kind: 'other', title: '伪造的原件', organ_id: String(organId),
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('原件已失效');
    expect(await countDocuments()).toBe(before);
  });

  it('refuses an upload without the CSRF token', async () => {
    const { agent } = await signedInAgent(ctx, 'legal', password);
    await agent.post('/staff/documents/suggest').attach('file', Buffer.from(NOTICE, 'utf8'), 'a.txt').expect(403);
  });
});

describe('workspace forms refuse bad input with the reason, changing nothing', () => {
  it('edit, publish, interpretation, repeal and upload forms', async () => {
    const { agent, csrf } = await signedInAgent(ctx, 'legal', password);
    const created = await agent.post('/staff/documents').type('form').send({ _csrf: csrf, kind: 'other', title: '待改的文件', organ_id: String(organId) });
    const url = created.headers['location']!;
    const id = Number(url.split('/').pop());
    const counts = async () => ({
      interpretations: (await ctx.db.selectFrom('interpretations').select('id').execute()).length,
      repeals: (await ctx.db.selectFrom('document_repeals').select('document_id').execute()).length,
      files: (await ctx.db.selectFrom('stored_files').select('sha256').execute()).length,
    });
    const before = await counts();

    const edit = await agent.post(url).type('form').send({ _csrf: csrf, kind: 'other', title: '', organ_id: String(organId) });
    expect(edit.status).toBe(400);
    expect(edit.text).toContain('标题：标题不能为空');
    const publish = await agent.post(`${url}/publish`).type('form').send({ _csrf: csrf, published_on: '2023-02-30' });
    expect(publish.status).toBe(400);
    expect(publish.text).toContain('不是真实存在的日期');
    const noTitle = await agent.post(`${url}/interpretations`).type('form').send({ _csrf: csrf, title: '', published_on: '2024-01-01', body: 'x' });
    expect(noTitle.status).toBe(400);
    expect(noTitle.text).toContain('标题不能为空');
    const badLink = await agent.post(`${url}/interpretations`).type('form').send({ _csrf: csrf, interpretation_id: 'abc' });
    expect(badLink.status).toBe(400);
    expect(badLink.text).toContain('政策解读应为正整数');
    const noFile = await agent.post(`/staff/documents/suggest?_csrf=${encodeURIComponent(csrf)}`).field('x', '1');
    expect(noFile.status).toBe(400);
    expect(noFile.text).toContain('请选择要上传的原件');

    const doc = await ctx.services.documents.get({ userId: 1, username: 'x', role: 'admin', ip: null }, id);
    expect({ title: doc.title, status: doc.status }).toEqual({ title: '待改的文件', status: 'draft' });
    expect(await counts()).toEqual(before);
  });

  it('a repeal naming a document that is not a number is refused', async () => {
    const { agent, csrf } = await signedInAgent(ctx, 'legal', password);
    const created = await agent.post('/staff/documents').type('form').send({ _csrf: csrf, kind: 'other', title: '待废止的文件', organ_id: String(organId), published_on: '2024-01-01' });
    const url = created.headers['location']!;
    const res = await agent.post(`${url}/repeal`).type('form').send({ _csrf: csrf, repealed_on: '2024-02-01', by_document_id: 'abc' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('废止依据文件应为正整数');
    expect(await ctx.db.selectFrom('document_repeals').select('document_id').where('document_id', '=', Number(url.split('/').pop())).execute()).toEqual([]);
  });
});
