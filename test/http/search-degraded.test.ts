import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import { createMeiliClient } from '../../src/platform/meili.js';
import { createLocalStorage } from '../../src/platform/storage.js';
import type { Actor } from '../../src/features/accounts/actor.js';
import { fixedClock } from '../../src/platform/clock.js';
import { createIndexWorker, type IndexWorker } from '../../src/features/search/index-worker.js';
import { createServices } from '../../src/services.js';
import { indexNames, type SearchIndexes } from '../../src/features/search/search-index.js';
import { RETRY_MEILI_AFTER_MS } from '../../src/features/search/search.service.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { buildDocument, buildInterpretation, buildOrgan } from '../support/factories.js';
import { uniqueWord } from '../support/search.js';

const clock = fixedClock('2026-06-15');
let ctx: TestContext;
let admin: Actor;
let organId: number;
let storageDir: string;
/** The same database, with Meilisearch gone: a closed port, as in an outage. */
let down: supertest.Agent;
let downWorker: IndexWorker;
/** An app whose search can be pointed at the real Meilisearch or at the closed port, to end an outage. */
let switchable: SearchIndexes;
let switchableApp: supertest.Agent;

beforeAll(async () => {
  ctx = await createTestContext({ clock });
  admin = (await ctx.user('admin')).actor;
  organId = (await buildOrgan(ctx.services, admin, { name: '停机测试县人民政府', doc_prefixes: ['停政发'] })).id;
  storageDir = await mkdtemp(path.join(os.tmpdir(), 'gfwj-down-'));
  const unreachable = indexNames(createMeiliClient('http://127.0.0.1:1', undefined), ctx.config.meili.indexPrefix);
  const services = createServices({ db: ctx.db, indexes: unreachable, storage: createLocalStorage(storageDir), clock });
  down = supertest.agent(createApp({ config: ctx.config, services, logger: createLogger('silent') }));
  downWorker = createIndexWorker({ db: ctx.db, indexes: unreachable, logger: createLogger('silent'), clock: ctx.clock });
  switchable = { ...unreachable };
  const switchableServices = createServices({ db: ctx.db, indexes: switchable, storage: createLocalStorage(storageDir), clock });
  switchableApp = supertest.agent(createApp({ config: ctx.config, services: switchableServices, logger: createLogger('silent') }));
});
afterAll(async () => {
  await downWorker?.stop();
  await ctx?.close();
  await rm(storageDir, { recursive: true, force: true });
});

const word = () => `停机${randomBytes(3).toString('hex')}`;

describe('while Meilisearch is down', () => {
  it('/healthz says degraded', async () => {
    const res = await down.get('/healthz').expect(503);
    expect(res.body).toEqual({ status: 'degraded', db: true, search: false });
  });

  it('the search API answers from PostgreSQL, labelled basic, with the same shape and rules', async () => {
    const w = word();
    const a = await buildDocument(ctx.services, admin, { organ_id: organId, title: `关于${w}的通知`, body: '第一条 适用范围。' });
    const b = await buildDocument(ctx.services, admin, { organ_id: organId, title: '另一份通知', body: `正文提到${w}。` });
    const draft = await buildDocument(ctx.services, admin, { organ_id: organId, title: `草稿${w}`, published_on: null });
    const repealed = await buildDocument(ctx.services, admin, { organ_id: organId, title: `已废止${w}`, published_on: '2020-01-01' });
    await ctx.services.documents.repeal(admin, repealed.id, { repealed_on: '2021-01-01' });
    const i = await buildInterpretation(ctx.services, admin, [a.id], { title: `解读${w}` });

    const res = await down.get(`/api/v1/search?q=${encodeURIComponent(w)}`).expect(200);
    expect(res.body.mode).toBe('basic');
    expect(res.body.facets).toEqual({});
    const found = res.body.hits.map((h: { type: string; id: number }) => `${h.type}:${h.id}`);
    // Title matches first, then text matches; interpretations after documents.
    expect(found).toEqual([`document:${a.id}`, `document:${repealed.id}`, `document:${b.id}`, `interpretation:${i.id}`].filter((x) => found.includes(x)));
    expect(found).toEqual(expect.arrayContaining([`document:${a.id}`, `document:${b.id}`, `document:${repealed.id}`, `interpretation:${i.id}`]));
    expect(found).not.toContain(`document:${draft.id}`);
    expect(res.body.total).toBe(4);
    const hitB = res.body.hits.find((h: { id: number; type: string }) => h.type === 'document' && h.id === b.id);
    expect(hitB.snippet).toContain(`<mark>${w}</mark>`);
    expect(hitB.status).toBe('in_force');

    const onlyRepealed = await down.get(`/api/v1/search?q=${encodeURIComponent(w)}&status=repealed`).expect(200);
    expect(onlyRepealed.body.hits.map((h: { id: number }) => h.id)).toEqual([repealed.id]);
    const paged = await down.get(`/api/v1/search?q=${encodeURIComponent(w)}&page=2&page_size=3`).expect(200);
    expect(paged.body.total).toBe(4);
    expect(paged.body.hits).toHaveLength(1);
  });

  it('finds a document by its 文号 in any spelling, first', async () => {
    const doc = await buildDocument(ctx.services, admin, {
      organ_id: organId, doc_number: '停政发〔2024〕7号', title: '停机时按文号查找', signed_on: '2024-01-01', published_on: '2024-01-05',
    });
    await buildDocument(ctx.services, admin, { organ_id: organId, title: '引用文件', body: '根据《停机时按文号查找》（停政发〔2024〕7号）……' });
    for (const q of ['停政发[2024]7号', '停政发（２０２４）００７号', '停政发202407号']) {
      const res = await down.get(`/api/v1/search?q=${encodeURIComponent(q)}`).expect(200);
      expect(res.body.mode).toBe('basic');
      expect(res.body.hits[0]).toMatchObject({ id: doc.id, doc_number: '停政发〔2024〕7号' });
      expect(res.body.total).toBe(2);
    }
  });

  it('filters interpretations by organ as the full index does: lead organ or co-issuer', async () => {
    const w = word();
    const coIssuer = await buildOrgan(ctx.services, admin, { name: `联合发文局${w}` });
    const joint = await buildDocument(ctx.services, admin, { organ_id: organId, co_organ_ids: [coIssuer.id], title: `联合文件${w}` });
    const i = await buildInterpretation(ctx.services, admin, [joint.id], { title: `联合解读${w}` });
    const res = await down.get(`/api/v1/search?q=${encodeURIComponent(w)}&organ_id=${coIssuer.id}`).expect(200);
    expect(res.body.mode).toBe('basic');
    expect(res.body.hits.map((h: { type: string; id: number }) => `${h.type}${h.id}`).sort()).toEqual([`document${joint.id}`, `interpretation${i.id}`].sort());
  });

  it('takes scope, type and the date ranges as the full search does', async () => {
    const w = word();
    const titled = await buildDocument(ctx.services, admin, { organ_id: organId, title: `标题${w}`, signed_on: '2022-05-01', published_on: '2022-05-10' });
    const bodied = await buildDocument(ctx.services, admin, { organ_id: organId, title: '正文文件', body: `正文${w}`, signed_on: '2024-05-01', published_on: '2024-05-10' });
    const i = await buildInterpretation(ctx.services, admin, [titled.id], { title: `解读${w}`, published_on: '2024-06-01' });
    const keys = async (extra: string) =>
      (await down.get(`/api/v1/search?q=${encodeURIComponent(w)}${extra}`).expect(200)).body.hits.map((h: { type: string; id: number }) => `${h.type}:${h.id}`).sort();
    expect(await keys('&scope=title')).toEqual([`document:${titled.id}`, `interpretation:${i.id}`].sort());
    expect(await keys('&type=document')).toEqual([`document:${titled.id}`, `document:${bodied.id}`].sort());
    expect(await keys('&type=interpretation')).toEqual([`interpretation:${i.id}`]);
    expect(await keys('&signed_from=2023-01-01')).toEqual([`document:${bodied.id}`]);
    expect(await keys('&published_from=2024-05-11')).toEqual([`interpretation:${i.id}`]);
    expect(await keys('&published_to=2022-05-10')).toEqual([`document:${titled.id}`]);
  });

  it('treats % and _ in the query as text, not wildcards', async () => {
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId, title: '增长50%_目标的通知' });
    const hits = async (q: string) =>
      (await down.get(`/api/v1/search?q=${encodeURIComponent(q)}`).expect(200)).body.hits.map((h: { id: number }) => h.id);
    expect(await hits('50%_目标')).toEqual([doc.id]);
    expect(await hits('%')).toEqual([doc.id]);
    expect(await hits('_')).toEqual([doc.id]);
  });

  it('the results page shows the basic-search banner, and titles and snippets as text', async () => {
    const w = word();
    const doc = await buildDocument(ctx.services, admin, {
      organ_id: organId,
      title: `停机页面${w}<img src=x onerror=alert(1)>`,
      body: `第一条 ${w}<script>alert(1)</script>`,
    });
    const res = await down.get(`/search?q=${encodeURIComponent(w)}`).set('Accept', 'text/html').expect(200);
    expect(res.text).toContain('<strong>简易检索：</strong>全文检索服务暂时不可用');
    expect(res.text).toContain('共 1 条结果');
    expect(res.text).not.toMatch(/<img src=x|<script>alert/);
    const hit = res.text.match(new RegExp(`<h3><a href="/documents/${doc.id}">([\\s\\S]*?)</a></h3>[\\s\\S]*?<p class="snippet">([\\s\\S]*?)</p>`));
    expect(hit).not.toBeNull();
    expect(hit![1]).toBe(`停机页面<mark>${w}</mark>&lt;img src=x onerror=alert(1)&gt;`);
    expect(hit![2]).toContain(`<mark>${w}</mark>&lt;script&gt;alert(1)&lt;/script&gt;`);
  });
});

describe('an outage, then recovery', () => {
  it('documents written during the outage are findable in basic mode, and all are in the index after it', async () => {
    const w = word();
    // Words in only the old or only the new title: titles shown are read from PostgreSQL, so only a
    // search for these tells whether the index itself was brought up to date.
    const [oldWord, newWord] = [uniqueWord(), uniqueWord()];
    const before = await buildDocument(ctx.services, admin, { organ_id: organId, title: `停机前${w} ${oldWord}` });
    await ctx.worker.drainNow();
    const ids = async (q: string) =>
      (await ctx.request().get(`/api/v1/search?q=${encodeURIComponent(q)}`).expect(200)).body.hits.map((h: { id: number }) => h.id);
    expect(await ids(oldWord)).toEqual([before.id]);
    const during = [];
    for (let n = 0; n < 12; n++) during.push(await buildDocument(ctx.services, admin, { organ_id: organId, title: `停机中${n}号${w}` }));
    await ctx.services.documents.update(admin, before.id, { title: `停机中改名${w} ${newWord}` });
    await downWorker.drainNow();
    const pending = await ctx.db.selectFrom('index_jobs').select(['attempts']).execute();
    expect(pending.length).toBeGreaterThanOrEqual(13);
    expect(pending.every((j) => j.attempts >= 1)).toBe(true);

    const basic = await down.get(`/api/v1/search?q=${encodeURIComponent(w)}&page_size=100`).expect(200);
    expect(basic.body).toMatchObject({ mode: 'basic', total: 13 });

    // Back up: the jobs are retried (their backoff made due now) and nothing is missing.
    await sql`update index_jobs set run_after = now()`.execute(ctx.db);
    await ctx.worker.drainNow();
    expect(await ctx.db.selectFrom('index_jobs').select('id').execute()).toEqual([]);
    const full = await ctx.request().get(`/api/v1/search?q=${encodeURIComponent(w)}&page_size=100`).expect(200);
    expect(full.body.mode).toBe('full');
    expect(full.body.hits.map((h: { id: number }) => h.id).sort()).toEqual([before.id, ...during.map((d) => d.id)].sort());
    expect(full.body.hits.find((h: { id: number }) => h.id === before.id).title).toBe(`停机中改名${w} ${newWord}`);
    expect(await ids(newWord)).toEqual([before.id]);
    expect(await ids(oldWord)).toEqual([]);
  });

  it('a process that fell back to the basic search uses Meilisearch again once it answers', async () => {
    const w = word();
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId, title: `恢复后${w}` });
    await ctx.worker.drainNow();
    const search = async () => (await switchableApp.get(`/api/v1/search?q=${encodeURIComponent(w)}`).expect(200)).body;
    // Only Date is faked: PostgreSQL and Meilisearch keep their real timers and sockets.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      expect(await search()).toMatchObject({ mode: 'basic', hits: [{ id: doc.id }] });
      switchable.client = ctx.indexes.client;
      // After a failure the process waits a while before asking Meilisearch again.
      expect((await search()).mode).toBe('basic');
      vi.setSystemTime(Date.now() + RETRY_MEILI_AFTER_MS);
      const full = await search();
      expect(full.mode).toBe('full');
      expect(full.hits[0].id).toBe(doc.id);
    } finally {
      vi.useRealTimers();
    }
  });
});
