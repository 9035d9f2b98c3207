import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../scripts/seed-demo.js';
import { fixedClock } from '../../src/platform/clock.js';
import { openBrowserSession, type BrowserSession } from '../support/browser.js';
import { createTestContext, type TestContext } from '../support/context.js';

const password = 'correct-horse-battery';

let ctx: TestContext;
let session: BrowserSession;
let demo: Awaited<ReturnType<typeof seedDemo>>;

beforeAll(async () => {
  ctx = await createTestContext({ clock: fixedClock('2026-11-29') });
  const { actor } = await ctx.user('admin');
  demo = await seedDemo(ctx.services, actor);
  await ctx.services.users.create(actor, { username: 'compiler7', password, role: 'compiler' });
  await ctx.services.users.create(actor, { username: 'editor7', password, role: 'editor' });
  session = await openBrowserSession(ctx);
}, 180_000);

afterAll(async () => {
  await session?.close();
  await ctx?.close();
});

/** CSP violations reach the console as errors; nothing else the page logs is expected either. */
const cspViolations = () => session.problems.filter((p) => /Content[- ]Security[- ]Policy/i.test(p));

async function signedIn(username: string, target: string): Promise<Page> {
  const browser = await session.browser();
  await browser.clearCookies();
  const page = await browser.newPage();
  await page.goto(`${session.base}${target}`);
  // Not signed in: the page sends us to the form, which brings us back.
  expect(new URL(page.url()).pathname).toBe('/staff/login');
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForURL((url) => url.pathname === target), page.click('main form button[type="submit"]')]);
  return page;
}

/** The one browser global used here; the project compiles without the DOM library. */
interface BrowserWindow {
  getComputedStyle(element: unknown): { fill: string };
}

const text = async (page: Page, selector: string) => (await page.locator(selector).innerText()).replace(/\s+/g, ' ').trim();

describe('the compliance dashboard in Chromium (demo county, 2026-11-29)', () => {
  it('shows the figures, the charts and the lists', async () => {
    const page = await signedIn('compiler7', '/staff/compliance');
    expect(await text(page, 'h1')).toBe('公开合规看板');
    expect(await text(page, '[data-as-of]')).toBe('2026-11-29');

    expect(await text(page, '[data-kpi="timeliness"] .kpi-value')).toBe('100%');
    expect(await text(page, '[data-kpi="timeliness"] .kpi-detail')).toBe('按时 38/38 件');
    expect(await text(page, '[data-kpi="behind"] .kpi-value')).toBe('0');
    expect(await text(page, '[data-kpi="coverage"] .kpi-value')).toBe('35.3%');
    expect(await text(page, '[data-kpi="coverage"] .kpi-detail')).toBe('有解读 12/34 件');
    expect(await text(page, '[data-kpi="flagged"] .kpi-value')).toBe('2');
    expect(await text(page, '[data-kpi="expiring"] .kpi-value')).toBe('4');

    // Server-drawn SVG: one bar per year and series, coloured by our stylesheet.
    const trend = page.locator('svg[data-chart="trend-chart"]');
    expect(await trend.isVisible()).toBe(true);
    expect(await trend.locator('.chart-bar rect.series-timeliness').count()).toBe(8);
    expect(await trend.locator('.chart-bar rect.series-coverage').count()).toBe(8);
    expect(await trend.locator('.chart-bar rect.series-timeliness').first().evaluate((el) => (globalThis as unknown as BrowserWindow).getComputedStyle(el).fill)).toBe('rgb(159, 29, 32)');
    const box = await trend.boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    expect(await trend.locator('.chart-bar title').allTextContents()).toContain('2025年 解读覆盖率：66.7%（4/6）');
    expect(await page.locator('svg[data-chart="organ-chart"]').isVisible()).toBe(true);

    // The matrices: 县政府 2025 has both of its documents interpreted; the county total row.
    const coverageRow = page.locator('#coverage-matrix tbody tr', { hasText: '示例县人民政府' }).first();
    const coverageCells = await coverageRow.locator('td').allInnerTexts();
    expect(coverageCells[6]?.replace(/\s+/g, ' ')).toBe('100% 2/2');
    expect((await page.locator('#coverage-matrix tfoot td').last().innerText()).replace(/\s+/g, ' ')).toBe('35.3% 12/34 无解读 22');
    expect((await page.locator('#timeliness-matrix tfoot td').last().innerText()).replace(/\s+/g, ' ')).toBe('100% 38/38');

    expect(await page.locator('#late-documents').count()).toBe(0);
    expect(await page.locator('#uncovered-documents tbody tr').count()).toBe(22);
    expect(await page.locator('#flagged-interpretations tbody tr').count()).toBe(2);
    expect(await page.locator('#expiring-documents li').count()).toBe(4);
    expect(await text(page, '#expiring-documents li:first-child')).toContain('有效期至 2026-12-31，还有 32 天');
    expect(cspViolations()).toEqual([]);
    await page.close();
  });

  it('downloads the summary as CSV', async () => {
    const page = await signedIn('compiler7', '/staff/compliance');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=机关×年度汇总')]);
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toMatch(/^机关,年度,已判定件数/);
    expect(lines).toContain('全部机关,合计,38,38,0,0,100%,0,0,0,34,12,35.3%');
    await page.close();
  });

  it('records an expiry review decision, the new-term box following the chosen decision', async () => {
    const page = await signedIn('editor7', '/staff/compliance/expiry');
    const id = demo.documentIds.get('doc-amr-2021-1')!;
    const item = page.locator(`#doc-${id}`);
    const newTerm = item.locator('[data-new-term]');
    expect(await newTerm.isHidden()).toBe(true);
    await item.locator('select[name="decision"]').selectOption('extend');
    expect(await newTerm.isVisible()).toBe(true);
    await item.locator('input[name="new_expires_on"]').fill('2031-12-31');
    await Promise.all([page.waitForURL(/recorded=/), item.locator('button[type="submit"]').click()]);
    expect(await text(page, '.notice')).toContain(`已记录文件 #${id} 的评估决定`);
    // Extended beyond the window, it leaves the list; the document now runs to 2031.
    expect(await page.locator(`#doc-${id}`).count()).toBe(0);
    const doc = await ctx.services.documents.get(null, id);
    expect(doc.expires_on).toBe('2031-12-31');
    expect(cspViolations()).toEqual([]);
    await page.close();
  });
});
