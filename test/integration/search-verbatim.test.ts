import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Actor } from '../../src/features/accounts/actor.js';
import type { SearchParams } from '../../src/features/search/search-result.js';
import { rebuildSearchIndex } from '../../src/features/search/search-rebuild.js';
import { createTestContext, movableClock, type TestContext } from '../support/context.js';
import { uniqueHanWord } from '../support/search.js';
import { buildDocument, buildInterpretation, buildOrgan } from '../support/factories.js';

const clock = movableClock();
let ctx: TestContext;
let admin: Actor;
let organId: number;

beforeAll(async () => {
  clock.set('2026-06-15');
  ctx = await createTestContext({ clock });
  admin = (await ctx.user('admin')).actor;
  organId = (await buildOrgan(ctx.services, admin, { name: '原文检索测试县人民政府' })).id;
});
afterAll(() => ctx?.close());

async function search(q: string, extra: Partial<SearchParams> = {}) {
  const result = await ctx.services.search.search(null, { q, sort: 'relevance', page: 1, page_size: 20, ...extra });
  expect(result.mode).toBe('full');
  return result;
}

const keys = (result: { hits: { type: string; id: number }[] }) => result.hits.map((h) => `${h.type}:${h.id}`);

describe('verbatim search: any fragment finds its document', () => {
  it('the embedded database classifies Han characters as letters, so the trigram index serves them', async () => {
    const { rows } = await sql<{ n: number }>`select array_length(show_trgm('中华人民'), 1) as n`.execute(ctx.db);
    expect(rows[0]!.n).toBeGreaterThan(0);
  });

  it('finds a title cut mid-word on both sides, first', async () => {
    const han = uniqueHanWord();
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId, title: `中华人民共和国${han}残疾人保障法实施办法` });
    await ctx.worker.drainNow();
    for (const q of [`华人民共和国${han}残疾`, `${han.slice(1)}残疾人保`, `"国${han}残"`]) {
      const result = await search(q);
      expect(keys(result)[0], q).toBe(`document:${doc.id}`);
    }
  });

  it('finds a body fragment across a PDF line break, with other punctuation and spacing, and digits written full width', async () => {
    const han = uniqueHanWord();
    const doc = await buildDocument(ctx.services, admin, {
      organ_id: organId,
      title: `行政许可项目监督管理办法${han}`,
      body: `第十条 申请人对决定不服的，应当自作出决定\n之日起十日内${han}提出，依据２０２３年第１２３４５号文件，规定，有下列情形之一的，由城市管理部门处理。`,
    });
    await ctx.worker.drainNow();
    const fragments = [
      `当自作出决定之日起十日内${han}`,
      `"自作出决定之日起十日内${han}提"`,
      `“${han}提出,依据2023年第12345号”`,
      `${han}提出依据２０２３年第１２３４`,
      `3年第12345号文件，规定有下列情形之一的由城市管`,
    ];
    for (const q of fragments) {
      const result = await search(q);
      expect(keys(result)[0], q).toBe(`document:${doc.id}`);
    }
  });

  it('a short unquoted fragment that the words miss is looked for in the texts too', async () => {
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId, title: '短片段', body: '编码 qxzvbnmwrt 适用' });
    await ctx.worker.drainNow();
    // Cut inside a Latin word: no word starts with it, and it is shorter than the texts are searched for at once.
    expect(keys(await search('zvbnm'))).toEqual([`document:${doc.id}`]);
  });

  it('quoted: verbatim only; a quoted fragment that stands nowhere finds nothing', async () => {
    const han = uniqueHanWord();
    const verbatim = await buildDocument(ctx.services, admin, { organ_id: organId, title: `原文${han}`, body: `本办法所称${han}监督管理，是指` });
    // The same words, apart: the word search finds it, the quoted search must not.
    const apart = await buildDocument(ctx.services, admin, { organ_id: organId, title: `分开${han}`, body: `${han}。另外，监督管理工作` });
    await ctx.worker.drainNow();
    const quoted = await search(`"${han}监督管理"`);
    expect(keys(quoted)).toEqual([`document:${verbatim.id}`]);
    expect(quoted.total).toBe(1);
    expect(quoted.facets.status).toEqual([{ value: 'in_force', label: expect.any(String), count: 1 }]);
    const unquoted = await search(`${han}监督管理`);
    expect(keys(unquoted).slice(0, 2)).toEqual([`document:${verbatim.id}`, `document:${apart.id}`]);
    expect(unquoted.total).toBe(2);
    const nowhere = await search(`"${han}督管理，提高政府工作的透明度"`);
    expect(nowhere.total).toBe(0);
    expect(nowhere.hits).toEqual([]);
  });

  it('a verbatim title match ranks above a verbatim body match, each above word matches', async () => {
    const han = uniqueHanWord();
    const inBody = await buildDocument(ctx.services, admin, { organ_id: organId, title: `正文含有${han}`, body: `关于${han}安全生产的若干规定` });
    const inTitle = await buildDocument(ctx.services, admin, {
      organ_id: organId,
      title: `${han}安全生产规定`,
      body: '无关正文',
      published_on: '2020-01-01',
    });
    await ctx.worker.drainNow();
    const result = await search(`${han}安全生产`);
    expect(keys(result).slice(0, 2)).toEqual([`document:${inTitle.id}`, `document:${inBody.id}`]);
  });

  it('pages through verbatim and word matches without repeating or losing one', async () => {
    const han = uniqueHanWord();
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await buildDocument(ctx.services, admin, { organ_id: organId, title: `分页${i} ${han}办法`, body: `${han}办法` }));
    for (let i = 0; i < 3; i++) made.push(await buildDocument(ctx.services, admin, { organ_id: organId, title: `分页词 ${han}`, body: `${han}。其他办法` }));
    await ctx.worker.drainNow();
    const pages = [];
    for (let page = 1; page <= 3; page++) pages.push(...keys(await search(`${han}办法`, { page, page_size: 3 })));
    expect(pages.sort()).toEqual(made.map((d) => `document:${d.id}`).sort());
    expect((await search(`${han}办法`, { page_size: 3 })).total).toBe(8);
  });
});

describe('ranking that respects status', () => {
  it('in force, not yet effective, expired, repealed, then interpretations; the current version before the repealed one of the same title', async () => {
    const han = uniqueHanWord();
    const title = `示例市${han}管理办法`;
    const repealed = await buildDocument(ctx.services, admin, { organ_id: organId, kind: 'rule', title, published_on: '2015-01-01' });
    await ctx.services.documents.repeal(admin, repealed.id, { repealed_on: '2020-01-01' });
    const expired = await buildDocument(ctx.services, admin, { organ_id: organId, title, published_on: '2018-01-01', expires_on: '2021-01-01' });
    const current = await buildDocument(ctx.services, admin, { organ_id: organId, kind: 'rule', title, published_on: '2020-01-01' });
    const future = await buildDocument(ctx.services, admin, { organ_id: organId, title, published_on: '2026-06-01', effective_on: '2026-09-01' });
    const interpretation = await buildInterpretation(ctx.services, admin, [current.id], { title: `一图读懂${title}` });
    await ctx.worker.drainNow();
    const expected = [
      `document:${current.id}`,
      `document:${future.id}`,
      `document:${expired.id}`,
      `document:${repealed.id}`,
      `interpretation:${interpretation.id}`,
    ];
    // Verbatim (the whole title) and by words only (not in this order anywhere), the same order.
    expect(keys(await search(title))).toEqual(expected);
    expect(keys(await search(`管理办法 ${han}`))).toEqual(expected);
    // Sorting by date stays available.
    expect(keys(await search(title, { sort: 'date' }))[0]).toBe(`document:${future.id}`);
  });
});

describe('scope and fields, as in the national policy libraries', () => {
  it('示政发〔2023〕 lists that prefix and year only; a 令号 without its organ finds the rule', async () => {
    const organ = await buildOrgan(ctx.services, admin, { name: '前缀测试市人民政府', doc_prefixes: ['前测政发', '前缀测试市人民政府令'] });
    const in2023 = await buildDocument(ctx.services, admin, { organ_id: organ.id, doc_number: '前测政发〔2023〕5号', signed_on: '2023-02-01' });
    const other = await buildDocument(ctx.services, admin, { organ_id: organ.id, doc_number: '前测政发〔2020〕6号', signed_on: '2020-02-01' });
    const rule = await buildDocument(ctx.services, admin, { organ_id: organ.id, kind: 'rule', doc_number: '前缀测试市人民政府令第41号', published_on: '2021-01-01' });
    await ctx.worker.drainNow();
    expect(keys(await search('前测政发〔2023〕'))).toEqual([`document:${in2023.id}`]);
    expect(keys(await search('前测政发[2020]'))).toEqual([`document:${other.id}`]);
    expect(keys(await search('测试市政府令第41号'))[0]).toBe(`document:${rule.id}`);
    expect(keys(await search('前缀测试市人民政府令第41号'))[0]).toBe(`document:${rule.id}`);
    expect(keys(await search('令第41号'))).toContain(`document:${rule.id}`);
  });

  it('scope=title, type, and the 成文日期 and 发布日期 ranges', async () => {
    const han = uniqueHanWord();
    const titled = await buildDocument(ctx.services, admin, { organ_id: organId, title: `${han}标题`, signed_on: '2022-05-01', published_on: '2022-05-10' });
    const bodied = await buildDocument(ctx.services, admin, { organ_id: organId, title: `正文有 ${uniqueHanWord()}`, body: `${han}正文`, signed_on: '2024-05-01', published_on: '2024-05-10' });
    const interpretation = await buildInterpretation(ctx.services, admin, [titled.id], { title: `${han}解读`, published_on: '2024-06-01' });
    await ctx.worker.drainNow();
    expect(keys(await search(han, { scope: 'title' })).sort()).toEqual([`document:${titled.id}`, `interpretation:${interpretation.id}`].sort());
    expect(keys(await search(han, { scope: 'title', type: 'document' }))).toEqual([`document:${titled.id}`]);
    expect(keys(await search(han, { type: 'interpretation' }))).toEqual([`interpretation:${interpretation.id}`]);
    expect(keys(await search(han, { signed_from: '2023-01-01' }))).toEqual([`document:${bodied.id}`]);
    expect(keys(await search(han, { signed_to: '2022-05-01' }))).toEqual([`document:${titled.id}`]);
    expect(keys(await search(han, { published_from: '2022-05-10', published_to: '2022-05-10' }))).toEqual([`document:${titled.id}`]);
  });
});

describe('the verbatim texts follow the index', () => {
  it('a rebuild writes them again; a document removed from the index leaves them too', async () => {
    const han = uniqueHanWord();
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId, title: `重建${han}`, body: `重建之后仍能找到${han}这一段原文` });
    await ctx.worker.drainNow();
    await ctx.db.deleteFrom('search_fragments').execute();
    expect((await search(`"能找到${han}这一"`)).total).toBe(0);
    await rebuildSearchIndex(ctx.db, ctx.indexes, clock.today());
    expect(keys(await search(`"能找到${han}这一"`))).toEqual([`document:${doc.id}`]);
    await ctx.db.deleteFrom('documents').where('id', '=', doc.id).execute();
    await ctx.db.insertInto('index_jobs').values({ entity: 'document', entity_id: doc.id }).execute();
    await ctx.worker.drainNow();
    const left = await ctx.db.selectFrom('search_fragments').select('record_group').where('record_group', '=', `d${doc.id}`).execute();
    expect(left).toEqual([]);
  });
});
