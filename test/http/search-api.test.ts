import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../scripts/seed-demo.js';
import { fixedClock } from '../../src/platform/clock.js';
import { expectApiError } from '../support/assertions.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { bearer, buildDocument } from '../support/factories.js';

let ctx: TestContext;
let token: string;
let admin: Awaited<ReturnType<TestContext['user']>>;
let demo: Awaited<ReturnType<typeof seedDemo>>;

beforeAll(async () => {
  ctx = await createTestContext({ clock: fixedClock('2026-11-29') });
  admin = await ctx.user('admin');
  token = admin.token;
  demo = await seedDemo(ctx.services, admin.actor);
  await ctx.worker.drainNow();
});
afterAll(() => ctx?.close());

const documentId = (key: string) => demo.documentIds.get(key)!;

describe('GET /api/v1/search', () => {
  it('answers the DESIGN.md shape with facets, full mode', async () => {
    const res = await ctx.request().get('/api/v1/search?q=污水治理').expect(200);
    expect(res.body).toMatchObject({ mode: 'full', page: 1, page_size: 20, doc_number: null });
    expect(res.body.total).toBeGreaterThan(0);
    const hit = res.body.hits[0];
    expect(Object.keys(hit)).toEqual(expect.arrayContaining(['type', 'id', 'title', 'doc_number', 'status', 'snippet']));
    expect(hit.type).toBe('document');
    expect(res.body.hits.map((h: { id: number; type: string }) => `${h.type}${h.id}`)).toContain(`document${documentId('doc-gov-2019-1')}`);
    expect(res.body.facets).toHaveProperty('kind');
    expect(res.body.facets).toHaveProperty('status');
    expect(res.body.facets.status.length).toBeGreaterThan(0);
    expect(res.body.facets.status.every((s: { value: string }) => s.value !== 'draft')).toBe(true);
  });

  it('finds a document by its 文号 typed loosely, first', async () => {
    for (const q of ['示政规[2019]1号', '示政规（2019）1号', '示政规２０１９１号']) {
      const res = await ctx.request().get(`/api/v1/search?q=${encodeURIComponent(q)}`).expect(200);
      expect(res.body.doc_number).toBe('示政规〔2019〕1号');
      expect(res.body.hits[0]).toMatchObject({ type: 'document', id: documentId('doc-gov-2019-1'), doc_number: '示政规〔2019〕1号' });
    }
  });

  it('filters by status and kind, sorts by date', async () => {
    const res = await ctx.request().get('/api/v1/search?status=repealed&sort=date&page_size=100').expect(200);
    expect(res.body.total).toBeGreaterThan(0);
    expect(res.body.hits.every((h: { status: string }) => h.status === 'repealed')).toBe(true);
    const dates = res.body.hits.map((h: { published_on: string }) => h.published_on);
    expect(dates).toEqual([...dates].sort().reverse());
    const kinds = await ctx.request().get('/api/v1/search?kind=interpretation&page_size=5').expect(200);
    expect(kinds.body.hits.every((h: { type: string }) => h.type === 'interpretation')).toBe(true);
    expect(kinds.body.hits[0]).toMatchObject({ status: null, doc_number: null });
  });

  it('hides drafts from the public; a staff token sees them and may filter on draft', async () => {
    const publicAll = await ctx.request().get('/api/v1/search?page_size=100&sort=date').expect(200);
    expect(publicAll.body.hits.some((h: { status: string }) => h.status === 'draft')).toBe(false);
    expectApiError(await ctx.request().get('/api/v1/search?status=draft'), 403, 'forbidden');
    const staff = await ctx.request().get('/api/v1/search?status=draft&page_size=100').set(bearer(token)).expect(200);
    expect(staff.body.total).toBeGreaterThan(0);
    expect(staff.body.hits.every((h: { status: string }) => h.status === 'draft')).toBe(true);
    expect(staff.body.total + publicAll.body.total).toBeGreaterThan(publicAll.body.total);
  });

  it.each([
    ['page=0', 'page'],
    ['page=abc', 'page'],
    ['page_size=101', 'page_size'],
    ['page=51&page_size=20', 'page'],
    ['sort=newest', 'sort'],
    ['status=valid', 'status'],
    ['kind=decree', 'kind'],
    ['organ_id=1%20OR%201=1', 'organ_id'],
    ['year=23', 'year'],
    ['year=1800', 'year'],
    [`q=${'长'.repeat(201)}`, 'q'],
    ['q=%00', 'q'],
  ])('?%s → 400 with a Chinese message on %s', async (query, field) => {
    const error = expectApiError(await ctx.request().get(`/api/v1/search?${query}`), 400, 'validation_failed');
    expect(Object.keys(error.fields ?? {}).map((k) => k.split('.')[0])).toContain(field);
  });

  it('treats filter values as values: quotes, brackets and operators find nothing, break nothing', async () => {
    for (const topic of ['生态环境" OR kind = "rule', '] OR [', '\\', '"']) {
      const res = await ctx.request().get(`/api/v1/search?topic=${encodeURIComponent(topic)}`).expect(200);
      expect(res.body).toMatchObject({ mode: 'full', total: 0, hits: [] });
    }
  });

  it('escapes markup in titles and bodies in the snippet and title_html', async () => {
    const doc = await buildDocument(ctx.services, admin.actor, {
      title: '<img src=x onerror=alert(1)>标题注入测试',
      body: '<script>alert(1)</script>正文注入测试 <b>粗体</b>',
    });
    await ctx.worker.drainNow();
    const res = await ctx.request().get(`/api/v1/search?q=${encodeURIComponent('注入测试')}`).expect(200);
    const hit = res.body.hits.find((h: { id: number }) => h.id === doc.id);
    expect(hit.title).toBe('<img src=x onerror=alert(1)>标题注入测试');
    expect(hit.title_html).toMatch(/^&lt;img src=x onerror=alert\(1\)&gt;标题<mark>注入测试<\/mark>$/);
    expect(hit.snippet).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(hit.snippet).toContain('&lt;b&gt;粗体&lt;/b&gt;');
    expect(hit.snippet.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
  });

  it('is published in the OpenAPI description', async () => {
    const res = await ctx.request().get('/api/v1/openapi.json').expect(200);
    const op = res.body.paths['/api/v1/search'].get;
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['q', 'kind', 'status', 'organ_id', 'topic', 'year', 'sort', 'page', 'page_size']),
    );
    expect(op.responses['200'].content['application/json'].schema.properties).toHaveProperty('hits');
  });
});
