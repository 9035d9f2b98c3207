import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../scripts/seed-demo.js';
import { fixedClock } from '../../src/platform/clock.js';
import { accessibilityProblems, openBrowserSession, type BrowserSession } from '../support/browser.js';
import { createTestContext, type TestContext } from '../support/context.js';

let ctx: TestContext;
let session: BrowserSession;
let documentId: number;

beforeAll(async () => {
  ctx = await createTestContext({ clock: fixedClock('2026-11-29') });
  const { actor } = await ctx.user('admin');
  const demo = await seedDemo(ctx.services, actor);
  documentId = demo.documentIds.get('doc-gov-2023-1')!;
  session = await openBrowserSession(ctx);
}, 180_000);

afterAll(async () => {
  await session?.close();
  await ctx?.close();
});

describe('versions in Chromium', () => {
  it('reads the amended text and an older version, compares two and prints the comparison', async () => {
    const page = await (await session.browser()).newPage();
    await page.goto(`${session.base}/documents/${documentId}`);
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('本文件已于 2025-06-01 经示政规〔2025〕1号修改，以下为修改后文本。');
    expect(await page.locator('.document .body').textContent()).toContain('15个工作日内');
    expect(await accessibilityProblems(page)).toEqual([]);

    // Read the original at its own address, from the 历史版本 list.
    await Promise.all([page.waitForURL(/\/versions\/1$/), page.getByRole('link', { name: '原文' }).click()]);
    expect(await page.locator('.document .body').textContent()).toContain('自签署之日起20个工作日内');
    expect(await page.locator('table.meta').textContent()).toContain('已修改');

    // The date picker: the text in force on a day before the amendment.
    await page.goto(`${session.base}/documents/${documentId}`);
    await page.getByLabel('查看某日施行的文本').fill('2024-05-01');
    await Promise.all([page.waitForURL(/as_of=2024-05-01/), page.getByRole('button', { name: '查看' }).click()]);
    expect(await page.locator('.document .body').textContent()).toContain('20个工作日内');

    // Compare the two versions.
    await Promise.all([page.waitForURL(/\/compare\?from=1&to=2$/), page.getByRole('link', { name: '与上一版比较' }).click()]);
    expect(await accessibilityProblems(page)).toEqual([]);
    const deleted = await page.locator('.diff del').allTextContents();
    const inserted = await page.locator('.diff ins').allTextContents();
    expect(deleted.join('')).toContain('2');
    expect(deleted.every((t) => t.startsWith('〔删〕'))).toBe(true);
    expect(inserted.every((t) => t.startsWith('〔增〕'))).toBe(true);
    expect(inserted.join('')).toContain('同步纳入县人民政府门户网站规范性文件库');
    // Not by colour alone: deletions are struck through, insertions underlined.
    expect(await page.locator('.diff del').first().evaluate((e) => (globalThis as unknown as { getComputedStyle(x: unknown): { textDecorationLine: string } }).getComputedStyle(e).textDecorationLine)).toBe('line-through');
    expect(await page.locator('.diff ins').first().evaluate((e) => (globalThis as unknown as { getComputedStyle(x: unknown): { textDecorationLine: string } }).getComputedStyle(e).textDecorationLine)).toBe('underline');

    // Printed: the marks stay, the site's navigation and the version picker go, and Chromium makes the PDF.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.site-header nav').isVisible()).toBe(false);
    expect(await page.locator('.compare-pick').isVisible()).toBe(false);
    expect(await page.locator('.diff ins').first().isVisible()).toBe(true);
    expect(await page.locator('.diff del').first().evaluate((e) => (globalThis as unknown as { getComputedStyle(x: unknown): { textDecorationLine: string } }).getComputedStyle(e).textDecorationLine)).toBe('line-through');
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(session.problems).toEqual([]);
    await page.close();
  }, 180_000);
});
