import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/features/accounts/actor.js';
import { fixedClock } from '../../src/platform/clock.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { buildDocument, buildInterpretation, buildOrgan } from '../support/factories.js';

let ctx: TestContext;
let admin: Actor;
const made: Record<string, { id: number; title: string }> = {};

beforeAll(async () => {
  ctx = await createTestContext({ clock: fixedClock('2026-11-29'), env: { PUBLIC_URL: 'https://wjk.example.gov.cn/' } });
  admin = (await ctx.user('admin')).actor;
  const organ = (await buildOrgan(ctx.services, admin, { name: '订阅测试县人民政府 & <机关>' })).id;
  made['old'] = await buildDocument(ctx.services, admin, { organ_id: organ, title: '较早发布的通知', published_on: '2025-01-02' });
  made['new'] = await buildDocument(ctx.services, admin, { organ_id: organ, title: '最新发布的 <通知> & 公告', doc_number: '订政发〔2026〕3号', signed_on: '2026-11-20', published_on: '2026-11-28' });
  made['draft'] = await buildDocument(ctx.services, admin, { organ_id: organ, title: '尚未发布的草稿', published_on: null });
  made['future'] = await buildDocument(ctx.services, admin, { organ_id: organ, title: '下月才发布的文件', published_on: '2026-12-15' });
  const interpretation = await buildInterpretation(ctx.services, admin, [made['new'].id], { title: '最新文件的解读', published_on: '2026-11-28' });
  made['interpretation'] = interpretation;
});
afterAll(() => ctx?.close());

describe('Atom feed of newly published documents', () => {
  it('lists published documents newest first, escaped, with absolute links, and no drafts', async () => {
    const res = await ctx.request().get('/feeds/documents.atom').expect(200);
    expect(res.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    const xml = res.text;
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/);
    expect(xml).toContain('<updated>2026-11-28T00:00:00+08:00</updated>');
    expect(xml).toContain('<title>最新发布的 &lt;通知&gt; &amp; 公告</title>');
    expect(xml).toContain(`<link rel="alternate" type="text/html" href="https://wjk.example.gov.cn/documents/${made['new']!.id}"/>`);
    expect(xml).toContain('<name>订阅测试县人民政府 &amp; &lt;机关&gt;</name>');
    const newest = xml.indexOf('最新发布的 &lt;通知&gt; &amp; 公告');
    expect(newest).toBeGreaterThan(0);
    expect(newest).toBeLessThan(xml.indexOf('较早发布的通知'));
    expect(xml).not.toContain('尚未发布的草稿');
    expect(xml).not.toContain('下月才发布的文件');
    expect(xml.match(/<entry>/g)).toHaveLength(2);
  });
});

describe('sitemap.xml', () => {
  it('is an index of parts listing every published document and interpretation, nothing else', async () => {
    const index = await ctx.request().get('/sitemap.xml').expect(200);
    expect(index.headers['content-type']).toBe('application/xml; charset=utf-8');
    const parts = [...index.text.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]!);
    expect(parts).toEqual([
      'https://wjk.example.gov.cn/sitemaps/pages.xml',
      'https://wjk.example.gov.cn/sitemaps/documents-1.xml',
      'https://wjk.example.gov.cn/sitemaps/interpretations-1.xml',
    ]);
    const documents = await ctx.request().get('/sitemaps/documents-1.xml').expect(200);
    const urls = [...documents.text.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
    expect(urls.sort()).toEqual([made['old']!.id, made['new']!.id].map((id) => `https://wjk.example.gov.cn/documents/${id}`).sort());
    expect(documents.text).toMatch(/<lastmod>\d{4}-\d{2}-\d{2}T/);
    const interpretations = await ctx.request().get('/sitemaps/interpretations-1.xml').expect(200);
    expect(interpretations.text).toContain(`https://wjk.example.gov.cn/interpretations/${made['interpretation']!.id}`);
    const pages = await ctx.request().get('/sitemaps/pages.xml').expect(200);
    expect(pages.text).toContain('<loc>https://wjk.example.gov.cn/</loc>');
  });

  it('answers 404 for a part that does not exist', async () => {
    for (const part of ['documents-2.xml', 'users-1.xml', 'documents-0.xml', '..%2Fpackage.json']) {
      await ctx.request().get(`/sitemaps/${part}`).expect(404);
    }
  });

  it('robots.txt points at it', async () => {
    const res = await ctx.request().get('/robots.txt').expect(200);
    expect(res.text).toContain('Sitemap: https://wjk.example.gov.cn/sitemap.xml');
  });
});

describe('a repeal updates the feed entry', () => {
  it('the repealed document\'s <updated> is its repeal day, and so is the feed\'s', async () => {
    await ctx.services.documents.repeal(admin, made['old']!.id, { repealed_on: '2026-11-29' });
    const xml = (await ctx.request().get('/feeds/documents.atom').expect(200)).text;
    const entry = xml.slice(xml.indexOf('较早发布的通知'));
    expect(entry.slice(0, entry.indexOf('</entry>'))).toContain('<updated>2026-11-29T00:00:00+08:00</updated>');
    expect(xml.slice(0, xml.indexOf('<entry>'))).toContain('<updated>2026-11-29T00:00:00+08:00</updated>');
  });
});
