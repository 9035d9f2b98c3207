import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/context.js';
import { openBrowserSession, type BrowserSession } from '../support/browser.js';
import { chinesePdf } from '../support/upload-fixtures.js';
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
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
    await Promise.all([page.waitForURL(/\/repeal$/), page.click('form[action$="/repeal"] button')]);
    await Promise.all([page.waitForURL(/\/staff\/documents\/\d+$/), page.click('button:has-text("确认废止")')]);
    expect(await page.locator('.badge').first().innerText()).toBe('已废止');
    expect(session.problems).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  });
});

describe('the legal staff are kept from mistakes the public would see', () => {
  it('tries to publish the draft and sees the checks, downloads its original, repeals by 文号 with the picker', async () => {
    const { actor } = await ctx.user('admin');
    const organ = (await ctx.services.organs.list()).find((o) => o.name === '示例县人民政府')!;
    const draftPdf = await chinesePdf([['示例县农村公路管理办法（征求意见稿）', '第一条 为加强农村公路管理……', '本办法自 年 月 日起施行。']]);
    const draft = await ctx.services.documents.create(
      actor,
      { kind: 'normative', title: '示例县农村公路管理办法（征求意见稿）', organ_id: organ.id },
      { name: 'tongzhi.pdf', kind: 'pdf', type: 'application/pdf', bytes: draftPdf },
    );
    const repealing = await ctx.services.documents.create(actor, {
      kind: 'normative', title: '示例县人民政府关于废止部分行政规范性文件的决定', doc_number: '示政发〔2025〕9号', organ_id: organ.id,
      signed_on: '2025-03-01', published_on: '2025-03-05', expires_on: '2030-03-04',
    });
    const target = await ctx.services.documents.create(actor, {
      kind: 'normative', title: '示例县殡葬管理暂行办法', doc_number: '示政规〔2019〕2号', organ_id: organ.id,
      signed_on: '2019-04-01', published_on: '2019-04-08', expires_on: '2029-04-07',
    });

    const browser = await session.browser();
    const page = await browser.newPage();
    await page.goto(`${session.base}/staff/documents/${draft.id}`);
    if (new URL(page.url()).pathname === '/staff/login') {
      await page.fill('input[name="username"]', 'legal');
      await page.fill('input[name="password"]', password);
      await Promise.all([page.waitForURL((url) => url.pathname === `/staff/documents/${draft.id}`), page.click('main form button[type="submit"]')]);
    }

    // 发布 on the draft of the issue: refused, each missing field named, nothing published.
    await page.click('form[action$="/publish"] button');
    const checks = await page.locator('.form-error').innerText();
    expect(checks).toContain('发布前须填写：文号、成文日期');
    expect(checks).toContain('文号：发布前须填写文号');
    expect(checks).toContain('成文日期：发布前须填写成文日期');
    expect((await ctx.services.documents.get(actor, draft.id)).published_on).toBeNull();

    // The draft's original, downloaded with the session, named after the document.
    const link = page.locator('a[href$="/files/' + (await ctx.services.documents.get(actor, draft.id)).files[0]!.id + '"]');
    expect(await link.innerText()).toBe('示例县农村公路管理办法（征求意见稿）.pdf');
    expect(await page.locator('text=PDF，').count()).toBe(1);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('示例县农村公路管理办法（征求意见稿）.pdf');
    const saved = path.join(dir, 'downloaded.pdf');
    await download.saveAs(saved);
    expect((await readFile(saved)).equals(draftPdf)).toBe(true);

    // Repeal by 文号: the picker lists the match as one types; the confirmation says what changes.
    await page.goto(`${session.base}/staff/documents/${target.id}`);
    await page.fill('#repealed-on', '2025-03-10');
    await page.locator('#by-document').pressSequentially('示政发〔2025〕9');
    const option = page.locator('.picker-results button', { hasText: '示例县人民政府关于废止部分行政规范性文件的决定' });
    await option.waitFor();
    await option.click();
    expect(await page.inputValue('#by-document')).toBe('示政发〔2025〕9号');
    expect(await page.locator('[data-picker-chosen]').innerText()).toContain('已选择：《示例县人民政府关于废止部分行政规范性文件的决定》');
    await Promise.all([page.waitForURL(/\/repeal$/), page.click('form[action$="/repeal"] button[type="submit"]')]);
    const confirmation = await page.locator('main').innerText();
    expect(confirmation).toContain('自 2025-03-10 起在文件库中显示为“已废止”');
    expect(confirmation).toContain('计入 2025 年度');
    expect(confirmation).toContain('废止依据：《示例县人民政府关于废止部分行政规范性文件的决定》（示政发〔2025〕9号）');
    expect((await ctx.services.documents.get(actor, target.id)).repeal).toBeNull();
    await Promise.all([page.waitForURL(/\/staff\/documents\/\d+$/), page.click('button:has-text("确认废止")')]);
    expect(await page.locator('.badge').first().innerText()).toBe('已废止');
    expect((await ctx.services.documents.get(actor, target.id)).repeal?.by_document_id).toBe(repealing.id);
    // Only the refused publication complained (its 400 page); the picker's script ran clean under the CSP.
    expect(session.problems.filter((p) => !p.includes('400 (Bad Request)'))).toEqual([]);
  });
});
