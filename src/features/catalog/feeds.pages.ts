import { Router, type RequestHandler, type Response } from 'express';
import { publicBaseUrl, type Config } from '../../config.js';
import { NotFoundError } from '../../errors.js';
import type { Services } from '../../services.js';
import { escapeHtml as xml } from '../search/search-text.js';

const FEED_ENTRIES = 50;
/** The sitemap protocol allows 50,000 URLs per file; stay well under it. */
const SITEMAP_URLS = 40_000;
const SITEMAP_PART = /^(documents|interpretations)-([1-9]\d{0,5})\.xml$/;
const STATIC_PAGES = ['/', '/search', '/organs', '/topics'];
/** Readers and crawlers poll these; a few minutes' delay is fine and spares the database. */
const CACHE = 'public, max-age=300';

/** Absolute URLs: PUBLIC_URL when set (behind a proxy), otherwise the address the client used. */

/** A calendar day as an instant at Beijing midnight, which is what a publication date means here. */
const dayInstant = (day: string) => `${day}T00:00:00+08:00`;

/** An XML document, its declaration first; readers and crawlers may cache it (CACHE). */
function sendXml(res: Response, type: string, lines: string[]) {
  const body = ['<?xml version="1.0" encoding="utf-8"?>', ...lines, ''].join('\n');
  res.set('Cache-Control', CACHE).type(`${type}; charset=utf-8`).send(body);
}

type FeedServices = Pick<Services, 'clock' | 'documents' | 'browse'>;
type Entry = Awaited<ReturnType<FeedServices['documents']['list']>>['items'][number];

/** An entry changes when the document is published and again when it is repealed (that day has come). */
const entryUpdated = (d: Entry) => (d.repealed_on && d.repealed_on <= d.as_of && d.repealed_on > d.published_on! ? d.repealed_on : d.published_on!);

function atomEntry(base: string, d: Entry): string {
  return [
    '  <entry>',
    `    <id>${xml(base)}/documents/${d.id}</id>`,
    `    <title>${xml(d.title)}</title>`,
    `    <link rel="alternate" type="text/html" href="${xml(base)}/documents/${d.id}"/>`,
    `    <published>${dayInstant(d.published_on!)}</published>`,
    `    <updated>${dayInstant(entryUpdated(d))}</updated>`,
    `    <author><name>${xml(d.organ.name)}</name></author>`,
    `    <category term="${xml(d.kind)}" label="${xml(d.kind_label)}"/>`,
    `    <summary>${xml([d.doc_number, d.organ.name, d.kind_label, d.status_label].filter(Boolean).join(' · '))}</summary>`,
    '  </entry>',
  ].join('\n');
}

function atomFeed({ clock, documents }: Pick<FeedServices, 'clock' | 'documents'>, config: Config): RequestHandler {
  return async (req, res) => {
    const base = publicBaseUrl(config);
    const { items: entries } = await documents.list(null, { page: 1, page_size: FEED_ENTRIES });
    const updated = entries.map(entryUpdated).sort().at(-1) ?? clock.today();
    sendXml(res, 'application/atom+xml', [
      '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
      '  <title>规范性文件库 · 最新发布</title>',
      `  <id>${xml(base)}/feeds/documents.atom</id>`,
      `  <link rel="self" type="application/atom+xml" href="${xml(base)}/feeds/documents.atom"/>`,
      `  <link rel="alternate" type="text/html" href="${xml(base)}/"/>`,
      `  <updated>${dayInstant(updated)}</updated>`,
      '  <author><name>规范性文件库</name></author>',
      ...entries.map((d) => atomEntry(base, d)),
      '</feed>',
    ]);
  };
}

function sitemapIndex(browse: FeedServices['browse'], config: Config): RequestHandler {
  return async (req, res) => {
    const base = publicBaseUrl(config);
    const counts = await browse.sitemapCounts();
    const parts = [
      'pages.xml',
      ...(['documents', 'interpretations'] as const).flatMap((table) =>
        Array.from({ length: Math.ceil(counts[table] / SITEMAP_URLS) }, (_, i) => `${table}-${i + 1}.xml`),
      ),
    ];
    sendXml(res, 'application/xml', [
      '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
      ...parts.map((part) => `  <sitemap><loc>${xml(base)}/sitemaps/${part}</loc></sitemap>`),
      '</sitemapindex>',
    ]);
  };
}

/** The URLs of one part of the sitemap: the static pages, or one slice of documents or interpretations. */
async function sitemapUrls(browse: FeedServices['browse'], base: string, part: string): Promise<{ loc: string; lastmod?: string }[]> {
  if (part === 'pages.xml') return STATIC_PAGES.map((p) => ({ loc: `${base}${p}` }));
  const match = SITEMAP_PART.exec(part);
  if (!match) throw new NotFoundError('站点地图不存在');
  const table = match[1] as 'documents' | 'interpretations';
  const rows = await browse.sitemapSlice(table, (Number(match[2]) - 1) * SITEMAP_URLS, SITEMAP_URLS);
  if (rows.length === 0) throw new NotFoundError('站点地图不存在');
  return rows.map((r) => ({ loc: `${base}/${table}/${r.id}`, lastmod: new Date(r.updated_at).toISOString() }));
}

function sitemapPart(browse: FeedServices['browse'], config: Config): RequestHandler {
  return async (req, res) => {
    const urls = await sitemapUrls(browse, publicBaseUrl(config), String(req.params['part']));
    sendXml(res, 'application/xml', [
      '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
      ...urls.map((u) => `  <url><loc>${xml(u.loc)}</loc>${u.lastmod ? `<lastmod>${u.lastmod}</lastmod>` : ''}</url>`),
      '</urlset>',
    ]);
  };
}

/** The Atom feed of newly published documents, sitemap.xml and robots.txt: for readers and crawlers. */
export function feedRoutes(services: FeedServices, config: Config) {
  const router = Router();
  router.get('/feeds/documents.atom', atomFeed(services, config));
  router.get('/sitemap.xml', sitemapIndex(services.browse, config));
  router.get('/sitemaps/:part', sitemapPart(services.browse, config));
  router.get('/robots.txt', (req, res) => {
    res.type('text/plain; charset=utf-8').send(`User-agent: *\nDisallow: /staff\nDisallow: /api/\nSitemap: ${publicBaseUrl(config)}/sitemap.xml\n`);
  });
  return router;
}
