import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/features/accounts/actor.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { bearer, buildDocument, buildOrgan } from '../support/factories.js';
import { expectApiError, expectHtmlError, expectNothingStored, rowDelta } from '../support/assertions.js';
import { foundKeys, uniqueWord } from '../support/search.js';
import { signedInAgent } from '../support/staff.js';

let ctx: TestContext;
let admin: Actor;
let token: string;
let organId: number;
let amended: { id: number };
let first: { id: number };
let second: { id: number };

const TEXT_1 = '第三条 行政机关应当在20个工作日内办结。';
const TEXT_2 = '第三条 行政机关应当在15个工作日内办结。';
const TEXT_3 = '第三条 行政机关应当在10个工作日内办结，并告知申请人。';

beforeAll(async () => {
  ctx = await createTestContext();
  ({ actor: admin, token } = await ctx.user('admin'));
  organId = (await buildOrgan(ctx.services, admin, { name: '示例县人民政府', doc_prefixes: ['示政规'] })).id;
  amended = await buildDocument(ctx.services, admin, {
    organ_id: organId,
    title: '示例县政务服务事项办理规定',
    doc_number: '示政规〔2023〕1号',
    signed_on: '2023-02-15',
    published_on: '2023-02-20',
    effective_on: '2023-03-01',
    body: TEXT_1,
  });
  first = await buildDocument(ctx.services, admin, { organ_id: organId, title: '关于修改办理时限的决定', doc_number: '示政规〔2024〕3号', published_on: '2024-06-15' });
  second = await buildDocument(ctx.services, admin, { organ_id: organId, title: '关于再次修改办理时限的决定', doc_number: '示政规〔2025〕1号', published_on: '2025-02-10' });
});
afterAll(() => ctx?.close());

const post = (id: number, body: unknown) => ctx.request().post(`/api/v1/documents/${id}/versions`).set(bearer(token)).send(body as object);

describe('document versions API', () => {
  it('adds versions by the amending 文号 or id, records the amends relations, the audit rows and the index jobs', async () => {
    let res!: { body: unknown };
    const delta = await rowDelta(ctx.db, async () => {
      res = await post(amended.id, { amended_by_doc_number: '示政规[2024]3号', effective_on: '2024-07-01', body: TEXT_2, note: '办理时限改为15个工作日' }).expect(201);
    });
    expect(res.body).toEqual({ version: 2, effective_on: '2024-07-01', amended_by: { id: first.id, doc_number: '示政规〔2024〕3号', title: '关于修改办理时限的决定' } });
    // Version 1 (as issued) and version 2; one relation, one audit row, two index jobs (both documents).
    expect(delta).toMatchObject({ document_versions: 2, document_relations: 1, audit_log: 1, index_jobs: 2, documents: 0 });
    const third = await post(amended.id, { amended_by_document_id: second.id, effective_on: '2025-03-01', body: TEXT_3 }).expect(201);
    expect(third.body.version).toBe(3);
    const relations = await ctx.db.selectFrom('document_relations').selectAll().where('to_document_id', '=', amended.id).orderBy('id').execute();
    expect(relations.map((r) => [r.from_document_id, r.relation])).toEqual([
      [first.id, 'amends'],
      [second.id, 'amends'],
    ]);
  });

  it.each([
    ['2023-02-28', 1, TEXT_1],
    ['2023-03-01', 1, TEXT_1],
    ['2023-03-02', 1, TEXT_1],
    ['2024-06-30', 1, TEXT_1],
    ['2024-07-01', 2, TEXT_2],
    ['2024-07-02', 2, TEXT_2],
    ['2025-02-28', 2, TEXT_2],
    ['2025-03-01', 3, TEXT_3],
    ['2025-03-02', 3, TEXT_3],
  ])('answers as_of=%s with version %i and its text', async (day, version, body) => {
    const res = await ctx.request().get(`/api/v1/documents/${amended.id}?as_of=${day}`).expect(200);
    expect(res.body).toMatchObject({ version, body, as_of: day });
  });

  it('answers today with the current version, the amendment in force and every version', async () => {
    const res = await ctx.request().get(`/api/v1/documents/${amended.id}`).expect(200);
    expect(res.body).toMatchObject({ version: 3, body: TEXT_3, status: 'in_force', amendment: { effective_on: '2025-03-01', amended_by: { id: second.id, doc_number: '示政规〔2025〕1号' } } });
    expect(res.body.versions.map((v: { version: number; state: string }) => [v.version, v.state])).toEqual([
      [1, 'superseded'],
      [2, 'superseded'],
      [3, 'current'],
    ]);
  });

  it('lists the versions with the days each was in force, and reads one with its body', async () => {
    const list = await ctx.request().get(`/api/v1/documents/${amended.id}/versions`).expect(200);
    expect(list.body.versions).toEqual([
      { version: 1, effective_on: '2023-03-01', in_force_until: '2024-06-30', state: 'superseded', amended_by: null, note: null, file: null },
      {
        version: 2,
        effective_on: '2024-07-01',
        in_force_until: '2025-02-28',
        state: 'superseded',
        amended_by: { id: first.id, doc_number: '示政规〔2024〕3号', title: '关于修改办理时限的决定' },
        note: '办理时限改为15个工作日',
        file: null,
      },
      expect.objectContaining({ version: 3, in_force_until: null, state: 'current' }),
    ]);
    const v2 = await ctx.request().get(`/api/v1/documents/${amended.id}/versions/2`).expect(200);
    expect(v2.body).toMatchObject({ version: 2, body: TEXT_2 });
    expectApiError(await ctx.request().get(`/api/v1/documents/${amended.id}/versions/9`), 404);
  });

  it('compares two versions character by character', async () => {
    const res = await ctx.request().get(`/api/v1/documents/${amended.id}/compare?from=1&to=3`).expect(200);
    expect(res.body.parts).toEqual([
      { op: 'equal', text: '第三条 行政机关应当在' },
      { op: 'delete', text: '2' },
      { op: 'insert', text: '1' },
      { op: 'equal', text: '0个工作日内办结' },
      { op: 'insert', text: '，并告知申请人' },
      { op: 'equal', text: '。' },
    ]);
  });

  it('an edit of the body of an amended document edits its newest version, not the older ones', async () => {
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId, published_on: '2023-05-01', body: '甲' });
    await post(doc.id, { amended_by_document_id: second.id, effective_on: '2025-03-01', body: '乙' }).expect(201);
    await ctx.request().patch(`/api/v1/documents/${doc.id}`).set(bearer(token)).send({ body: '乙（更正）' }).expect(200);
    expect((await ctx.request().get(`/api/v1/documents/${doc.id}`).expect(200)).body).toMatchObject({ version: 2, body: '乙（更正）' });
    expect((await ctx.request().get(`/api/v1/documents/${doc.id}/versions/1`).expect(200)).body.body).toBe('甲');
  });

  it('keeps a plain document answering version 1 with its body', async () => {
    const res = await ctx.request().get(`/api/v1/documents/${first.id}`).expect(200);
    expect(res.body).toMatchObject({ version: 1, versions: [], amendment: null });
  });

  it.each<[string, () => object, string, string]>([
    ['an effective day not after the last version', () => ({ amended_by_document_id: second.id, effective_on: '2025-03-01', body: '新' }), 'effective_on', '施行日期应晚于上一版本的施行日期（2025-03-01）'],
    ['an unregistered amending 文号', () => ({ amended_by_doc_number: '示政规〔2026〕9号', effective_on: '2026-03-01', body: '新' }), 'amended_by_doc_number', '请先登记修改文件'],
    ['an unreadable 文号', () => ({ amended_by_doc_number: '随便写', effective_on: '2026-03-01', body: '新' }), 'amended_by_doc_number', '无法识别的文号'],
    ['both id and 文号', () => ({ amended_by_document_id: second.id, amended_by_doc_number: '示政规〔2025〕1号', effective_on: '2026-03-01', body: '新' }), 'amended_by_doc_number', '二者之一'],
    ['no text', () => ({ amended_by_document_id: second.id, effective_on: '2026-03-01' }), 'body', '请填写修改后文本'],
    ['the document amending itself', () => ({ amended_by_document_id: amended.id, effective_on: '2026-03-01', body: '新' }), 'amended_by', '文件不能修改自身'],
  ])('refuses %s with a Chinese message and stores nothing', async (_name, body, field, message) => {
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await post(amended.id, body()), 400);
      expect(error.fields?.[field]).toContain(message);
    });
  });

  it('refuses the public and a missing document', async () => {
    expectApiError(await ctx.request().post(`/api/v1/documents/${amended.id}/versions`).send({ amended_by_document_id: second.id, effective_on: '2026-03-01', body: '新' }), 401);
    expectApiError(await post(999999, { amended_by_document_id: second.id, effective_on: '2026-03-01', body: '新' }), 404);
  });

  it('takes the text of an uploaded consolidated text and keeps the file', async () => {
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId, published_on: '2023-05-01', body: '第一条 原文。' });
    const res = await ctx
      .request()
      .post(`/api/v1/documents/${doc.id}/versions`)
      .set(bearer(token))
      .field('metadata', JSON.stringify({ amended_by_document_id: second.id, effective_on: '2025-03-01' }))
      .attach('file', Buffer.from('第一条 修改后的条文。\n', 'utf8'), { filename: '修订后文本.txt', contentType: 'text/plain' })
      .expect(201);
    const version = await ctx.request().get(`/api/v1/documents/${doc.id}/versions/${res.body.version}`).expect(200);
    expect(version.body.body).toContain('修改后的条文');
    expect(version.body.file).toMatchObject({ name: '修订后文本.txt' });
  });
});

describe('search after an amendment', () => {
  it('finds the words of the current text and not those the amendment removed', async () => {
    const removed = uniqueWord();
    const added = uniqueWord();
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId, published_on: '2023-05-01', body: `第一条 原有条文 ${removed}。` });
    await ctx.worker.drainNow();
    expect(await foundKeys(ctx.services, removed)).toEqual([`document:${doc.id}`]);
    await post(doc.id, { amended_by_document_id: second.id, effective_on: '2025-03-01', body: `第一条 修改后条文 ${added}。` }).expect(201);
    await ctx.worker.drainNow();
    expect(await foundKeys(ctx.services, added)).toEqual([`document:${doc.id}`]);
    expect(await foundKeys(ctx.services, removed)).toEqual([]);
  });
});

describe('document pages with versions', () => {
  const page = async (path: string) => (await ctx.request().get(path).expect(200)).text;
  const history = (html: string) => [...html.matchAll(/<tr[^>]*>\s*<td><a href="\/documents\/\d+\/versions\/(\d+)">/g)].map((m) => Number(m[1]));

  it('shows the current text under the amendment notice, 现行有效（已修改） and the 历史版本 list', async () => {
    const html = await page(`/documents/${amended.id}`);
    expect(html).toContain('本文件已于 2025-03-01 经示政规〔2025〕1号修改，以下为修改后文本。');
    expect(html).toContain('现行有效（已修改）');
    expect(html).toContain(TEXT_3);
    expect(html).not.toContain(TEXT_1);
    expect(history(html)).toEqual([1, 2, 3]);
    expect(html).toContain(`href="/documents/${amended.id}/compare?from=2&amp;to=3"`);
    expect(html).toContain('2024-07-01</time> 起，至 <time datetime="2025-02-28">2025-02-28</time>');
  });

  it('shows the text in force on the picked day, marked 已修改 with a link to the current text', async () => {
    const html = await page(`/documents/${amended.id}?as_of=2024-01-01`);
    expect(html).toContain(TEXT_1);
    expect(html).not.toContain(TEXT_3);
    expect(html).toContain('以下为第 1 版文本（2023-03-01 起施行，至 2024-06-30），已修改。');
    expect(html).toContain(`<a href="/documents/${amended.id}">查看现行文本</a>`);
    expect(html).toContain('value="2024-01-01"');
  });

  it('reads a version at its own address', async () => {
    const html = await page(`/documents/${amended.id}/versions/2`);
    expect(html).toContain(TEXT_2);
    expect(html).toContain('badge-expired">已修改</span>');
    expectHtmlError(await ctx.request().get(`/documents/${amended.id}/versions/9`), 404);
  });

  it('marks exactly the changed characters with ins and del, words included for screen readers', async () => {
    const html = await page(`/documents/${amended.id}/compare?from=1&to=3`);
    const diff = /<div class="body diff"[^>]*>([\s\S]*?)<\/div>/.exec(html)![1]!;
    expect(diff).toBe(
      '第三条 行政机关应当在<del><span class="diff-mark">〔删〕</span>2</del><ins><span class="diff-mark">〔增〕</span>1</ins>0个工作日内办结' +
        '<ins><span class="diff-mark">〔增〕</span>，并告知申请人</ins>。',
    );
    expect(html).toContain('新增 8 字，删除 1 字');
    expectHtmlError(await ctx.request().get(`/documents/${amended.id}/compare?from=a&to=2`), 400);
  });

  it('shows an unamended document with its one version', async () => {
    const html = await page(`/documents/${first.id}`);
    expect(html).toContain('本文件未经修改，仅有原文一个版本。');
    expect(html).toContain('badge-in_force">现行有效</span>');
  });
});

describe('the staff form for a version', () => {
  it('adds a version by the amending 文号, and keeps the input with the message when refused', async () => {
    await ctx.services.users.create(null, { username: 'legal', password: 'editor-password-1', role: 'editor' });
    const { agent, csrf } = await signedInAgent(ctx, 'legal', 'editor-password-1');
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId, published_on: '2023-05-01', body: '第一条 原文。' });
    const form = await agent.get(`/staff/documents/${doc.id}/versions/new`).expect(200);
    expect(form.text).toContain('第一条 原文。');
    await expectNothingStored(ctx.db, async () => {
      const refused = await agent
        .post(`/staff/documents/${doc.id}/versions`)
        .type('form')
        .send({ _csrf: csrf, amended_by_doc_number: '示政规〔2030〕1号', effective_on: '2025-03-01', body: '第一条 改后。' })
        .expect(400);
      expect(refused.text).toContain('请先登记修改文件');
      expect(refused.text).toContain('value="示政规〔2030〕1号"');
    });
    const saved = await agent
      .post(`/staff/documents/${doc.id}/versions`)
      .type('form')
      .send({ _csrf: csrf, amended_by_doc_number: '示政规〔2025〕1号', effective_on: '2025-03-01', body: '第一条 改后。', note: '' })
      .expect(303);
    expect(saved.headers['location']).toBe(`/documents/${doc.id}/versions/2`);
    const read = await ctx.request().get(`/api/v1/documents/${doc.id}`).expect(200);
    expect(read.body).toMatchObject({ version: 2, body: '第一条 改后。' });
    expect((await agent.post(`/staff/documents/${doc.id}/versions`).type('form').send({ amended_by_doc_number: 'x' })).status).toBe(403);
  });
});
