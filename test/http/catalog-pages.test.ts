import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DOCUMENTS } from '../../scripts/demo-data.js';
import { seedDemo } from '../../scripts/seed-demo.js';
import type { Actor } from '../../src/features/accounts/actor.js';
import { fixedClock } from '../../src/platform/clock.js';
import { expectHtmlError, expectNoLeak } from '../support/assertions.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { bearer, buildDocument, buildInterpretation, minimalPdf } from '../support/factories.js';

let ctx: TestContext;
let admin: Actor;
let token: string;
let demo: Awaited<ReturnType<typeof seedDemo>>;
let draftTitle: string;

// In the demo data, topic 生态环境 has 4 published documents and the draft doc-eco-draft-1; its organ
// 示例县生态环境局 has 2 published documents and that draft. Counts shown to the public leave the draft out.
const ECO_TOPIC_COUNT = '生态环境 <span class="count">（4）</span>';
const ECO_ORGAN_COUNT = '示例县生态环境局 <span class="count">（2）</span>';

beforeAll(async () => {
  ctx = await createTestContext({ clock: fixedClock('2026-11-29') });
  ({ actor: admin, token } = await ctx.user('admin'));
  demo = await seedDemo(ctx.services, admin);
  draftTitle = (await ctx.db.selectFrom('documents').select('title').where('published_on', 'is', null).executeTakeFirstOrThrow()).title;
  await ctx.worker.drainNow();
});
afterAll(() => ctx?.close());

const documentId = (key: string) => demo.documentIds.get(key)!;
const html = async (url: string, status = 200) => {
  const res = await ctx.request().get(url).set('Accept', 'text/html');
  expect(res.status, `${url}: ${res.text.slice(0, 300)}`).toBe(status);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  return res.text;
};

describe('home page', () => {
  it('has a search box, the latest documents, topics with counts, and no drafts', async () => {
    const page = await html('/');
    expect(page).toMatch(/<form class="search-box" method="get" action="\/search" role="search"/);
    expect(page).toContain('最新发布');
    expect(page).toContain(ECO_TOPIC_COUNT);
    expect(page).not.toContain(draftTitle);
    expect(page).toContain('href="/feeds/documents.atom"');
  });
});

describe('results page', () => {
  it('shows hits with highlights, facets with counts, sorting and paging links', async () => {
    const page = await html(`/search?q=${encodeURIComponent('污水治理')}`);
    expect(page).toContain('共 ');
    expect(page).toMatch(/<mark>[^<]*污水[^<]*<\/mark>/);
    expect(page).toContain('效力状态');
    expect(page).toMatch(/现行有效 <span class="count">（\d+）<\/span>/);
    expect(page).toContain('按发布日期');
    const all = await html('/search?page_size=5');
    expect(all).toMatch(/<nav class="pager" aria-label="分页">/);
    expect(all).toContain('rel="next"');
  });

  it('filters by status through a facet link and marks the active filter', async () => {
    const page = await html('/search?status=repealed');
    expect(page).toContain('已选条件');
    expect(page).toContain('效力状态：已废止');
    expect(page).not.toMatch(/class="badge badge-in_force"/);
    expect(page).toMatch(/class="badge badge-repealed"/);
  });

  it('names a recognised 文号 and puts its document first', async () => {
    const page = await html(`/search?q=${encodeURIComponent('示政规[2019]1号')}`);
    expect(page).toContain('已识别为文号 <strong>示政规〔2019〕1号</strong>');
    const first = /<li class="hit hit-document">\s*<h3><a href="\/documents\/(\d+)">/.exec(page);
    expect(Number(first?.[1])).toBe(documentId('doc-gov-2019-1'));
  });

  it('answers bad parameters with the page and a Chinese message, 400', async () => {
    const res = await ctx.request().get('/search?page=0&q=<script>alert(1)</script>').set('Accept', 'text/html');
    expectHtmlError(res, 400);
    expect(res.text).toContain('检索条件有误');
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.text).not.toContain('<script>alert');
  });

  it('finds a published document but not a draft with the same words in its title', async () => {
    const draftId = documentId('doc-eco-draft-1');
    const published = await buildDocument(ctx.services, admin, { title: '示例县农村黑臭水体治理工作方案' });
    await ctx.worker.drainNow();
    const page = await html(`/search?q=${encodeURIComponent('农村黑臭水体治理')}`);
    expect(page).toContain(`href="/documents/${published.id}"`);
    expect(page).not.toContain(`href="/documents/${draftId}"`);
  });
});

describe('document page', () => {
  /** The cell right of a row heading of the metadata table. */
  const metaCell = (page: string, label: string) => new RegExp(`<th scope="row">${label}</th><td[^>]*>([\\s\\S]*?)</td>`).exec(page)?.[1]?.trim();

  it('has the policy-library metadata table with the values of a jointly issued document', async () => {
    const page = await html(`/documents/${documentId('doc-amr-2023-1')}`);
    expect(metaCell(page, '索 引 号')).toBe('11149901MB0011205K/2023-00018');
    expect(metaCell(page, '主题分类')).toBe('科技、教育、食品药品'); // in the order of the topic list
    expect(metaCell(page, '发文机关')).toBe('示例县市场监督管理局、示例县教育局');
    expect(metaCell(page, '成文日期')).toBe('2023-08-21');
    expect(metaCell(page, '标　　题')).toBe('示例县市场监督管理局 示例县教育局关于加强学校及周边食品安全管理的通知');
    expect(metaCell(page, '发文字号')).toBe('示市监规〔2023〕1号');
    expect(metaCell(page, '发布日期')).toBe('2023-08-25');
    expect(metaCell(page, '有 效 性')).toBe('<span class="badge badge-in_force">现行有效</span>');
  });

  it('shows the full text as paragraphs, the status as of today, and the interpretations', async () => {
    const page = await html(`/documents/${documentId('doc-gov-2019-1')}`);
    const body = DEMO_DOCUMENTS.find((d) => d.key === 'doc-gov-2019-1')!.body.split('\n');
    expect(body.length).toBeGreaterThan(10);
    for (const paragraph of body) expect(page).toContain(`<p>${paragraph}</p>`);
    // Its term ended 2024-04-14: nothing stored says so, the page works it out from today.
    expect(metaCell(page, '有 效 性')).toBe('<span class="badge badge-expired">已失效</span>');
    expect(page).toMatch(/<a href="\/interpretations\/\d+">《示例县农村生活污水治理管理办法》政策解读<\/a>/);
  });

  it('shows relations both ways and a repeal notice', async () => {
    const repealed = await ctx.db
      .selectFrom('document_repeals')
      .select(['document_id', 'by_document_id'])
      .where('by_document_id', 'is not', null)
      .executeTakeFirstOrThrow();
    const page = await html(`/documents/${repealed.document_id}`);
    expect(page).toMatch(/本文件已于 \d{4}-\d{2}-\d{2} 废止/);
    expect(page).toContain('本文件已被废止，废止文件');
    expect(page).toContain(`href="/documents/${repealed.by_document_id}"`);
    const by = await html(`/documents/${repealed.by_document_id}`);
    expect(by).toContain('本文件废止了');
  });

  it('shows an amendment on both documents, each linking to the other', async () => {
    const amended = await buildDocument(ctx.services, admin);
    const amending = await buildDocument(ctx.services, admin);
    await ctx
      .request()
      .post(`/api/v1/documents/${amending.id}/relations`)
      .set(bearer(token))
      .send({ relation: 'amends', target_id: amended.id })
      .expect(200);
    const amendedPage = await html(`/documents/${amended.id}`);
    expect(amendedPage).toMatch(new RegExp(`<dt>本文件已被修改，修改文件</dt>\\s*<dd><a href="/documents/${amending.id}">${amending.title}</a>`));
    const amendingPage = await html(`/documents/${amending.id}`);
    expect(amendingPage).toMatch(new RegExp(`<dt>本文件修改了</dt>\\s*<dd><a href="/documents/${amended.id}">${amended.title}</a>`));
  });

  it('offers the original for download under its Chinese name', async () => {
    const created = await ctx
      .request()
      .post('/api/v1/documents')
      .set(bearer(token))
      .field('metadata', JSON.stringify({ kind: 'normative', title: '带原件的文件', organ_id: demo.organIds.values().next().value, published_on: '2026-01-01' }))
      .attach('file', minimalPdf('file'), { filename: '关于带原件的通知.pdf', contentType: 'application/pdf' })
      .expect(201);
    const page = await html(`/documents/${created.body.id}`);
    // Named after the document, with its format and size beside the link.
    const href = /<a href="(\/api\/v1\/documents\/\d+\/files\/\d+)" download="带原件的文件.pdf">带原件的文件.pdf<\/a> <span class="file-meta">（原件，PDF，[\d.]+ (?:字节|KB)）/.exec(page)?.[1];
    expect(href).toBeDefined();
    const file = await ctx.request().get(href!).expect(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('带原件的文件.pdf')}`);
  });

  it('is 404 for a draft, for the public', async () => {
    const draft = await ctx.db.selectFrom('documents').select('id').where('published_on', 'is', null).executeTakeFirstOrThrow();
    expectHtmlError(await ctx.request().get(`/documents/${draft.id}`).set('Accept', 'text/html'), 404);
  });

  it('escapes every text of the document', async () => {
    const doc = await buildDocument(ctx.services, admin, {
      title: '<script>alert("t")</script>',
      body: '<img src=x onerror=alert("b")>\n<script>alert("b")</script>',
      index_number: '<i>idx</i>',
    });
    await buildInterpretation(ctx.services, admin, [doc.id], { title: '<b>解读</b>' });
    const page = await html(`/documents/${doc.id}`);
    expect(page).not.toMatch(/<script>alert|<img src=x|<i>idx|<b>解读/);
    expect(page).toContain('&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;');
    expect(page).toContain('<p>&lt;img src=x onerror=alert(&#34;b&#34;)&gt;</p>');
    expect(page).toContain('<p>&lt;script&gt;alert(&#34;b&#34;)&lt;/script&gt;</p>');
    expectNoLeak(page);
  });
});

describe('interpretation page', () => {
  it('links back to the documents it explains', async () => {
    const interpretation = await ctx.db.selectFrom('interpretations').select(['id', 'title']).orderBy('id').executeTakeFirstOrThrow();
    const page = await html(`/interpretations/${interpretation.id}`);
    expect(page).toContain('所解读的文件');
    expect(page).toContain(`href="/documents/${documentId('doc-gov-2019-1')}"`);
  });
});

describe('browsing', () => {
  it('lists organs as a tree with counts, each linking to its documents', async () => {
    const page = await html('/organs');
    expect(page).toContain('示例县人民政府');
    expect(page).toContain(ECO_ORGAN_COUNT);
    // Documents only: the count leaves interpretations out, so does the list (search-counts.test.ts).
    expect(page).toMatch(/href="\/search\?organ_id=\d+&amp;type=document&amp;sort=date"/);
    expect(page).toMatch(/<ul class="tree">[\s\S]*<ul class="tree">/);
  });

  it('lists topics with counts, each linking to its documents', async () => {
    const page = await html('/topics');
    expect(page).toContain(`href="/search?topic=${encodeURIComponent('生态环境')}&amp;type=document&amp;sort=date">${ECO_TOPIC_COUNT}`);
    const filtered = await html(`/search?topic=${encodeURIComponent('生态环境')}&type=document&sort=date`);
    expect(filtered).toContain('主题分类：生态环境');
  });
});
