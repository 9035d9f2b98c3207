import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../scripts/seed-demo.js';
import { fixedClock } from '../../src/platform/clock.js';
import { createTestContext, type TestContext } from '../support/context.js';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext({ clock: fixedClock('2026-11-29') });
  const { actor } = await ctx.user('admin');
  await seedDemo(ctx.services, actor);
  await ctx.worker.drainNow();
});
afterAll(() => ctx?.close());

const html = async (url: string) => {
  const res = await ctx.request().get(url).set('Accept', 'text/html');
  expect(res.status, url).toBe(200);
  return res.text;
};

const unescape = (href: string) => href.replaceAll('&amp;', '&');

/** Every link that shows a count in parentheses: its address, its label and its count. */
function countedLinks(page: string) {
  return [...page.matchAll(/<a href="([^"]+)"[^>]*>([^<]*?)\s*<span class="count">（(\d+)）<\/span><\/a>/g)].map((m) => ({
    href: unescape(m[1]!),
    label: m[2]!.trim(),
    count: Number(m[3]),
  }));
}

/** What a results page says it holds. */
function totalShown(page: string): number {
  if (page.includes('没有找到相关结果')) return 0;
  const total = /共 (\d+) 条结果/.exec(page);
  expect(total, 'the results page states its total').not.toBeNull();
  return Number(total![1]);
}

async function expectEveryCountHolds(page: string, where: string) {
  const links = countedLinks(page).filter((l) => !l.href.includes('%E2%9C%93'));
  expect(links.length, `${where} shows counts`).toBeGreaterThan(0);
  for (const link of links) {
    expect(totalShown(await html(link.href)), `${where}: ${link.label} → ${link.href}`).toBe(link.count);
  }
}

describe('every count on the public pages equals what a click on it shows', () => {
  it('/organs: each organ with its documents (interpretations not counted, as the page says)', async () => {
    const page = await html('/organs');
    expect(page).toContain('不含政策解读');
    await expectEveryCountHolds(page, '/organs');
  });

  it('/topics and the home page topics', async () => {
    const topics = await html('/topics');
    expect(topics).toContain('不含政策解读');
    await expectEveryCountHolds(topics, '/topics');
    await expectEveryCountHolds(await html('/'), '/');
  });

  it('the home page 查看全部 N 件文件', async () => {
    const page = await html('/');
    const more = /<a href="([^"]+)">查看全部 (\d+) 件文件/.exec(page);
    expect(more).not.toBeNull();
    expect(totalShown(await html(unescape(more![1]!)))).toBe(Number(more![2]));
  });

  it('the facets of a results page, for a query with verbatim and word matches, and of the list of everything', async () => {
    for (const url of ['/search?q=%E7%AE%A1%E7%90%86%E5%8A%9E%E6%B3%95', '/search?sort=date']) {
      const page = await html(url);
      const unselected = countedLinks(page);
      expect(unselected.length).toBeGreaterThan(3);
      for (const link of unselected) expect(totalShown(await html(link.href)), `${url}: ${link.label}`).toBe(link.count);
    }
  });
});
