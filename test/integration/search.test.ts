import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { documentStatusAsOf } from '../../src/shared/document-status.js';
import type { Actor } from '../../src/features/accounts/actor.js';
import { createSearchService } from '../../src/features/search/search.service.js';
import type { SearchParams } from '../../src/features/search/search-result.js';
import { NO_END, TEXT_PART_CHARS, TEXT_PARTS, countStaleDocuments, waitForTasks, type SearchRecord } from '../../src/features/search/search-index.js';
import { MAX_STALE } from '../../src/features/search/search-query.js';
import { SNIPPET_CHARS, SNIPPET_LEAD } from '../../src/features/search/search-text.js';
import { createTestContext, movableClock, type TestContext } from '../support/context.js';
import { uniqueHanWord, uniqueWord } from '../support/search.js';
import { buildDocument, buildInterpretation, buildOrgan } from '../support/factories.js';

const clock = movableClock();
let ctx: TestContext;
let admin: Actor;
let compiler: Actor;
let organId: number;

beforeAll(async () => {
  clock.set('2026-06-15');
  ctx = await createTestContext({ clock });
  admin = (await ctx.user('admin')).actor;
  compiler = (await ctx.user('compiler')).actor;
  organId = (await buildOrgan(ctx.services, admin, { name: '检索测试县人民政府', doc_prefixes: ['检政发'] })).id;
});
afterAll(() => ctx?.close());

/** A search that must have been answered by Meilisearch, not the PostgreSQL fallback. */
async function search(q: string, extra: Partial<SearchParams> = {}, actor: Actor | null = null) {
  const result = await ctx.services.search.search(actor, { q, sort: 'relevance', page: 1, page_size: 20, ...extra });
  expect(result.mode).toBe('full');
  return result;
}

const ids = (result: { hits: { type: string; id: number }[] }, type = 'document') =>
  result.hits.filter((h) => h.type === type).map((h) => h.id);

describe('full-text search', () => {
  it('finds documents and interpretations by their words, in one ranked list', async () => {
    const word = uniqueWord();
    const doc = await buildDocument(ctx.services, admin, {
      organ_id: organId,
      title: `关于加强生态环境保护工作的通知 ${word}`,
      body: `第一条 为了加强生态环境保护，制定本通知。${word}`,
    });
    const interpretation = await buildInterpretation(ctx.services, admin, [doc.id], { title: `生态环境保护通知解读 ${word}` });
    await ctx.worker.drainNow();
    const result = await search(word);
    expect(result.mode).toBe('full');
    expect(result.total).toBe(2);
    expect(ids(result)).toEqual([doc.id]);
    expect(ids(result, 'interpretation')).toEqual([interpretation.id]);
    const hit = result.hits.find((h) => h.type === 'document')!;
    expect(hit).toMatchObject({ title: doc.title, status: 'in_force', doc_number: null, url: `/documents/${doc.id}` });
    expect(hit.snippet).toContain(`<mark>${word}</mark>`);
  });

  it('cuts each snippet around the first match: from the start when it is near, else SNIPPET_LEAD characters before it', async () => {
    const word = uniqueWord();
    const near = await buildDocument(ctx.services, admin, { organ_id: organId, title: `摘要近 ${word}`, body: `一二三${word}四五六` });
    const far = await buildDocument(ctx.services, admin, {
      organ_id: organId,
      title: `摘要远 ${word}`,
      body: `${'甲'.repeat(200)}${word}${'乙'.repeat(300)}`,
    });
    // No whole word in the text: the longest piece of the Chinese word that is.
    const han = uniqueHanWord();
    const piece = await buildDocument(ctx.services, admin, {
      organ_id: organId,
      title: `摘要片段 ${han}`,
      body: `${'丙'.repeat(200)}${han.slice(2)}${'丁'.repeat(10)}`,
    });
    await ctx.worker.drainNow();
    const snippets = new Map((await search(word)).hits.map((h) => [h.id, h.snippet]));
    expect(snippets.get(near.id)).toBe(`一二三<mark>${word}</mark>四五六`);
    expect(snippets.get(far.id)).toBe(`…${'甲'.repeat(SNIPPET_LEAD)}<mark>${word}</mark>${'乙'.repeat(SNIPPET_CHARS - SNIPPET_LEAD - word.length)}…`);
    const pieceHit = (await search(han)).hits.find((h) => h.id === piece.id);
    expect(pieceHit?.snippet).toBe(`…${'丙'.repeat(SNIPPET_LEAD)}<mark>${han.slice(2)}</mark>${'丁'.repeat(10)}`);
  });

  it('cuts the snippet in PostgreSQL when the words are past the indexed head: the whole word before its pieces, deep words too', async () => {
    const han = uniqueHanWord();
    const word = uniqueWord();
    // A piece of the Chinese word early, the whole word later: both past the head the index keeps.
    const pieces = await buildDocument(ctx.services, admin, {
      organ_id: organId,
      title: `摘要过长 ${han}`,
      body: `${'戊'.repeat(1100)}${han.slice(2)}${'戊'.repeat(1900)}${han}${'己'.repeat(200)}`,
    });
    // Only past the first 6,000 characters, which PostgreSQL searches for every piece.
    const deep = await buildDocument(ctx.services, admin, {
      organ_id: organId,
      title: `摘要更深 ${word}`,
      body: `${'庚'.repeat(7000)}${word}${'辛'.repeat(50)}`,
    });
    await ctx.worker.drainNow();
    const hanHit = (await search(han)).hits.find((h) => h.id === pieces.id);
    expect(hanHit?.snippet).toBe(`…${'戊'.repeat(SNIPPET_LEAD)}<mark>${han}</mark>${'己'.repeat(SNIPPET_CHARS - SNIPPET_LEAD - han.length)}…`);
    const deepHit = (await search(word)).hits.find((h) => h.id === deep.id);
    expect(deepHit?.snippet).toBe(`…${'庚'.repeat(SNIPPET_LEAD)}<mark>${word}</mark>${'辛'.repeat(50)}`);
  });

  it('answers searches made at once as it answers each alone (one request to Meilisearch among others, two alone)', async () => {
    const word = uniqueWord();
    await buildDocument(ctx.services, admin, { organ_id: organId, title: `同时检索 ${word}`, published_on: '2020-01-01' });
    await buildDocument(ctx.services, admin, { organ_id: organId, title: `同时检索已失效 ${word}`, published_on: '2020-01-01', expires_on: '2021-01-01' });
    const numbered = await buildDocument(ctx.services, admin, {
      organ_id: organId,
      doc_number: '检政发〔2019〕77号',
      title: `同时检索有文号 ${word}`,
      published_on: '2019-03-01',
    });
    await ctx.worker.drainNow();
    const queries: [string, Partial<SearchParams>][] = [[word, {}], [word, { status: ['expired'] }], ['检政发[2019]77号', {}], [word, { sort: 'date', page: 2, page_size: 1 }]];
    const requests = vi.spyOn(ctx.indexes.client, 'multiSearch');
    try {
      const alone = [];
      for (const [q, extra] of queries) alone.push(await search(q, extra));
      const sentAlone = requests.mock.calls.length;
      expect(alone[0]!.total).toBe(3);
      expect(alone[2]!.hits[0]!.id).toBe(numbered.id);
      expect(await Promise.all(queries.map(([q, extra]) => search(q, extra)))).toEqual(alone);
      // Two requests each alone; at once, the searches after the first sent one each.
      expect(sentAlone).toBe(2 * queries.length);
      expect(requests.mock.calls.length - sentAlone).toBe(queries.length + 1);
    } finally {
      requests.mockRestore();
    }
  });

  it('finds every word of a text longer than Meilisearch indexes in one attribute', async () => {
    const early = uniqueWord();
    const late = uniqueWord();
    const last = uniqueWord();
    const filler = '本条规定适用于全县范围内的行政规范性文件管理工作。'.repeat(Math.ceil((TEXT_PART_CHARS * (TEXT_PARTS + 1)) / 25));
    const body = `${early}\n${filler}\n${late}\n${filler}\n${last}`;
    expect(body.length).toBeGreaterThan(TEXT_PART_CHARS * TEXT_PARTS * 2);
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId, title: '一份很长的文件', body });
    await ctx.worker.drainNow();
    for (const word of [early, late, last]) {
      const result = await search(word);
      expect(ids(result), word).toEqual([doc.id]);
      expect(result.total).toBe(1);
      // The snippet shows where the word is, however deep in the text.
      expect(result.hits[0]!.snippet).toContain(`<mark>${word}</mark>`);
    }
  });

  it('shows each hit from its record: the title and 文号 as written, the lead organ, the status of today', async () => {
    const word = uniqueWord();
    const co = (await buildOrgan(ctx.services, admin, { name: `联合机关${word}` })).id;
    const doc = await buildDocument(ctx.services, admin, {
      organ_id: organId,
      co_organ_ids: [co],
      doc_number: '检政发〔２０２４〕３号',
      title: `关于２０２４年　春耕生产的通知 ${word}`,
      published_on: '2024-03-01',
      expires_on: '2026-06-14',
    });
    await ctx.worker.drainNow();
    const hit = (await search(word)).hits[0]!;
    expect(hit).toMatchObject({ id: doc.id, title: doc.title, doc_number: doc.doc_number, organ_name: '检索测试县人民政府', status: 'expired' });
    expect(hit.title).toContain('２０２４');
  });

  it('shows the public what PostgreSQL says while the index lags: a withdrawn document goes, a corrected title shows', async () => {
    const word = uniqueWord();
    const withdrawn = await buildDocument(ctx.services, admin, { organ_id: organId, title: `误发布的文件 ${word}` });
    const corrected = await buildDocument(ctx.services, admin, { organ_id: organId, title: `标题有误的文件 ${word}` });
    await ctx.worker.drainNow();
    await ctx.services.documents.update(admin, withdrawn.id, { published_on: null });
    await ctx.services.documents.update(admin, corrected.id, { title: `标题已更正的文件 ${word}` });
    // Nothing applied to the index yet.
    expect(Number((await ctx.db.selectFrom('index_jobs').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)).toBeGreaterThan(0);
    const result = await search(word);
    expect(ids(result)).toEqual([corrected.id]);
    expect(result.hits[0]).toMatchObject({ title: `标题已更正的文件 ${word}` });
    expect(result.hits[0]!.title_html).toContain('标题已更正');
    // Staff see the draft, as the index has it until the worker catches up.
    expect(ids(await search(word, {}, compiler)).sort()).toEqual([withdrawn.id, corrected.id].sort());
    await ctx.worker.drainNow();
  });

  it('indexes a document whose term runs to the last day of the calendar', async () => {
    const word = uniqueWord();
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId, title: `长期有效 ${word}`, expires_on: '9999-12-31' });
    await ctx.worker.drainNow();
    expect((await search(word)).hits).toMatchObject([{ id: doc.id, status: 'in_force' }]);
  });

  it('shows only published documents to the public; staff see drafts', async () => {
    const word = uniqueWord();
    const published = await buildDocument(ctx.services, admin, { organ_id: organId, title: `已发布 ${word}` });
    const draft = await buildDocument(ctx.services, admin, { organ_id: organId, title: `草稿 ${word}`, published_on: null });
    const future = await buildDocument(ctx.services, admin, { organ_id: organId, title: `将发布 ${word}`, published_on: '2026-07-01' });
    await ctx.worker.drainNow();
    expect(ids(await search(word))).toEqual([published.id]);
    const staff = await search(word, {}, compiler);
    expect(ids(staff).sort()).toEqual([published.id, draft.id, future.id].sort());
    expect(staff.hits.find((h) => h.id === draft.id)?.status).toBe('draft');
    expect(ids(await search(word, { status: ['draft'] }, compiler)).sort()).toEqual([draft.id, future.id].sort());
    await expect(ctx.services.search.search(null, { q: word, status: ['draft'], sort: 'relevance', page: 1, page_size: 20 })).rejects.toMatchObject({
      status: 403,
    });
  });
});

describe('文号 search', () => {
  let target: number;
  let citing: number;
  let interpretation: number;
  /** 规章 by their 令号 as written. */
  const orders = new Map<string, number>();
  beforeAll(async () => {
    const make = (doc_number: string, title: string, body = '') =>
      buildDocument(ctx.services, admin, { organ_id: organId, doc_number, title, body, signed_on: '2023-02-01', published_on: '2023-02-10' });
    target = (await make('检政发〔2023〕12号', '关于印发乡村振兴若干措施的通知')).id;
    await make('检政发〔2023〕120号', '关于印发检察工作要点的通知');
    await make('检政发〔2023〕2号', '关于做好春季农业生产的通知');
    await make('检政发〔2023〕1号', '关于2023年12号台风防御工作的通知');
    citing = (await buildDocument(ctx.services, admin, {
      organ_id: organId,
      title: '关于修改部分文件的决定',
      body: '现决定对《关于印发乡村振兴若干措施的通知》（检政发〔2023〕12号）作如下修改。',
    })).id;
    interpretation = (await buildInterpretation(ctx.services, admin, [target], { title: '乡村振兴若干措施政策问答' })).id;
    // Neighbours of each 令号, some newer: a serial that starts the same, a shorter one, the same serial in another year.
    for (const [doc_number, title, signed_on] of [
      ['检索县人民政府令第27号', '检索县城市绿化管理办法', '2024-02-01'],
      ['检索县人民政府令第270号', '检索县城市供水管理办法', '2024-03-01'],
      ['检索县人民政府令第2号', '检索县城市道路管理办法', '2024-01-01'],
      ['检索县自然资源局令2024年第3号', '检索县耕地保护办法', '2024-02-01'],
      ['检索县自然资源局令2023年第3号', '检索县矿产资源管理办法', '2023-02-01'],
      ['检索县自然资源局令2024年第30号', '检索县地质灾害防治办法', '2024-03-01'],
    ] as const) {
      const rule = await buildDocument(ctx.services, admin, { organ_id: organId, kind: 'rule', doc_number, title, signed_on, published_on: signed_on });
      orders.set(doc_number, rule.id);
    }
    await ctx.worker.drainNow();
  });

  it.each([
    '检政发〔2023〕12号',
    '检政发[2023]12号',
    '检政发【2023】12号',
    '检政发(2023)12号',
    '检政发（2023）12号',
    '检政发［2023］12号',
    '检政发2023年12号',
    '检政发〔2023〕第12号',
    '检政发〔２０２３〕１２号',
    '检政发〔2023〕012号',
    '检政发202312号',
    '检政发 2023 12号',
    ' 检政发〔2023〕12號 ',
  ])('%s returns that document first', async (q) => {
    const result = await search(q);
    expect(result.mode).toBe('full');
    expect(result.doc_number).toBe('检政发〔2023〕12号');
    expect(result.hits[0]).toMatchObject({ type: 'document', id: target, doc_number: '检政发〔2023〕12号' });
    // 120号 and 2号 are other documents: never before the one asked for.
    expect(result.hits.filter((h) => h.doc_number === '检政发〔2023〕12号')).toHaveLength(1);
  });

  it.each([
    ['检索县人民政府令第27号', '检索县人民政府令第27号'],
    ['检索县人民政府第27号令', '检索县人民政府令第27号'],
    ['检索县人民政府令27号', '检索县人民政府令第27号'],
    ['检索县人民政府令第027号', '检索县人民政府令第27号'],
    ['检索县人民政府令第２７号', '检索县人民政府令第27号'],
    ['检索县人民政府令 第 27 號', '检索县人民政府令第27号'],
    ['检索县人民政府令第二十七号', '检索县人民政府令第27号'],
    ['检索县自然资源局令2024年第3号', '检索县自然资源局令2024年第3号'],
    ['检索县自然资源局令〔2024〕第3号', '检索县自然资源局令2024年第3号'],
    ['检索县自然资源局令[2024]3号', '检索县自然资源局令2024年第3号'],
    ['检索县自然资源局令2024年3号', '检索县自然资源局令2024年第3号'],
    ['检索县自然资源局令（２０２４）第３号', '检索县自然资源局令2024年第3号'],
  ])('令号 %s returns that rule first', async (q, docNumber) => {
    const result = await search(q);
    expect(result.doc_number).toBe(docNumber);
    expect(result.hits[0]).toMatchObject({ type: 'document', id: orders.get(docNumber), kind: 'rule', doc_number: docNumber });
    expect(result.hits.filter((h) => h.doc_number === docNumber)).toHaveLength(1);
  });

  it('puts the document of the 文号 or 令号 first when sorted by date too, before newer ones that match the words', async () => {
    const expected: [string, number][] = [
      ['检政发[2023]12号', target],
      ['检索县人民政府第27号令', orders.get('检索县人民政府令第27号')!],
      ['检索县自然资源局令2024年3号', orders.get('检索县自然资源局令2024年第3号')!],
    ];
    for (const [q, id] of expected) {
      const result = await search(q, { sort: 'date' });
      expect(result.hits[0], q).toMatchObject({ type: 'document', id });
      expect(result.total, q).toBeGreaterThan(1);
    }
  });

  it('finds the interpretation of the document by the document\'s 文号, after the document', async () => {
    for (const q of ['检政发〔2023〕12号', '检政发[2023]12号']) {
      const result = await search(q);
      expect(result.hits[0], q).toMatchObject({ type: 'document', id: target });
      expect(ids(result, 'interpretation'), q).toContain(interpretation);
    }
  });

  it('also lists the documents that cite it, after it', async () => {
    const result = await search('检政发[2023]12号');
    const order = ids(result);
    expect(order[0]).toBe(target);
    expect(order).toContain(citing);
  });

  it('keeps the pinned document out of later pages and counts it once', async () => {
    const first = await search('检政发〔2023〕12号', { page_size: 1 });
    const second = await search('检政发〔2023〕12号', { page_size: 1, page: 2 });
    expect(first.hits.map((h) => h.id)).toEqual([target]);
    expect(second.hits.map((h) => h.id)).not.toContain(target);
    expect(second.total).toBe(first.total);
    const all = await search('检政发〔2023〕12号', { page_size: 100 });
    expect(all.total).toBe(all.hits.length);
    expect(new Set(all.hits.map((h) => `${h.type}${h.id}`)).size).toBe(all.hits.length);
  });

  it('respects the filters: a pinned document outside them is not shown', async () => {
    const result = await search('检政发〔2023〕12号', { status: ['repealed'] });
    expect(ids(result)).not.toContain(target);
    const facets = (await search('检政发〔2023〕12号')).facets;
    expect(facets.status?.find((s) => s.value === 'in_force')?.count).toBeGreaterThanOrEqual(1);
  });
});

describe('status at query time', () => {
  it('a document whose term ended yesterday is expired today, with nothing reindexed', async () => {
    const word = uniqueWord();
    clock.set('2026-06-14');
    const doc = await buildDocument(ctx.services, admin, {
      organ_id: organId,
      title: `有效期至昨天的文件 ${word}`,
      published_on: '2024-06-15',
      expires_on: '2026-06-14',
    });
    await ctx.worker.drainNow();
    const before = await search(word);
    expect(before.hits[0]).toMatchObject({ id: doc.id, status: 'in_force' });
    expect(ids(await search(word, { status: ['in_force'] }))).toEqual([doc.id]);

    clock.set('2026-06-15');
    expect(await ctx.db.selectFrom('index_jobs').select('id').where('entity_id', '=', doc.id).execute()).toEqual([]);
    const after = await search(word);
    expect(after.hits[0]).toMatchObject({ id: doc.id, status: 'expired', status_label: '已失效' });
    expect(ids(await search(word, { status: ['in_force'] }))).toEqual([]);
    expect(ids(await search(word, { status: ['expired'] }))).toEqual([doc.id]);
    expect(after.facets.status).toEqual([{ value: 'expired', label: '已失效', count: 1 }]);
  });

  it('not yet effective, in force, repealed: the filter and the label follow the day', async () => {
    const word = uniqueWord();
    clock.set('2026-06-15');
    const upcoming = await buildDocument(ctx.services, admin, {
      organ_id: organId,
      title: `即将施行 ${word}`,
      published_on: '2026-06-01',
      effective_on: '2026-07-01',
    });
    const repealed = await buildDocument(ctx.services, admin, { organ_id: organId, title: `将被废止 ${word}`, published_on: '2020-01-01' });
    await ctx.services.documents.repeal(admin, repealed.id, { repealed_on: '2026-06-20' });
    await ctx.worker.drainNow();
    const statusOf = async (id: number) => (await search(word)).hits.find((h) => h.id === id)?.status;
    expect(await statusOf(upcoming.id)).toBe('not_yet_effective');
    expect(await statusOf(repealed.id)).toBe('in_force');
    clock.set('2026-07-01');
    expect(await statusOf(upcoming.id)).toBe('in_force');
    expect(await statusOf(repealed.id)).toBe('repealed');
    expect(ids(await search(word, { status: ['in_force'] }))).toEqual([upcoming.id]);
    expect(ids(await search(word, { status: ['repealed'] }))).toEqual([repealed.id]);
    const facets = (await search(word)).facets.status;
    expect(facets).toEqual([
      { value: 'in_force', label: '现行有效', count: 1 },
      { value: 'repealed', label: '已废止', count: 1 },
    ]);
    clock.set('2026-06-15');
  });
});

describe('status counts from the indexed status period', () => {
  const record = (id: number) => ctx.indexes.client.index<SearchRecord>(ctx.indexes.search).getDocument(`d${id}-0`);
  const statusFacet = async (word: string) => (await search(word)).facets.status;

  it('counts a status that ran out since indexing as of today, and the worker rewrites it once the day has come', async () => {
    const word = uniqueWord();
    clock.set('2026-06-14');
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId, title: `今天到期 ${word}`, published_on: '2025-01-01', expires_on: '2026-06-14' });
    await buildDocument(ctx.services, admin, { organ_id: organId, title: `长期有效 ${word}`, published_on: '2025-01-01' });
    await ctx.worker.drainNow();
    expect(await record(doc.id)).toMatchObject({ status: 'in_force', fresh_from: 20250101, fresh_until: 20260615 });
    expect(await statusFacet(word)).toEqual([{ value: 'in_force', label: '现行有效', count: 2 }]);

    clock.set('2026-06-15');
    // What tells a search whether it must look for stale records at all.
    expect(await countStaleDocuments(ctx.indexes.client, ctx.indexes.search, '2026-06-15')).toBeGreaterThan(0);
    expect(await statusFacet(word)).toEqual([
      { value: 'in_force', label: '现行有效', count: 1 },
      { value: 'expired', label: '已失效', count: 1 },
    ]);
    await ctx.worker.drainNow();
    expect(await countStaleDocuments(ctx.indexes.client, ctx.indexes.search, '2026-06-15')).toBe(0);
    expect(await record(doc.id)).toMatchObject({ status: 'expired', fresh_from: 20260615, fresh_until: NO_END });
    expect(await statusFacet(word)).toEqual([
      { value: 'in_force', label: '现行有效', count: 1 },
      { value: 'expired', label: '已失效', count: 1 },
    ]);
    clock.set('2026-06-15');
  });

  it('counts records indexed before they carried a status, and the worker adds it', async () => {
    const word = uniqueWord();
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId, title: `旧索引记录 ${word}`, published_on: '2020-01-01' });
    await ctx.services.documents.repeal(admin, doc.id, { repealed_on: '2021-01-01' });
    await ctx.worker.drainNow();
    const { status: _s, fresh_from: _f, fresh_until: _u, display_doc_number: _n, display_organ_name: _o, ...old } =
      await record(doc.id);
    await waitForTasks([ctx.indexes.client.index(ctx.indexes.search).addDocuments([old])]);
    expect(await record(doc.id)).not.toHaveProperty('status');
    // Such records are met by a process started after the upgrade, which has not yet found the index fresh.
    const upgraded = createSearchService({ db: ctx.db, indexes: ctx.indexes, clock });
    const { facets, hits } = await upgraded.search(null, { q: word, sort: 'relevance', page: 1, page_size: 20 });
    expect(facets.status).toEqual([{ value: 'repealed', label: '已废止', count: 1 }]);
    expect(hits[0]).toMatchObject({ title: doc.title, status: 'repealed' });
    clock.set('2026-06-16');
    await ctx.worker.drainNow();
    expect(await record(doc.id)).toMatchObject({ status: 'repealed', fresh_from: 20210101 });
    clock.set('2026-06-15');
  });

  it('makes a title findable through its related records only once it is published', async () => {
    const word = uniqueWord();
    const later = uniqueWord();
    clock.set('2026-06-15');
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId, title: `关于农机补贴的通知 ${word}`, published_on: '2026-06-01' });
    const interpretation = await buildInterpretation(ctx.services, admin, [doc.id], { title: `农机补贴政策问答 ${later}`, published_on: '2026-06-16' });
    const scheduled = await buildDocument(ctx.services, admin, { organ_id: organId, title: `关于农机报废更新的通知 ${later}`, published_on: '2026-06-16' });
    const published = await buildInterpretation(ctx.services, admin, [scheduled.id, doc.id], { title: `农机政策汇总解读 ${word}`, published_on: '2026-06-10' });
    await ctx.worker.drainNow();
    // Nothing public carries the words of what is published tomorrow, not even the records it is linked to.
    expect((await search(later)).hits).toEqual([]);
    expect(await record(doc.id)).toMatchObject({ fresh_until: 20260616 });

    clock.set('2026-06-16');
    await ctx.worker.drainNow();
    const found = await search(later);
    expect(ids(found).sort()).toEqual([doc.id, scheduled.id].sort());
    expect(ids(found, 'interpretation').sort()).toEqual([interpretation.id, published.id].sort());
    expect(await record(doc.id)).toMatchObject({ fresh_from: 20260616, fresh_until: NO_END });
    clock.set('2026-06-15');
  });

  it(`counts each status by its dates when more than ${MAX_STALE} records are stale`, async () => {
    const word = uniqueWord();
    clock.set('2026-06-10');
    for (let i = 0; i < MAX_STALE + 2; i++) {
      await buildDocument(ctx.services, admin, { organ_id: organId, title: `批量到期 ${word} ${i}`, published_on: '2025-01-01', expires_on: '2026-06-12' });
    }
    await buildDocument(ctx.services, admin, { organ_id: organId, title: `批量施行 ${word}`, published_on: '2026-06-01', effective_on: '2026-07-01' });
    await ctx.worker.drainNow();
    clock.set('2026-06-20');
    expect((await search(word, { page_size: 1 })).total).toBe(MAX_STALE + 3);
    expect(await statusFacet(word)).toEqual([
      { value: 'not_yet_effective', label: '尚未施行', count: 1 },
      { value: 'expired', label: '已失效', count: MAX_STALE + 2 },
    ]);
    clock.set('2026-06-15');
  });
});

describe('filters, facets, sorting and paging', () => {
  it('filters by kind, organ, topic and year and counts each facet', async () => {
    const word = uniqueWord();
    const other = (await buildOrgan(ctx.services, admin, { name: `另一机关${word}` })).id;
    const a = await buildDocument(ctx.services, admin, {
      organ_id: organId, kind: 'rule', title: `规章 ${word}`, topics: ['生态环境'], signed_on: '2022-03-01', published_on: '2022-03-05',
    });
    const b = await buildDocument(ctx.services, admin, {
      organ_id: other, title: `文件 ${word}`, topics: ['安全生产'], signed_on: '2023-03-01', published_on: '2023-03-05',
    });
    const c = await buildDocument(ctx.services, admin, {
      organ_id: organId, co_organ_ids: [other], title: `联合发文 ${word}`, topics: ['生态环境', '安全生产'], published_on: '2024-01-02',
    });
    const i = await buildInterpretation(ctx.services, admin, [b.id], { title: `解读 ${word}`, published_on: '2023-03-06' });
    await ctx.worker.drainNow();

    const all = await search(word);
    expect(all.total).toBe(4);
    expect(all.facets.kind).toEqual(
      expect.arrayContaining([
        { value: 'normative', label: '行政规范性文件', count: 2 },
        { value: 'rule', label: '规章', count: 1 },
        { value: 'interpretation', label: '政策解读', count: 1 },
      ]),
    );
    expect(all.facets.organ_id).toEqual(
      expect.arrayContaining([
        { value: organId, label: '检索测试县人民政府', count: 2 },
        { value: other, label: `另一机关${word}`, count: 3 },
      ]),
    );
    expect(all.facets.topic).toEqual(expect.arrayContaining([{ value: '生态环境', label: '生态环境', count: 2 }]));
    expect(all.facets.year?.map((y) => y.value)).toEqual([2024, 2023, 2022]);

    expect(ids(await search(word, { kind: ['rule'] }))).toEqual([a.id]);
    expect(ids(await search(word, { kind: ['interpretation'] }), 'interpretation')).toEqual([i.id]);
    expect(ids(await search(word, { organ_id: [other] })).sort()).toEqual([b.id, c.id].sort());
    expect(ids(await search(word, { topic: ['安全生产'] })).sort()).toEqual([b.id, c.id].sort());
    expect(ids(await search(word, { year: [2022, 2024] })).sort()).toEqual([a.id, c.id].sort());
    // A topic value with a quote is a value, not a filter expression.
    expect((await search(word, { topic: ['生态"] OR kind = "rule'] })).total).toBe(0);
  });

  it('sorts by date even where relevance says otherwise: a newer document with the word only in its text comes first', async () => {
    const word = uniqueWord();
    const older = await buildDocument(ctx.services, admin, { organ_id: organId, title: `标题含检索词 ${word}`, body: '第一条 总则。', published_on: '2021-03-01' });
    const newer = await buildDocument(ctx.services, admin, { organ_id: organId, title: '标题不含检索词', body: `第一条 ${word}。`, published_on: '2024-03-01' });
    await ctx.worker.drainNow();
    expect(ids(await search(word, { sort: 'relevance' }))).toEqual([older.id, newer.id]);
    expect(ids(await search(word, { sort: 'date' }))).toEqual([newer.id, older.id]);
  });

  it('sorts by date, newest first, and pages without overlap', async () => {
    const word = uniqueWord();
    const made = [];
    for (const day of ['2021-01-05', '2023-07-01', '2022-02-02', '2025-05-05', '2024-04-04']) {
      made.push(await buildDocument(ctx.services, admin, { organ_id: organId, title: `排序 ${word}`, published_on: day }));
    }
    await ctx.worker.drainNow();
    const byDate = await search(word, { sort: 'date' });
    expect(byDate.hits.map((h) => h.published_on)).toEqual(['2025-05-05', '2024-04-04', '2023-07-01', '2022-02-02', '2021-01-05']);
    const pages = [1, 2, 3].map((page) => search(word, { sort: 'date', page, page_size: 2 }));
    const seen = (await Promise.all(pages)).flatMap((r) => r.hits.map((h) => h.id));
    expect(seen).toEqual(byDate.hits.map((h) => h.id));
  });
});

describe('index settings', () => {
  it('are those the search relies on', async () => {
    // The worker creates the index with its first job.
    await buildDocument(ctx.services, admin, { organ_id: organId, title: '索引设置' });
    await ctx.worker.drainNow();
    const settings = await ctx.indexes.client.index(ctx.indexes.search).getSettings();
    expect(settings.searchableAttributes, 'searchable attributes, the title first').toEqual([
      'title', 'doc_number_search', 'organ_names', 'topics', 'related_titles', ...Array.from({ length: TEXT_PARTS }, (_, i) => `text_${i}`),
    ]);
    expect(settings.filterableAttributes, 'what the filters, the 文号 pin and the status by date filter on').toEqual(
      expect.arrayContaining(['type', 'kind', 'organ_ids', 'topics', 'year', 'doc_number_key', 'published_on', 'effective_on', 'expires_on', 'repealed_on']),
    );
    expect(settings.sortableAttributes, 'sort by date').toEqual(expect.arrayContaining(['published_on', 'signed_on']));
    expect(settings.localizedAttributes, 'every attribute segmented as Chinese').toEqual([{ attributePatterns: ['*'], locales: ['zho'] }]);
    expect(settings.typoTolerance, 'no typos in 文号 or numbers').toMatchObject({ disableOnAttributes: ['doc_number_search'], disableOnNumbers: true });
    expect(settings.rankingRules?.[0], "'sort' first, or a sort by date with a query follows relevance").toBe('sort');
    expect(settings.distinctAttribute, 'one hit per document, however many records its text takes').toBe('group');
  });

  it('finds a 文号 and a number as typed, not the one a digit away', async () => {
    const make = (doc_number: string | null, title: string, body = '') =>
      buildDocument(ctx.services, admin, { organ_id: organId, doc_number, title, body, signed_on: '2023-05-01', published_on: '2023-05-10' });
    // Meilisearch allows a typo from 5 characters on, so 5-digit serials.
    const asked = await make('检财发〔2023〕10234号', '关于下达专项资金的通知');
    await make('检财发〔2023〕10235号', '关于调整专项资金的通知');
    const numbered = await make(null, '关于项目备案的通知', '备案编号：31415926。');
    await make(null, '关于另一项目备案的通知', '备案编号：31415927。');
    await ctx.worker.drainNow();
    const byDocNumber = await search('检财发〔2023〕10234号');
    expect(byDocNumber.hits[0]).toMatchObject({ id: asked.id });
    expect(byDocNumber.hits.map((h) => h.doc_number)).not.toContain('检财发〔2023〕10235号');
    expect(ids(await search('31415926'))).toEqual([numbered.id]);
  });

  it('finds a number written against Han characters, by itself or as written', async () => {
    const make = (title: string, body: string) => buildDocument(ctx.services, admin, { organ_id: organId, title, body });
    const glued = await make('关于5772156项目资金的通知', '项目编号27182818的申报材料于第17条所列日期前报送。');
    const spaced = await make('关于 5772157 项目资金的通知', '项目编号 27182819 的申报材料报送。');
    await ctx.worker.drainNow();
    expect(ids(await search('27182818'))).toEqual([glued.id]);
    expect(ids(await search('项目编号27182818'))[0]).toBe(glued.id);
    expect(ids(await search('项目编号２７１８２８１８'))[0], 'full-width digits').toBe(glued.id);
    expect(ids(await search('２７１８２８１８')), 'full-width digits alone').toEqual([glued.id]);
    expect(ids(await search('5772156'))).toEqual([glued.id]);
    expect(ids(await search('5772157项目'))[0]).toBe(spaced.id);
    expect(ids(await search('27182819'))).toEqual([spaced.id]);
    // The snippet still shows the text as written.
    expect((await search('27182818')).hits[0]!.snippet).toContain('项目编号<mark>27182818</mark>的申报');
  });

  it('segments a Chinese title as Chinese although it names a company in kana', async () => {
    // Left to detect the language, Meilisearch reads text with kana as Japanese and cuts its Chinese words apart.
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId, title: '关于支持パナソニック公司在本县投资建设新能源汽车项目的通知' });
    await ctx.worker.drainNow();
    for (const q of ['新能源汽车', '投资建设']) expect(ids(await search(q)), q).toContain(doc.id);
  });
});

describe('escaping', () => {
  it('a title and body with markup come back as text, only our <mark> is HTML', async () => {
    const word = uniqueWord();
    const doc = await buildDocument(ctx.services, admin, {
      organ_id: organId,
      title: `<img src=x onerror=alert(1)> ${word}`,
      body: `<script>alert("body")</script> ${word} \uE000假标记\uE001 & "引号"`,
    });
    await ctx.worker.drainNow();
    const hit = (await search(word)).hits.find((h) => h.id === doc.id)!;
    expect(hit.title).toBe(`<img src=x onerror=alert(1)> ${word}`);
    expect(hit.title_html).toBe(`&lt;img src=x onerror=alert(1)&gt; <mark>${word}</mark>`);
    expect(hit.snippet).toContain('&lt;script&gt;alert(&quot;body&quot;)&lt;/script&gt;');
    expect(hit.snippet).toContain(`<mark>${word}</mark>`);
    expect(hit.snippet.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
    expect(hit.snippet).toContain('&amp;');
    expect(hit.snippet).not.toMatch(/[\uE000\uE001]/);
  });
});

describe('the status filter agrees with documentStatusAsOf', () => {
  it('for every status, on days around each boundary', async () => {
    const word = uniqueWord();
    clock.set('2026-06-15');
    const specs = [
      { published_on: '2020-01-01' },
      { published_on: '2020-01-01', effective_on: '2020-03-01', expires_on: '2024-12-31' },
      { published_on: '2020-01-01', expires_on: '2023-06-30', repeal: '2023-06-30' },
      { published_on: '2020-01-01', expires_on: '2022-12-31', repeal: '2024-01-01' },
      { published_on: '2022-05-01', effective_on: '2022-07-01' },
      { published_on: '2022-05-01', effective_on: '2022-07-01', repeal: '2022-06-01' },
      { published_on: '2023-09-01', signed_on: '2023-08-01', expires_on: '2023-09-30' },
    ];
    const docs = [];
    for (const { repeal, ...dates } of specs) {
      const doc = await buildDocument(ctx.services, admin, { organ_id: organId, title: `状态表 ${word}`, ...dates });
      if (repeal) await ctx.services.documents.repeal(admin, doc.id, { repealed_on: repeal });
      docs.push(await ctx.services.documents.get(admin, doc.id));
    }
    await ctx.worker.drainNow();
    const days = ['2019-12-31', '2020-01-01', '2020-02-29', '2020-03-01', '2022-06-01', '2022-07-01', '2022-12-31', '2023-01-01', '2023-06-30',
      '2023-07-01', '2023-09-30', '2023-10-01', '2024-01-01', '2024-12-31', '2025-01-01'];
    for (const day of days) {
      clock.set(day);
      for (const status of ['in_force', 'not_yet_effective', 'expired', 'repealed'] as const) {
        const expected = docs.filter((d) => documentStatusAsOf(d, day) === status).map((d) => d.id).sort();
        const found = ids(await search(word, { status: [status], page_size: 50 })).sort();
        expect(found, `${status} on ${day}`).toEqual(expected);
      }
      const facets = (await search(word, { page_size: 50 })).facets.status ?? [];
      for (const f of facets) expect(f.count, `${f.value} count on ${day}`).toBe(docs.filter((d) => documentStatusAsOf(d, day) === f.value).length);
    }
    clock.set('2026-06-15');
  });
});
