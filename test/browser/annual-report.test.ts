import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../scripts/seed-demo.js';
import { fixedClock } from '../../src/platform/clock.js';
import { openBrowserSession, type BrowserSession } from '../support/browser.js';
import { createTestContext, type TestContext } from '../support/context.js';

const password = 'correct-horse-battery';
let ctx: TestContext;
let session: BrowserSession;
let gov: number;

beforeAll(async () => {
  ctx = await createTestContext({ clock: fixedClock('2026-11-29') });
  const { actor } = await ctx.user('admin');
  gov = (await seedDemo(ctx.services, actor)).organIds.get('gov')!;
  await ctx.services.users.create(actor, { username: 'compiler8', password, role: 'compiler' });
  session = await openBrowserSession(ctx);
}, 180_000);

afterAll(async () => {
  await session?.close();
  await ctx?.close();
});

async function signedIn(target: string): Promise<Page> {
  const browser = await session.browser();
  await browser.clearCookies();
  const page = await browser.newPage();
  await page.goto(`${session.base}${target}`);
  await page.fill('input[name="username"]', 'compiler8');
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForURL((url) => url.pathname === new URL(`${session.base}${target}`).pathname), page.click('main form button[type="submit"]')]);
  return page;
}

describe('the annual report page in Chromium (demo county, 2025)', () => {
  it('shows sections 三 and 四 as the official tables, balanced, and drills down from a number', async () => {
    const page = await signedIn(`/staff/annual-report?year=2025&organ_id=${gov}&subtree=true`);
    const three = page.locator('[data-section="three"] table');
    // The corner cell carries the 勾稽 note and spans three label columns and three header rows.
    const corner = three.locator('tr').first().locator('th').first();
    expect(await corner.innerText()).toContain('勾稽关系');
    expect(await corner.getAttribute('colspan')).toBe('3');
    expect(await corner.getAttribute('rowspan')).toBe('3');
    expect(await three.locator('tr').count()).toBe(28);
    expect(await page.locator('[data-balance="ok"]').count()).toBe(1);
    const received = three.locator('tr', { hasText: '一、本年新收政府信息公开申请数量' }).locator('td').last();
    expect(await received.innerText()).toBe('13');
    await Promise.all([page.waitForURL((url) => url.pathname === '/staff/annual-report/cells'), received.locator('a').click()]);
    expect(await page.locator('[data-total]').innerText()).toBe('13');
    expect(session.problems).toEqual([]);
  });

  it('lists the open requests by deadline beside the compliance page', async () => {
    const page = await signedIn('/staff/compliance/requests');
    const states = await page.locator('[data-deadlines] tbody tr').evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: { state: string } }).dataset.state));
    expect(states).toEqual(['overdue', 'open', 'awaiting_correction']);
  });
});
