import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../scripts/seed-demo.js';
import { fixedClock } from '../../src/platform/clock.js';
import { openBrowserSession, type BrowserSession } from '../support/browser.js';
import { createTestContext, type TestContext } from '../support/context.js';

const PHONE = { width: 360, height: 740 };

let ctx: TestContext;
let session: BrowserSession;

beforeAll(async () => {
  ctx = await createTestContext({ clock: fixedClock('2026-11-29') });
  const { actor } = await ctx.user('admin');
  await seedDemo(ctx.services, actor);
  await ctx.worker.drainNow();
  session = await openBrowserSession(ctx);
}, 180_000);

afterAll(async () => {
  await session?.close();
  await ctx?.close();
});

describe('the results page on a phone', () => {
  it('the header is small, the placeholder fits, and the filters are reachable from the top of the results', async () => {
    const page = await (await session.browser()).newPage();
    await page.setViewportSize(PHONE);
    await page.goto(`${session.base}/search?q=${encodeURIComponent('管理办法')}`);

    const header = await page.locator('.site-header').boundingBox();
    expect(header!.height, 'the header takes less than a fifth of the first screen').toBeLessThan(PHONE.height / 5);

    // The placeholder's text, in the input's font, is no wider than the room inside the input.
    const room = await page.evaluate<{ text: number; inner: number }>(`(() => {
      const input = document.querySelector('#q');
      const style = getComputedStyle(input);
      const probe = document.createElement('span');
      probe.style.font = style.font;
      probe.style.whiteSpace = 'pre';
      probe.textContent = input.placeholder;
      document.body.appendChild(probe);
      const text = probe.getBoundingClientRect().width;
      probe.remove();
      return { text, inner: input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) };
    })()`);
    expect(room.text, 'the placeholder is not cut off').toBeLessThanOrEqual(room.inner);

    const jump = page.locator('.filters-jump');
    expect(await jump.isVisible()).toBe(true);
    const jumpBox = await jump.boundingBox();
    expect(jumpBox!.y + jumpBox!.height, 'the 筛选 link is on the first screen').toBeLessThanOrEqual(PHONE.height);
    await jump.click();
    await page.waitForFunction(`Math.abs(document.querySelector('#filters').getBoundingClientRect().top) < 5`);
    // And the first filter is right there to use.
    const firstFacet = page.locator('#filters .facet a').first();
    const facetBox = await firstFacet.boundingBox();
    expect(facetBox!.y).toBeGreaterThanOrEqual(0);
    expect(facetBox!.y).toBeLessThan(PHONE.height);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow, 'no sideways scrolling').toBeLessThanOrEqual(0);
    expect(session.problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('the 高级检索 form opens, and searches titles only within a date range', async () => {
    const page = await (await session.browser()).newPage();
    await page.setViewportSize(PHONE);
    await page.goto(`${session.base}/search?q=${encodeURIComponent('管理办法')}`);
    expect(await page.locator('.advanced-form').isVisible()).toBe(false);
    await page.locator('.advanced summary').click();
    await page.locator('input[name="scope"][value="title"]').check();
    await page.locator('input[name="type"][value="document"]').check();
    await page.locator('#adv-published-from').fill('2000-01-01');
    await Promise.all([page.waitForURL(/scope=title/), page.locator('.advanced-form button[type="submit"]').click()]);
    const url = new URL(page.url());
    expect(url.searchParams.get('scope')).toBe('title');
    expect(url.searchParams.get('type')).toBe('document');
    expect(url.searchParams.get('published_from')).toBe('2000-01-01');
    // In use, the form stays open and the choices show as removable filters.
    expect(await page.locator('.advanced-form').isVisible()).toBe(true);
    expect(await page.locator('.active-filters').textContent()).toContain('检索位置：标题');
    const titles = await page.locator('li.hit h3').allTextContents();
    expect(titles.length).toBeGreaterThan(0);
    for (const title of titles) expect(title).toContain('管理办法');
    expect(session.problems).toEqual([]);
    await page.close();
  }, 120_000);
});
