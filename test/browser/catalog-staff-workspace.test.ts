import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/context.js';
import { openBrowserSession, type BrowserSession } from '../support/browser.js';
import { chinesePdf } from '../support/upload-fixtures.js';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

let ctx: TestContext;
let session: BrowserSession;
let dir: string;
const password = 'workspace-password';

beforeAll(async () => {
  ctx = await createTestContext();
  const { actor } = await ctx.user('admin');
  await ctx.services.organs.create(actor, { name: '示例县人民政府', doc_prefixes: ['示政发', '示政规'] });
  await ctx.services.users.create(null, { username: 'legal', password, role: 'editor' });
  session = await openBrowserSession(ctx);
  dir = await mkdtemp(path.join(os.tmpdir(), 'gfwj-upload-'));
}, 120_000);

afterAll(async () => {
  await session?.close();
  await ctx?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the legal staff register a document in the browser', () => {
  it('signs in, drops a PDF, checks the suggestions, saves, publishes, and repeals', async () => {
    const browser = await session.browser();
    const page = await browser.newPage();
    await page.goto(`${session.base}/staff/documents/new`);
    expect(new URL(page.url()).pathname).toBe('/staff/login');
    await page.fill('input[name="username"]', 'legal');
    await page.fill('input[name="password"]', password);
    await Promise.all([page.waitForURL((url) => url.pathname === '/staff/documents/new'), page.click('main form button[type="submit"]')]);

    const pdf = await chinesePdf([
      ['示例县人民政府', '示政规〔2025〕4号', '示例县人民政府关于印发示例县政府投资项目管理办法的通知', '各乡镇人民政府：', '现将《示例县政府投资项目管理办法》印发给你们，请认真贯彻执行。', '本办法自2025年7月1日起施行，有效期5年。', '示例县人民政府', '2025年6月3日'],
    ]);
    const file = path.join(dir, '政府投资项目管理办法.pdf');
    await writeFile(file, pdf);
    await page.setInputFiles('input[name="file"]', file);
    await Promise.all([page.waitForURL((url) => url.pathname === '/staff/documents/suggest'), page.click('.upload-step button')]);

    expect(await page.inputValue('#title')).toBe('示例县人民政府关于印发示例县政府投资项目管理办法的通知');
    expect(await page.inputValue('#doc_number')).toBe('示政规〔2025〕4号');
    expect(await page.inputValue('#signed_on')).toBe('2025-06-03');
    expect(await page.inputValue('#effective_on')).toBe('2025-07-01');
    expect(await page.locator('#organ_id option:checked').innerText()).toBe('示例县人民政府');

    // Staff correct what the machine cannot know, then save.
    await page.fill('#published_on', '2025-06-10');
    await page.check('input[name="topics"][value="综合政务"]');
    await Promise.all([page.waitForURL(/\/staff\/documents\/\d+$/), page.click('.document-form button[type="submit"]')]);
    expect(await page.locator('h1').innerText()).toBe('示例县人民政府关于印发示例县政府投资项目管理办法的通知');
    expect(await page.locator('.badge').first().innerText()).toBe('现行有效');
    expect(await page.locator('text=政府投资项目管理办法.pdf').count()).toBe(1);

    expect(session.problems).toEqual([]);

    // A repeal dated before publication is refused with the reason (a 400 page), then done right.
    await page.fill('#repealed-on', '2025-06-01');
    await page.click('form[action$="/repeal"] button');
    expect(await page.locator('.form-error').innerText()).toContain('废止日期不能早于发布日期');
    await page.fill('#repealed-on', '2026-01-01');
    await page.fill('#reason', '已被新办法替代');
    await Promise.all([page.waitForURL(/\/staff\/documents\/\d+$/), page.click('form[action$="/repeal"] button')]);
    expect(await page.locator('.badge').first().innerText()).toBe('已废止');
    expect(session.problems).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  });
});
