import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../scripts/seed-demo.js';
import { fixedClock } from '../../src/platform/clock.js';
import { accessibilityProblems, openBrowserSession, type BrowserSession } from '../support/browser.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { bearer, minimalPdf } from '../support/factories.js';

const FILE_NAME = '示例县关于公共场所控烟工作的通知.pdf';
const WORD = '控烟';

let ctx: TestContext;
let session: BrowserSession;
let documentId: number;
let interpretationId: number;
const fileBytes = minimalPdf('kongyan');

beforeAll(async () => {
  ctx = await createTestContext({ clock: fixedClock('2026-11-29') });
  const { actor, token } = await ctx.user('admin');
  const demo = await seedDemo(ctx.services, actor);
  const organId = demo.organIds.values().next().value!;
  const created = await ctx
    .request()
    .post('/api/v1/documents')
    .set(bearer(token))
    .field(
      'metadata',
      JSON.stringify({
        kind: 'normative',
        title: `示例县人民政府关于加强公共场所${WORD}工作的通知`,
        doc_number: '示政规〔2026〕9号',
        organ_id: organId,
        signed_on: '2026-03-01',
        published_on: '2026-03-05',
        topics: ['卫生、体育'],
        body: `一、总体要求\n全面推进公共场所${WORD}工作，保障公众健康。\n二、工作措施\n各单位应当设置禁止吸烟标识。`,
      }),
    )
    .attach('file', fileBytes, { filename: FILE_NAME, contentType: 'application/pdf' })
    .expect(201);
  documentId = created.body.id;
  // A repealed document with the same word, so that filtering by status has something to remove.
  const old = await ctx.services.documents.create(actor, {
    kind: 'normative',
    title: `示例县关于公共场所${WORD}的暂行规定`,
    organ_id: organId,
    signed_on: '2015-01-01',
    published_on: '2015-01-05',
    body: `${WORD}暂行规定正文。`,
  });
  await ctx.services.documents.repeal(actor, old.id, { repealed_on: '2026-03-05', by_document_id: documentId });
  interpretationId = (
    await ctx.services.interpretations.create(actor, {
      title: `《关于加强公共场所${WORD}工作的通知》政策解读`,
      body: '一、出台背景\n为落实健康示例县建设要求……',
      published_on: '2026-03-06',
      document_ids: [documentId],
    })
  ).id;
  await ctx.worker.drainNow();
  session = await openBrowserSession(ctx);
}, 180_000);

afterAll(async () => {
  await session?.close();
  await ctx?.close();
});

let watching: Promise<BrowserContext> | undefined;
/** The shared Chromium, also told to report any failed request (a missing stylesheet, say). */
function browser(): Promise<BrowserContext> {
  watching ??= session.browser().then((context) => {
    context.on('response', (response) => {
      if (response.status() >= 400) session.problems.push(`${response.status()} ${response.url()}`);
    });
    return context;
  });
  return watching;
}

interface Focus {
  tag: string;
  id: string;
  text: string;
  href: string;
  inFacets: boolean;
}

/** What has the keyboard focus (document.activeElement), as a user would name it. */
function focused(page: Page): Promise<Focus> {
  return page.evaluate(`(() => {
    const e = document.activeElement;
    return { tag: e.tagName, id: e.id, text: e.textContent.trim(), href: e.getAttribute('href') || '', inFacets: !!e.closest('.facets') };
  })()`);
}

/** Presses Tab, as a keyboard user would, until `wanted` holds for the focused element; false if it never does. */
async function tabUntil(page: Page, wanted: (focus: Focus) => boolean): Promise<boolean> {
  for (let stop = 0; stop < 100; stop++) {
    await page.keyboard.press('Tab');
    if (wanted(await focused(page))) return true;
  }
  return false;
}

describe('the public site in Chromium', () => {
  it('search, filter by status, open the document, download it, follow its interpretation and back', async () => {
    const page = await (await browser()).newPage();
    await page.goto(`${session.base}/`);
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.getByRole('searchbox', { name: '检索词' }).fill(WORD);
    await Promise.all([page.waitForURL(/\/search\?q=/), page.keyboard.press('Enter')]);
    const hits = page.locator('li.hit');
    expect(await hits.count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('li.hit mark').first().textContent()).toContain(WORD);
    expect(await accessibilityProblems(page)).toEqual([]);

    // Filter by status with the facet link.
    await Promise.all([page.waitForURL(/status=in_force/), page.locator('.facets a', { hasText: '现行有效' }).click()]);
    const badges = await page.locator('li.hit-document .badge').allTextContents();
    expect(badges.length).toBeGreaterThan(0);
    expect(new Set(badges)).toEqual(new Set(['现行有效']));
    expect(await page.locator('li.hit', { hasText: '暂行规定' }).count()).toBe(0);
    expect(await page.locator('.active-filters').textContent()).toContain('效力状态：现行有效');

    // Open the document.
    await Promise.all([
      page.waitForURL(new RegExp(`/documents/${documentId}$`)),
      page.locator('li.hit h3 a', { hasText: '加强公共场所' }).first().click(),
    ]);
    expect(await page.locator('h1').textContent()).toContain(`加强公共场所${WORD}工作的通知`);
    expect(await page.locator('table.meta').textContent()).toContain('示政规〔2026〕9号');
    expect(await page.locator('table.meta .badge').textContent()).toBe('现行有效');
    expect(await page.locator('.relations').textContent()).toContain('本文件废止了');
    expect(await accessibilityProblems(page)).toEqual([]);

    // Download the original under its Chinese name.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.downloads a').first().click()]);
    // Named after the document, not the uploaded file.
    expect(download.suggestedFilename()).toBe('示例县人民政府关于加强公共场所控烟工作的通知.pdf');
    const saved = await readFile((await download.path())!);
    expect(createHash('sha256').update(saved).digest('hex')).toBe(createHash('sha256').update(fileBytes).digest('hex'));

    // Follow the interpretation, then back to the document from it.
    await Promise.all([
      page.waitForURL(new RegExp(`/interpretations/${interpretationId}$`)),
      page.locator('.interpretations a').first().click(),
    ]);
    expect(await page.locator('h1').textContent()).toContain('政策解读');
    expect(await accessibilityProblems(page)).toEqual([]);
    await Promise.all([
      page.waitForURL(new RegExp(`/documents/${documentId}$`)),
      page.locator('.related-docs a', { hasText: '加强公共场所' }).click(),
    ]);
    expect(await page.locator('h1').textContent()).toContain(`加强公共场所${WORD}工作的通知`);
    // And the browser's own back button returns to the interpretation.
    await page.goBack();
    expect(new URL(page.url()).pathname).toBe(`/interpretations/${interpretationId}`);
    expect(session.problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('with the keyboard alone: search, filter by status and open a document', async () => {
    const page = await (await browser()).newPage();
    await page.goto(`${session.base}/`);

    await page.keyboard.press('Tab');
    expect((await focused(page)).text, 'the skip link is the first stop').toBe('跳到正文');
    expect(await tabUntil(page, (f) => f.tag === 'INPUT'), 'Tab reaches the search box').toBe(true);
    expect((await focused(page)).id).toBe('home-q');
    await page.keyboard.type(WORD);
    expect(await page.locator('#home-q').inputValue()).toBe(WORD);
    await Promise.all([page.waitForURL(/\/search\?q=/), page.keyboard.press('Enter')]);
    expect(new URL(page.url()).searchParams.get('q')).toBe(WORD);
    expect(await page.locator('li.hit', { hasText: '暂行规定' }).count()).toBe(1);

    // The header's own 现行有效 link is not the facet: only the one inside the facets filters this search.
    expect(await tabUntil(page, (f) => f.inFacets && f.text.startsWith('现行有效')), 'Tab reaches the status facet').toBe(true);
    expect((await focused(page)).href).toContain('status=in_force');
    await Promise.all([page.waitForURL(/status=in_force/), page.keyboard.press('Enter')]);
    expect(new URL(page.url()).searchParams.get('q')).toBe(WORD);
    expect(await page.locator('.active-filters').textContent()).toContain('效力状态：现行有效');
    expect(await page.locator('li.hit', { hasText: '暂行规定' }).count()).toBe(0);

    expect(await tabUntil(page, (f) => f.href === `/documents/${documentId}`), 'Tab reaches the result').toBe(true);
    expect((await focused(page)).text).toContain(`加强公共场所${WORD}工作的通知`);
    await Promise.all([page.waitForURL(new RegExp(`/documents/${documentId}$`)), page.keyboard.press('Enter')]);
    expect(await page.locator('h1').textContent()).toContain(`加强公共场所${WORD}工作的通知`);
    expect(session.problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('browse pages pass axe, are usable at phone width, and the document prints without navigation', async () => {
    const page = await (await browser()).newPage();
    await page.setViewportSize({ width: 360, height: 740 });
    for (const url of ['/', `/search?q=${encodeURIComponent(WORD)}`, `/documents/${documentId}`, `/interpretations/${interpretationId}`, '/organs', '/topics']) {
      await page.goto(`${session.base}${url}`);
      expect(await accessibilityProblems(page), url).toEqual([]);
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      expect(overflow, `${url} scrolls sideways at phone width`).toBeLessThanOrEqual(0);
    }
    await page.goto(`${session.base}/documents/${documentId}`);
    // The site's own navigation and footer, present on screen, are left off the printed page.
    const siteChrome = ['.skip', '.site-header nav', '.account', '.breadcrumb', '.site-footer'];
    for (const selector of siteChrome) expect(await page.locator(selector).isVisible(), `${selector} on screen`).toBe(true);
    await page.emulateMedia({ media: 'print' });
    for (const selector of siteChrome) expect(await page.locator(selector).isVisible(), `${selector} in print`).toBe(false);
    expect(await page.locator('h1').isVisible()).toBe(true);
    expect(await page.locator('table.meta').isVisible()).toBe(true);
    const firstParagraph = page.locator('.document .body p', { hasText: `全面推进公共场所${WORD}工作` });
    expect(await firstParagraph.isVisible(), 'the body text prints').toBe(true);
    expect(await page.locator('.document .body .empty').count()).toBe(0);
    expect(session.problems).toEqual([]);
    await page.close();
  }, 120_000);
});
