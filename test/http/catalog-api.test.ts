import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/features/accounts/actor.js';
import { expectApiError, expectNothingStored, rowDelta } from '../support/assertions.js';
import { createTestContext, movableClock, type TestContext } from '../support/context.js';
import { bearer, buildDocument, buildInterpretation, buildOrgan } from '../support/factories.js';

const TODAY = '2024-06-15';

let ctx: TestContext;
let admin: Actor;
let token: string;
let editorToken: string;

beforeAll(async () => {
  const clock = movableClock();
  clock.set(TODAY);
  ctx = await createTestContext({ clock });
  ({ actor: admin, token } = await ctx.user('admin'));
  ({ token: editorToken } = await ctx.user('editor'));
});
afterAll(() => ctx?.close());

const suffix = () => randomBytes(3).toString('hex');
const post = (url: string, body: unknown, as = token) => ctx.request().post(url).set(bearer(as)).send(body as object);
const patch = (url: string, body: unknown, as = token) => ctx.request().patch(url).set(bearer(as)).send(body as object);
const get = (url: string, as: string | null = token) => {
  const req = ctx.request().get(url);
  return as ? req.set(bearer(as)) : req;
};

const newOrgan = async (overrides: Record<string, unknown> = {}) =>
  (await buildOrgan(ctx.services, admin, { name: `目录测试机关${suffix()}`, ...overrides })).id;

type Doc = Record<string, unknown> & { id: number; status: string };

async function createDoc(body: Record<string, unknown>): Promise<Doc> {
  const res = await post('/api/v1/documents', { kind: 'normative', title: `文件${suffix()}`, ...body });
  expect(res.status, res.text).toBe(201);
  return res.body as Doc;
}

async function listIds(query: Record<string, string | number>, as: string | null = token): Promise<number[]> {
  const res = await get(`/api/v1/documents?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`, as);
  expect(res.status, res.text).toBe(200);
  return (res.body.items as { id: number }[]).map((d) => d.id).sort((a, b) => a - b);
}

const sorted = (...ids: number[]) => [...ids].sort((a, b) => a - b);

async function statusAsOf(id: number, asOf: string): Promise<string> {
  const res = await get(`/api/v1/documents/${id}?as_of=${asOf}`);
  expect(res.status, res.text).toBe(200);
  return res.body.status;
}

describe('organs', () => {
  it('creates an organ and lists it', async () => {
    const name = `静乐县财政局${suffix()}`;
    const res = await post('/api/v1/organs', { name, short_name: '县财政局', doc_prefixes: ['静财发', '静财发'] }).expect(201);
    expect(res.body).toEqual({ id: expect.any(Number), name, short_name: '县财政局', parent_id: null, doc_prefixes: ['静财发'] });
    const list = await get('/api/v1/organs', null).expect(200);
    expect(list.body.items).toContainEqual(res.body);
  });

  it('creates a child organ under an existing parent', async () => {
    const parent = (await post('/api/v1/organs', { name: `上级机关${suffix()}` }).expect(201)).body.id;
    const child = await post('/api/v1/organs', { name: `下级机关${suffix()}`, parent_id: parent }).expect(201);
    expect(child.body.parent_id).toBe(parent);
  });

  it('a duplicate name → 409 fields.name, nothing stored', async () => {
    const name = `重名机关${suffix()}`;
    await post('/api/v1/organs', { name }).expect(201);
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await post('/api/v1/organs', { name }), 409, 'conflict');
      expect(error.fields?.['name']).toBeDefined();
      // Surrounding spaces do not make another organ.
      expectApiError(await post('/api/v1/organs', { name: `  ${name} ` }), 409, 'conflict');
    });
  });

  it('an unknown parent → 400 fields.parent_id, nothing stored', async () => {
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await post('/api/v1/organs', { name: `孤儿机关${suffix()}`, parent_id: 2_147_483_647 }), 400, 'validation_failed');
      expect(error.fields?.['parent_id']).toBeDefined();
    });
  });

  it.each([['123'], ['abc'], ['静政发〔2023〕'], ['第']])('a doc prefix %j that cannot start a 文号 → 400, nothing stored', async (prefix) => {
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await post('/api/v1/organs', { name: `前缀机关${suffix()}`, doc_prefixes: [prefix] }), 400, 'validation_failed');
      expect(error.fields?.['doc_prefixes']).toBeDefined();
    });
  });

  it('an organ create writes one audit row with the organ after', async () => {
    const name = `审计机关${suffix()}`;
    let id = 0;
    const delta = await rowDelta(ctx.db, async () => {
      id = (await post('/api/v1/organs', { name }).expect(201)).body.id;
    });
    expect(delta).toMatchObject({ organs: 1, audit_log: 1, documents: 0 });
    const audit = await ctx.db.selectFrom('audit_log').selectAll().where('entity', '=', 'organ').where('entity_id', '=', String(id)).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'organ.create', user_id: admin.userId, before: null, after: expect.objectContaining({ id, name }) });
  });

  it('GET /api/v1/organs answers the list shape of DESIGN.md ({total,page,page_size,items})', async () => {
    await newOrgan();
    const list = await get('/api/v1/organs', null).expect(200);
    expect(list.body).toEqual({
      total: expect.any(Number),
      page: 1,
      page_size: expect.any(Number),
      items: expect.any(Array),
    });
    expect(list.body.total).toBeGreaterThanOrEqual(list.body.items.length);
  });
});

describe('documents: create, read, change, list', () => {
  it('creates a document and reads it back with every part of the contract', async () => {
    const organ = await newOrgan({ name: `静乐县人民政府${suffix()}` });
    const created = await createDoc({
      kind: 'normative',
      title: '关于加强文件管理的通知',
      doc_number: '静政发[2023]005号',
      index_number: `11140000MB0000000X/2023-${suffix()}`,
      organ_id: organ,
      signed_on: '2023-03-01',
      published_on: '2023-03-05',
      expires_on: '2028-03-04',
      topics: ['综合政务', '安全生产'],
      body: '第一条 为了……\n第二条 ……',
    });
    expect(created).toMatchObject({
      id: expect.any(Number),
      kind: 'normative',
      kind_label: '行政规范性文件',
      title: '关于加强文件管理的通知',
      doc_number: '静政发〔2023〕5号',
      organ_id: organ,
      organ: { id: organ, name: expect.stringContaining('静乐县人民政府') },
      co_issuers: [],
      signed_on: '2023-03-01',
      published_on: '2023-03-05',
      effective_on: '2023-03-05',
      expires_on: '2028-03-04',
      repealed_on: null,
      repeal: null,
      status: 'in_force',
      status_label: '现行有效',
      as_of: TODAY,
      topics: ['综合政务', '安全生产'],
    });
    const read = await get(`/api/v1/documents/${created.id}`, null).expect(200);
    expect(read.body).toMatchObject({
      id: created.id,
      title: '关于加强文件管理的通知',
      body: '第一条 为了……\n第二条 ……',
      status: 'in_force',
      interpretations: [],
      relations: [],
      files: [],
    });
  });

  it('PATCH changes fields, normalizes the 文号 and keeps what it did not touch', async () => {
    const organ = await newOrgan();
    const co = await newOrgan();
    const doc = await createDoc({ organ_id: organ, co_organ_ids: [co], topics: ['生态环境'], signed_on: '2023-05-01', published_on: '2023-05-02' });
    const res = await patch(`/api/v1/documents/${doc.id}`, { title: '修改后的标题', doc_number: '静环发（２０２３）００７号' }).expect(200);
    expect(res.body).toMatchObject({
      id: doc.id,
      title: '修改后的标题',
      doc_number: '静环发〔2023〕7号',
      topics: ['生态环境'],
      co_issuers: [expect.objectContaining({ id: co })],
      published_on: '2023-05-02',
    });
    const read = await get(`/api/v1/documents/${doc.id}`).expect(200);
    expect(read.body).toMatchObject({ title: '修改后的标题', doc_number: '静环发〔2023〕7号', topics: ['生态环境'] });
  });

  it('PATCH can clear optional fields', async () => {
    const doc = await createDoc({ organ_id: await newOrgan(), doc_number: '静清发〔2023〕1号', topics: ['其他'], published_on: '2023-05-02', expires_on: '2024-01-01' });
    const res = await patch(`/api/v1/documents/${doc.id}`, { doc_number: null, topics: [], expires_on: null }).expect(200);
    expect(res.body).toMatchObject({ doc_number: null, topics: [], expires_on: null });
    const row = await ctx.db.selectFrom('documents').selectAll().where('id', '=', doc.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ doc_number: null, doc_number_key: null, doc_number_prefix: null, expires_on: null });
  });

  describe('list filters and paging', () => {
    let organA: number;
    let organB: number;
    const d: Record<string, number> = {};

    beforeAll(async () => {
      organA = await newOrgan();
      organB = await newOrgan();
      d['normativeInForce'] = (await createDoc({ organ_id: organA, published_on: '2023-01-10' })).id;
      d['ruleInForce'] = (await createDoc({ organ_id: organA, kind: 'rule', published_on: '2023-02-10' })).id;
      d['otherKind'] = (await createDoc({ organ_id: organA, kind: 'other', published_on: '2023-02-11' })).id;
      d['expired'] = (await createDoc({ organ_id: organA, published_on: '2023-03-10', expires_on: '2023-12-31' })).id;
      d['notYetEffective'] = (await createDoc({ organ_id: organA, published_on: '2023-12-20', effective_on: '2024-01-01' })).id;
      d['repealed'] = (await createDoc({ organ_id: organA, published_on: '2023-04-10' })).id;
      await post(`/api/v1/documents/${d['repealed']}/repeal`, { repealed_on: '2023-12-31' }).expect(200);
      d['draft'] = (await createDoc({ organ_id: organA, signed_on: '2023-11-01' })).id;
      d['organB'] = (await createDoc({ organ_id: organB, published_on: '2023-05-10' })).id;
    });

    it('organ_id filters by lead organ; several organs by comma or repetition', async () => {
      const all = Object.values(d);
      expect(await listIds({ organ_id: organA, page_size: 100 })).toEqual(sorted(...all.filter((id) => id !== d['organB'])));
      expect(await listIds({ organ_id: organB })).toEqual([d['organB']!]);
      expect(await listIds({ organ_id: `${organA},${organB}`, page_size: 100 })).toEqual(sorted(...all));
      const repeated = await get(`/api/v1/documents?organ_id=${organA}&organ_id=${organB}&page_size=100`).expect(200);
      expect(repeated.body.total).toBe(all.length);
    });

    it('kind filters, one or several', async () => {
      expect(await listIds({ organ_id: organA, kind: 'rule' })).toEqual([d['ruleInForce']!]);
      expect(await listIds({ organ_id: organA, kind: 'rule,other' })).toEqual(sorted(d['ruleInForce']!, d['otherKind']!));
      const repeated = await get(`/api/v1/documents?organ_id=${organA}&kind=rule&kind=other`).expect(200);
      expect(repeated.body.total).toBe(2);
      expect(await listIds({ organ_id: organA, kind: 'law' })).toEqual([]);
    });

    it('status filters are computed as of as_of', async () => {
      const q = (status: string, as_of: string) => listIds({ organ_id: organA, status, as_of });
      expect(await q('in_force', '2023-12-31')).toEqual(sorted(d['normativeInForce']!, d['ruleInForce']!, d['otherKind']!, d['expired']!));
      expect(await q('expired', '2023-12-31')).toEqual([]);
      expect(await q('expired', '2024-01-01')).toEqual([d['expired']!]);
      expect(await q('repealed', '2023-12-30')).toEqual([]);
      expect(await q('repealed', '2023-12-31')).toEqual([d['repealed']!]);
      expect(await q('not_yet_effective', '2023-12-31')).toEqual([d['notYetEffective']!]);
      expect(await q('not_yet_effective', '2024-01-01')).toEqual([]);
      expect(await q('in_force', '2024-01-01')).toEqual(sorted(d['normativeInForce']!, d['ruleInForce']!, d['otherKind']!, d['notYetEffective']!));
      expect(await q('expired,repealed', '2024-01-01')).toEqual(sorted(d['expired']!, d['repealed']!));
      expect(await q('draft', '2024-01-01')).toEqual([d['draft']!]);
    });

    it('each item carries the status as of as_of, and as_of itself', async () => {
      const res = await get(`/api/v1/documents?organ_id=${organA}&as_of=2023-12-31&page_size=100`).expect(200);
      const byId = Object.fromEntries(res.body.items.map((i: { id: number; status: string; as_of: string }) => [i.id, i]));
      expect(byId[d['expired']!]).toMatchObject({ status: 'in_force', as_of: '2023-12-31' });
      expect(byId[d['repealed']!]).toMatchObject({ status: 'repealed', as_of: '2023-12-31' });
      expect(byId[d['notYetEffective']!]).toMatchObject({ status: 'not_yet_effective' });
      expect(byId[d['draft']!]).toMatchObject({ status: 'draft' });
    });

    it('the default as_of is today', async () => {
      const res = await get(`/api/v1/documents?organ_id=${organA}&status=in_force`).expect(200);
      expect(res.body.items.every((i: { as_of: string }) => i.as_of === TODAY)).toBe(true);
      expect(res.body.items.map((i: { id: number }) => i.id)).toContain(d['notYetEffective']);
      expect(res.body.items.map((i: { id: number }) => i.id)).not.toContain(d['expired']);
    });

    it('pages: total, page, page_size and items; pages do not overlap and cover everything', async () => {
      const total = Object.values(d).length - 1; // organ A only
      const defaults = await get(`/api/v1/documents?organ_id=${organA}`).expect(200);
      expect(defaults.body).toMatchObject({ total, page: 1, page_size: 20 });
      expect(Object.keys(defaults.body).sort()).toEqual(['items', 'page', 'page_size', 'total']);
      const seen: number[] = [];
      for (let page = 1; page <= 4; page++) {
        const res = await get(`/api/v1/documents?organ_id=${organA}&page=${page}&page_size=3`).expect(200);
        expect(res.body).toMatchObject({ total, page, page_size: 3 });
        expect(res.body.items.length).toBe(Math.max(0, Math.min(3, total - (page - 1) * 3)));
        seen.push(...res.body.items.map((i: { id: number }) => i.id));
      }
      expect(sorted(...seen)).toEqual(sorted(...Object.values(d).filter((id) => id !== d['organB'])));
    });

    it('total counts the filtered set, not the page', async () => {
      const res = await get(`/api/v1/documents?organ_id=${organA}&status=in_force&as_of=2023-12-31&page_size=1`).expect(200);
      expect(res.body).toMatchObject({ total: 4, page_size: 1 });
      expect(res.body.items).toHaveLength(1);
    });
  });
});

describe('status at the boundaries (end of day)', () => {
  it('expires_on is the last valid day: in force on it, expired the next day', async () => {
    const doc = await createDoc({ organ_id: await newOrgan(), published_on: '2023-01-01', expires_on: '2023-12-31' });
    expect(await statusAsOf(doc.id, '2023-12-31')).toBe('in_force');
    expect(await statusAsOf(doc.id, '2024-01-01')).toBe('expired');
    expect(await statusAsOf(doc.id, '2022-12-31')).toBe('draft');
  });

  it('a repeal on 31 December counts from that day', async () => {
    const doc = await createDoc({ organ_id: await newOrgan(), published_on: '2023-01-01' });
    await post(`/api/v1/documents/${doc.id}/repeal`, { repealed_on: '2023-12-31' }).expect(200);
    expect(await statusAsOf(doc.id, '2023-12-30')).toBe('in_force');
    expect(await statusAsOf(doc.id, '2023-12-31')).toBe('repealed');
    expect(await statusAsOf(doc.id, '2024-01-01')).toBe('repealed');
  });

  it('effective_on later than published_on: not yet effective until that day', async () => {
    const doc = await createDoc({ organ_id: await newOrgan(), published_on: '2023-12-20', effective_on: '2024-01-01' });
    expect(await statusAsOf(doc.id, '2023-12-20')).toBe('not_yet_effective');
    expect(await statusAsOf(doc.id, '2023-12-31')).toBe('not_yet_effective');
    expect(await statusAsOf(doc.id, '2024-01-01')).toBe('in_force');
  });

  it('a repeal wins over an expiry on the same day; after expiry a later repeal keeps it ended', async () => {
    const organ = await newOrgan();
    const both = await createDoc({ organ_id: organ, published_on: '2023-01-01', expires_on: '2023-06-30' });
    await post(`/api/v1/documents/${both.id}/repeal`, { repealed_on: '2023-06-30' }).expect(200);
    expect(await statusAsOf(both.id, '2023-06-29')).toBe('in_force');
    expect(await statusAsOf(both.id, '2023-06-30')).toBe('repealed');
    const expiredFirst = await createDoc({ organ_id: organ, published_on: '2023-01-01', expires_on: '2023-06-30' });
    await post(`/api/v1/documents/${expiredFirst.id}/repeal`, { repealed_on: '2023-09-01' }).expect(200);
    expect(await statusAsOf(expiredFirst.id, '2023-07-01')).toBe('expired');
    expect(await statusAsOf(expiredFirst.id, '2023-09-01')).toBe('repealed');
  });
});

describe('文号 (doc numbers)', () => {
  // Every spelling DESIGN.md lists: 〔〕 [] 【】 () （） ［］ or none, full- or half-width digits, with or
  // without leading zeros.
  const SPELLINGS = [
    '静政发〔2023〕5号',
    '静政发[2023]5号',
    '静政发【2023】5号',
    '静政发(2023)5号',
    '静政发（2023）5号',
    '静政发［2023］5号',
    '静政发20235号',
    '静政发〔２０２３〕５号',
    '静政发［２０２３］０５号',
    '静政发〔2023〕005号',
    '静政发[2023]05号',
    '静政发2023005号',
    '静政发（２０２３）５号',
    ' 静政发〔2023〕5号 ',
  ];

  it.each(SPELLINGS)('%j is stored as 静政发〔2023〕5号 with one key', async (spelling) => {
    const doc = await createDoc({ organ_id: await newOrgan(), doc_number: spelling, signed_on: '2023-02-01', published_on: '2023-02-03' });
    expect(doc['doc_number']).toBe('静政发〔2023〕5号');
    const row = await ctx.db.selectFrom('documents').selectAll().where('id', '=', doc.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ doc_number: '静政发〔2023〕5号', doc_number_prefix: '静政发', doc_number_year: 2023, doc_number_serial: 5 });
    const keys = await ctx.db.selectFrom('documents').select('doc_number_key').where('doc_number', '=', '静政发〔2023〕5号').distinct().execute();
    expect(keys).toHaveLength(1);
  });

  it.each([
    ['山西省人民政府令第274号', '山西省人民政府令第274号'],
    ['山西省人民政府令第２７４号', '山西省人民政府令第274号'],
    ['山西省人民政府令 第 274 号', '山西省人民政府令第274号'],
    ['山西省人民政府令274号', '山西省人民政府令第274号'],
    ['山西省人民政府令第0274号', '山西省人民政府令第274号'],
  ])('the order number %j of a 规章 is stored as %j', async (spelling, display) => {
    const doc = await createDoc({ kind: 'rule', organ_id: await newOrgan(), doc_number: spelling, published_on: '2023-02-03' });
    expect(doc['doc_number']).toBe(display);
  });

  it('the same 文号 and title for an organ and kind, whatever the spelling → 409 fields.doc_number, nothing stored', async () => {
    const organ = await newOrgan();
    const first = await createDoc({ organ_id: organ, doc_number: '静政办发〔2023〕12号' });
    for (const spelling of ['静政办发〔2023〕12号', '静政办发[2023]012号', '静政办发（２０２３）１２号', '静政办发202312号']) {
      await expectNothingStored(ctx.db, async () => {
        const error = expectApiError(await post('/api/v1/documents', { kind: 'normative', title: first['title'], organ_id: organ, doc_number: spelling }), 409, 'conflict');
        // Named by its title, never by an internal id.
        expect(error.fields?.['doc_number']).toBe(`文号已被《${first['title']}》使用`);
      });
    }
  });

  it('a 文号 shared with a document of another title is kept, with a warning (one 令号 republishes several texts)', async () => {
    const organ = await newOrgan();
    const first = await createDoc({ organ_id: organ, kind: 'law', doc_number: '中华人民共和国主席令第81号', published_on: '2018-12-29' });
    const second = await createDoc({ organ_id: organ, kind: 'law', doc_number: '中华人民共和国主席令第八十一号', published_on: '2018-12-29' });
    expect(second['doc_number']).toBe('中华人民共和国主席令第81号');
    expect(second['warnings']).toEqual([{ code: 'doc_number_shared', message: `文号与《${first['title']}》相同；一个令号公布多件修改后的文本时属正常` }]);
  });

  it('the same 文号 is fine for another organ or another kind', async () => {
    const organ = await newOrgan();
    const first = await createDoc({ organ_id: organ, doc_number: '静政办发〔2023〕13号' });
    for (const other of [await createDoc({ organ_id: await newOrgan(), doc_number: '静政办发〔2023〕13号', title: first['title'] }), await createDoc({ organ_id: organ, kind: 'other', doc_number: '静政办发〔2023〕13号', title: first['title'] })]) {
      expect(other['warnings']).toEqual([]);
    }
  });

  it('PATCH onto the 文号 and title of another document → 409, unchanged; PATCH keeping its own → 200', async () => {
    const organ = await newOrgan();
    await createDoc({ organ_id: organ, doc_number: '静政办发〔2023〕14号', title: '同号同名' });
    const other = await createDoc({ organ_id: organ, doc_number: '静政办发〔2023〕15号' });
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await patch(`/api/v1/documents/${other.id}`, { doc_number: '静政办发[2023]14号', title: '同号同名' }), 409, 'conflict');
      expect(error.fields?.['doc_number']).toBe('文号已被《同号同名》使用');
    });
    const row = await ctx.db.selectFrom('documents').select('doc_number').where('id', '=', other.id).executeTakeFirstOrThrow();
    expect(row.doc_number).toBe('静政办发〔2023〕15号');
    await patch(`/api/v1/documents/${other.id}`, { doc_number: '静政办发[2023]015号', title: '同号再存' }).expect(200);
  });

  it('changing the kind onto a kind where the same 文号 and title exist → 409', async () => {
    const organ = await newOrgan();
    await createDoc({ organ_id: organ, kind: 'other', doc_number: '静政办发〔2023〕16号', title: '改类别' });
    const doc = await createDoc({ organ_id: organ, kind: 'normative', doc_number: '静政办发〔2023〕16号', title: '改类别' });
    expectApiError(await patch(`/api/v1/documents/${doc.id}`, { kind: 'other' }), 409, 'conflict');
  });

  it('a 文号 year different from the signing year is kept, with a warning once published (amended rules keep their 令号)', async () => {
    const organ = await newOrgan({ doc_prefixes: ['静政发'] });
    const doc = await createDoc({ organ_id: organ, doc_number: '静政发〔2022〕5号', signed_on: '2023-01-05', published_on: '2023-01-10', expires_on: '2028-01-09' });
    expect(doc['warnings']).toEqual([{ code: 'doc_number_year', message: expect.stringContaining('文号年份（2022）与成文日期年份（2023）不一致') }]);
    const row = await ctx.db.selectFrom('documents').select('warnings').where('id', '=', doc.id).executeTakeFirstOrThrow();
    expect(row.warnings.map((w) => w.code)).toEqual(['doc_number_year']);
    // Mending the date clears it.
    const mended = await patch(`/api/v1/documents/${doc.id}`, { signed_on: '2022-12-30' }).expect(200);
    expect(mended.body.warnings).toEqual([]);
  });

  it('a draft carries no warnings until it is published', async () => {
    const doc = await createDoc({ organ_id: await newOrgan(), doc_number: '静政发〔2023〕9号', signed_on: '2024-01-02' });
    expect(doc['warnings']).toEqual([]);
  });

  it.each([['第5号'], ['2023年5号'], ['静政发'], ['静政发〔2023〕'], ['静政发〔2023〕0号'], ['静政发〔1800〕5号'], ['5']])(
    'an unreadable 文号 %j → 400 fields.doc_number, nothing stored',
    async (value) => {
      const organ = await newOrganCached();
      await expectNothingStored(ctx.db, async () => {
        const error = expectApiError(
          await post('/api/v1/documents', { kind: 'normative', title: '文号不对', organ_id: organ, doc_number: value }),
          400,
          'validation_failed',
        );
        expect(error.fields?.['doc_number']).toBeDefined();
      });
    },
  );
});

let cachedOrgan: number | undefined;
async function newOrganCached() {
  cachedOrgan ??= await newOrgan();
  return cachedOrgan;
}

describe('date order', () => {
  it.each([
    [{ signed_on: '2023-03-02', published_on: '2023-03-01' }, 'published_on'],
    [{ signed_on: '2023-03-02', effective_on: '2023-03-01' }, 'effective_on'],
    [{ published_on: '2023-03-01', effective_on: '2023-04-01', expires_on: '2023-03-31' }, 'expires_on'],
    [{ published_on: '2023-03-01', expires_on: '2023-02-28' }, 'expires_on'],
    [{ signed_on: '2023-03-01', expires_on: '2023-02-28' }, 'expires_on'],
    // Effective before publication is possible, but a term that ended before the document was even
    // published is a typing error, whatever effective_on says.
    [{ published_on: '2023-04-01', effective_on: '2023-03-10', expires_on: '2023-03-31' }, 'expires_on'],
  ])('%j → 400 on %s, nothing stored', async (dates, field) => {
    const organ = await newOrganCached();
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await post('/api/v1/documents', { kind: 'normative', title: '日期顺序', organ_id: organ, ...dates }), 400, 'validation_failed');
      expect(error.fields?.[field]).toBeDefined();
    });
  });

  it('all dates on one day are in order', async () => {
    const doc = await createDoc({
      organ_id: await newOrganCached(),
      signed_on: '2023-03-01',
      published_on: '2023-03-01',
      effective_on: '2023-03-01',
      expires_on: '2023-03-01',
    });
    expect(await statusAsOf(doc.id, '2023-03-01')).toBe('in_force');
    expect(await statusAsOf(doc.id, '2023-03-02')).toBe('expired');
  });
});

describe('joint issuers', () => {
  it('co_organ_ids are kept in order and shown with names', async () => {
    const lead = await newOrgan();
    const b = await newOrgan({ name: `联合发文机关乙${suffix()}` });
    const c = await newOrgan({ name: `联合发文机关丙${suffix()}` });
    const doc = await createDoc({ organ_id: lead, co_organ_ids: [c, b] });
    expect(doc['co_issuers']).toEqual([
      { id: c, name: expect.stringContaining('联合发文机关丙') },
      { id: b, name: expect.stringContaining('联合发文机关乙') },
    ]);
    const read = await get(`/api/v1/documents/${doc.id}`).expect(200);
    expect(read.body.co_issuers.map((o: { id: number }) => o.id)).toEqual([c, b]);
    expect(read.body.organ_id).toBe(lead);
  });

  it.each([
    ['the lead organ among co-issuers', (lead: number, co: number) => [co, lead]],
    ['a co-issuer twice', (_lead: number, co: number) => [co, co]],
    ['an unknown co-issuer', (_lead: number, co: number) => [co, 2_147_483_647]],
  ])('%s → 400 fields.co_organ_ids, nothing stored', async (_label, ids) => {
    const lead = await newOrgan();
    const co = await newOrgan();
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(
        await post('/api/v1/documents', { kind: 'normative', title: '联合发文', organ_id: lead, co_organ_ids: ids(lead, co) }),
        400,
        'validation_failed',
      );
      expect(error.fields?.['co_organ_ids']).toBeDefined();
    });
  });

  it('PATCH replaces co-issuers; PATCH of the lead onto a co-issuer → 400', async () => {
    const lead = await newOrgan();
    const b = await newOrgan();
    const c = await newOrgan();
    const doc = await createDoc({ organ_id: lead, co_organ_ids: [b] });
    const res = await patch(`/api/v1/documents/${doc.id}`, { co_organ_ids: [c] }).expect(200);
    expect(res.body.co_issuers.map((o: { id: number }) => o.id)).toEqual([c]);
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await patch(`/api/v1/documents/${doc.id}`, { organ_id: c }), 400, 'validation_failed');
      expect(error.fields?.['co_organ_ids']).toBeDefined();
    });
  });
});

describe('repeal', () => {
  it('makes the document repealed as of repealed_on and records who and why', async () => {
    const doc = await createDoc({ organ_id: await newOrgan(), published_on: '2023-01-01' });
    const res = await post(`/api/v1/documents/${doc.id}/repeal`, { repealed_on: '2024-03-01', reason: '已被新规定取代' }).expect(200);
    expect(res.body).toMatchObject({
      id: doc.id,
      status: 'repealed',
      repealed_on: '2024-03-01',
      repeal: { repealed_on: '2024-03-01', by_document_id: null, reason: '已被新规定取代' },
    });
    expect(await statusAsOf(doc.id, '2024-02-29')).toBe('in_force');
    expect(await statusAsOf(doc.id, '2024-03-01')).toBe('repealed');
  });

  it('by_document_id adds a repeals relation seen from both documents', async () => {
    const organ = await newOrgan();
    const old = await createDoc({ organ_id: organ, published_on: '2023-01-01', title: '旧办法' });
    const replacement = await createDoc({ organ_id: organ, published_on: '2024-01-01', title: '新办法' });
    const res = await post(`/api/v1/documents/${old.id}/repeal`, { repealed_on: '2024-01-01', by_document_id: replacement.id }).expect(200);
    expect(res.body.repeal).toMatchObject({ by_document_id: replacement.id });
    const oldRead = await get(`/api/v1/documents/${old.id}`, null).expect(200);
    expect(oldRead.body.relations).toEqual([
      { relation: 'repeals', direction: 'incoming', document: { id: replacement.id, title: '新办法', doc_number: null } },
    ]);
    const newRead = await get(`/api/v1/documents/${replacement.id}`, null).expect(200);
    expect(newRead.body.relations).toEqual([
      { relation: 'repeals', direction: 'outgoing', document: { id: old.id, title: '旧办法', doc_number: null } },
    ]);
    expect(newRead.body.status).toBe('in_force');
  });

  it('a second repeal → 409, nothing stored', async () => {
    const doc = await createDoc({ organ_id: await newOrgan(), published_on: '2023-01-01' });
    await post(`/api/v1/documents/${doc.id}/repeal`, { repealed_on: '2023-06-01' }).expect(200);
    await expectNothingStored(ctx.db, async () => {
      expectApiError(await post(`/api/v1/documents/${doc.id}/repeal`, { repealed_on: '2023-07-01' }), 409, 'conflict');
    });
    expect(await statusAsOf(doc.id, '2023-06-15')).toBe('repealed');
  });

  it('a repeal before publication → 400 fields.repealed_on, nothing stored', async () => {
    const doc = await createDoc({ organ_id: await newOrgan(), published_on: '2023-05-01' });
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await post(`/api/v1/documents/${doc.id}/repeal`, { repealed_on: '2023-04-30' }), 400, 'validation_failed');
      expect(error.fields?.['repealed_on']).toBeDefined();
    });
  });

  it('a repeal on the publication day is allowed', async () => {
    const doc = await createDoc({ organ_id: await newOrgan(), published_on: '2023-05-01' });
    await post(`/api/v1/documents/${doc.id}/repeal`, { repealed_on: '2023-05-01' }).expect(200);
    expect(await statusAsOf(doc.id, '2023-05-01')).toBe('repealed');
  });

  it('a repeal of a draft → 400, nothing stored', async () => {
    const doc = await createDoc({ organ_id: await newOrgan() });
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await post(`/api/v1/documents/${doc.id}/repeal`, { repealed_on: '2023-05-01' }), 400, 'validation_failed');
      expect(error.fields?.['repealed_on']).toBeDefined();
    });
  });

  it.each([
    ['itself', 'self'],
    ['an unknown document', 'unknown'],
    ['a draft', 'draft'],
    ['a document published after the repeal', 'later'],
  ])('by_document_id that is %s → 400 fields.by_document_id, nothing stored', async (_label, which) => {
    const organ = await newOrgan();
    const doc = await createDoc({ organ_id: organ, published_on: '2023-01-01' });
    const by = {
      self: doc.id,
      unknown: 2_147_483_647,
      draft: (await createDoc({ organ_id: organ })).id,
      later: (await createDoc({ organ_id: organ, published_on: '2023-08-01' })).id,
    }[which]!;
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(
        await post(`/api/v1/documents/${doc.id}/repeal`, { repealed_on: '2023-07-01', by_document_id: by }),
        400,
        'validation_failed',
      );
      expect(error.fields?.['by_document_id']).toBeDefined();
    });
  });

  it.each([[{}], [{ repealed_on: '2023-02-30' }], [{ repealed_on: '2023-07-01', by_document_id: '5' }], [{ repealed_on: '2023-07-01', extra: 1 }]])(
    'a bad repeal body %j → 400, nothing stored',
    async (body) => {
      const doc = await createDoc({ organ_id: await newOrganCached(), published_on: '2023-01-01' });
      await expectNothingStored(ctx.db, async () => {
        expectApiError(await post(`/api/v1/documents/${doc.id}/repeal`, body), 400, 'validation_failed');
      });
    },
  );

  it('a repeal of an unknown document → 404, nothing stored', async () => {
    await expectNothingStored(ctx.db, async () => {
      expectApiError(await post('/api/v1/documents/2147483647/repeal', { repealed_on: '2023-07-01' }), 404, 'not_found');
    });
  });

  it('after a repeal, PATCH cannot move publication past the repeal or unpublish', async () => {
    const doc = await createDoc({ organ_id: await newOrgan(), published_on: '2023-01-01' });
    await post(`/api/v1/documents/${doc.id}/repeal`, { repealed_on: '2023-06-01' }).expect(200);
    for (const body of [{ published_on: '2023-06-02' }, { published_on: null }]) {
      await expectNothingStored(ctx.db, async () => {
        const error = expectApiError(await patch(`/api/v1/documents/${doc.id}`, body), 400, 'validation_failed');
        expect(error.fields?.['published_on']).toBeDefined();
      });
    }
  });
});

describe('amendments', () => {
  it('an amends relation keeps the target in force and is seen from both documents', async () => {
    const organ = await newOrgan();
    const target = await createDoc({ organ_id: organ, published_on: '2023-01-01', title: '被修改的办法' });
    const amender = await createDoc({ organ_id: organ, published_on: '2024-01-01', title: '修改决定' });
    const res = await post(`/api/v1/documents/${amender.id}/relations`, { relation: 'amends', target_id: target.id }).expect(200);
    expect(res.body.relations).toEqual([
      { relation: 'amends', direction: 'outgoing', document: { id: target.id, title: '被修改的办法', doc_number: null } },
    ]);
    const targetRead = await get(`/api/v1/documents/${target.id}?as_of=2024-06-01`, null).expect(200);
    expect(targetRead.body.status).toBe('in_force');
    expect(targetRead.body.relations).toEqual([
      { relation: 'amends', direction: 'incoming', document: { id: amender.id, title: '修改决定', doc_number: null } },
    ]);
    expect(await listIds({ organ_id: organ, status: 'in_force', as_of: '2024-06-01' })).toEqual(sorted(target.id, amender.id));
  });

  it('recording the same amendment twice keeps one relation', async () => {
    const organ = await newOrgan();
    const target = await createDoc({ organ_id: organ, published_on: '2023-01-01' });
    const amender = await createDoc({ organ_id: organ, published_on: '2024-01-01' });
    await post(`/api/v1/documents/${amender.id}/relations`, { relation: 'amends', target_id: target.id }).expect(200);
    const again = await post(`/api/v1/documents/${amender.id}/relations`, { relation: 'amends', target_id: target.id });
    expect([200, 409]).toContain(again.status);
    const rows = await ctx.db.selectFrom('document_relations').selectAll().where('to_document_id', '=', target.id).execute();
    expect(rows).toHaveLength(1);
  });

  it.each([
    [{ relation: 'repeals', target_id: 'T' }, 'relation'],
    [{ relation: 'replaces', target_id: 'T' }, 'relation'],
    [{ relation: 'amends' }, 'target_id'],
    [{ relation: 'amends', target_id: 2_147_483_647 }, 'target_id'],
    [{ relation: 'amends', target_id: 'SELF' }, 'target_id'],
  ])('%j → 400 on %s, nothing stored', async (body, field) => {
    const organ = await newOrganCached();
    const target = await createDoc({ organ_id: organ, published_on: '2023-01-01' });
    const amender = await createDoc({ organ_id: organ, published_on: '2024-01-01' });
    const given: Record<string, unknown> = body;
    const resolved = { ...given, ...(given['target_id'] === 'T' ? { target_id: target.id } : given['target_id'] === 'SELF' ? { target_id: amender.id } : {}) };
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await post(`/api/v1/documents/${amender.id}/relations`, resolved), 400, 'validation_failed');
      expect(error.fields?.[field]).toBeDefined();
    });
  });

  it('an amendment by an unknown document → 404, nothing stored', async () => {
    const target = await createDoc({ organ_id: await newOrganCached(), published_on: '2023-01-01' });
    await expectNothingStored(ctx.db, async () => {
      expectApiError(await post('/api/v1/documents/2147483647/relations', { relation: 'amends', target_id: target.id }), 404, 'not_found');
    });
  });
});

describe('interpretations', () => {
  it('links both ways on create', async () => {
    const organ = await newOrgan();
    const a = await createDoc({ organ_id: organ, published_on: '2023-01-01', title: '文件甲' });
    const b = await createDoc({ organ_id: organ, published_on: '2023-01-02', title: '文件乙' });
    const res = await post('/api/v1/interpretations', {
      title: '关于文件甲乙的解读',
      body: '一、背景',
      published_on: '2023-01-05',
      document_ids: [a.id, b.id, a.id],
    }).expect(201);
    expect(res.body).toMatchObject({ id: expect.any(Number), title: '关于文件甲乙的解读', body: '一、背景', published_on: '2023-01-05' });
    expect(sorted(...res.body.documents.map((d: { id: number }) => d.id))).toEqual(sorted(a.id, b.id));
    expect(res.body.documents.find((d: { id: number }) => d.id === a.id)).toMatchObject({ title: '文件甲', status: 'in_force' });
    for (const doc of [a, b]) {
      const read = await get(`/api/v1/documents/${doc.id}`, null).expect(200);
      expect(read.body.interpretations).toEqual([{ id: res.body.id, title: '关于文件甲乙的解读', published_on: '2023-01-05' }]);
    }
    const interpretation = await get(`/api/v1/interpretations/${res.body.id}`, null).expect(200);
    expect(sorted(...interpretation.body.documents.map((d: { id: number }) => d.id))).toEqual(sorted(a.id, b.id));
  });

  it.each([
    [{ document_ids: [2_147_483_647] }, 'document_ids'],
    [{ document_ids: [] }, 'document_ids'],
    [{ document_ids: undefined }, 'document_ids'],
    [{ published_on: undefined }, 'published_on'],
    [{ published_on: '2023-02-30' }, 'published_on'],
    [{ title: '' }, 'title'],
  ])('%j → 400 on %s, nothing stored', async (override, field) => {
    const doc = await createDoc({ organ_id: await newOrganCached(), published_on: '2023-01-01' });
    const body: Record<string, unknown> = { title: '解读', body: '正文', published_on: '2023-01-05', document_ids: [doc.id], ...override };
    for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await post('/api/v1/interpretations', body), 400, 'validation_failed');
      expect(error.fields?.[field]).toBeDefined();
    });
  });

  it('an unknown document among known ones → 400 naming it, nothing stored', async () => {
    const doc = await createDoc({ organ_id: await newOrganCached(), published_on: '2023-01-01' });
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(
        await post('/api/v1/interpretations', { title: '解读', body: '正文', published_on: '2023-01-05', document_ids: [doc.id, 2_147_483_646] }),
        400,
        'validation_failed',
      );
      expect(error.fields?.['document_ids']).toContain('2147483646');
    });
  });

  it('PATCH re-links both ways', async () => {
    const organ = await newOrgan();
    const a = await createDoc({ organ_id: organ, published_on: '2023-01-01' });
    const b = await createDoc({ organ_id: organ, published_on: '2023-01-01' });
    const c = await createDoc({ organ_id: organ, published_on: '2023-01-01' });
    const created = await post('/api/v1/interpretations', { title: '会改关联的解读', body: '正文', published_on: '2023-01-05', document_ids: [a.id, b.id] }).expect(201);
    const id = created.body.id as number;
    const res = await patch(`/api/v1/interpretations/${id}`, { document_ids: [c.id] }).expect(200);
    expect(res.body.documents.map((d: { id: number }) => d.id)).toEqual([c.id]);
    const linked = async (docId: number) =>
      ((await get(`/api/v1/documents/${docId}`).expect(200)).body.interpretations as { id: number }[]).map((i) => i.id);
    expect(await linked(a.id)).toEqual([]);
    expect(await linked(b.id)).toEqual([]);
    expect(await linked(c.id)).toEqual([id]);
  });

  it('PATCH of the title keeps the links', async () => {
    const doc = await createDoc({ organ_id: await newOrganCached(), published_on: '2023-01-01' });
    const created = await post('/api/v1/interpretations', { title: '旧解读标题', body: '正文', published_on: '2023-01-05', document_ids: [doc.id] }).expect(201);
    const res = await patch(`/api/v1/interpretations/${created.body.id}`, { title: '新解读标题' }).expect(200);
    expect(res.body).toMatchObject({ title: '新解读标题', documents: [expect.objectContaining({ id: doc.id })] });
    const read = await get(`/api/v1/documents/${doc.id}`).expect(200);
    expect(read.body.interpretations).toEqual([expect.objectContaining({ id: created.body.id, title: '新解读标题' })]);
  });

  it.each([
    [{}, 400],
    [{ document_ids: [] }, 400],
    [{ document_ids: [2_147_483_647] }, 400],
    [{ published_on: 'soon' }, 400],
  ])('PATCH %j → %s, links unchanged, nothing stored', async (body, status) => {
    const doc = await createDoc({ organ_id: await newOrganCached(), published_on: '2023-01-01' });
    const created = await buildInterpretation(ctx.services, admin, [doc.id]);
    await expectNothingStored(ctx.db, async () => {
      expectApiError(await patch(`/api/v1/interpretations/${created.id}`, body), status);
    });
    const read = await get(`/api/v1/interpretations/${created.id}`).expect(200);
    expect(read.body.documents.map((d: { id: number }) => d.id)).toEqual([doc.id]);
    expect(read.body.title).toBe(created.title);
  });

  it('PATCH or GET of an unknown interpretation → 404', async () => {
    await expectNothingStored(ctx.db, async () => {
      expectApiError(await patch('/api/v1/interpretations/2147483647', { title: '无' }), 404, 'not_found');
    });
    expectApiError(await get('/api/v1/interpretations/2147483647'), 404, 'not_found');
  });
});

describe('PATCH validation', () => {
  it('an empty patch → 400, nothing stored', async () => {
    const doc = await createDoc({ organ_id: await newOrganCached(), published_on: '2023-01-01' });
    await expectNothingStored(ctx.db, async () => {
      expectApiError(await patch(`/api/v1/documents/${doc.id}`, {}), 400, 'validation_failed');
    });
  });

  it.each([
    [{ published_on: '2023-02-28' }, ['published_on']],
    [{ signed_on: '2023-03-06' }, ['published_on', 'signed_on']],
    [{ effective_on: '2023-02-01' }, ['effective_on']],
    [{ expires_on: '2023-03-09' }, ['expires_on']],
    [{ effective_on: '2023-05-01', expires_on: '2023-04-30' }, ['expires_on']],
    [{ published_on: '2023-04-01' }, ['expires_on']],
  ])('a patch %j that puts dates out of order → 400, unchanged', async (body, fields) => {
    const doc = await createDoc({
      organ_id: await newOrganCached(),
      signed_on: '2023-03-01',
      published_on: '2023-03-05',
      effective_on: '2023-03-10',
      expires_on: '2023-03-31',
    });
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await patch(`/api/v1/documents/${doc.id}`, body), 400, 'validation_failed');
      expect(Object.keys(error.fields ?? {}).some((f) => fields.includes(f)), JSON.stringify(error.fields)).toBe(true);
    });
    const row = await ctx.db.selectFrom('documents').select(['signed_on', 'published_on', 'effective_on', 'expires_on']).where('id', '=', doc.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ signed_on: '2023-03-01', published_on: '2023-03-05', effective_on: '2023-03-10', expires_on: '2023-03-31' });
  });

  it('a patch of an unknown document → 404, nothing stored', async () => {
    await expectNothingStored(ctx.db, async () => {
      expectApiError(await patch('/api/v1/documents/2147483647', { title: '无此文件' }), 404, 'not_found');
    });
  });

  it('a patch onto an unknown organ → 400 fields.organ_id', async () => {
    const doc = await createDoc({ organ_id: await newOrganCached() });
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await patch(`/api/v1/documents/${doc.id}`, { organ_id: 2_147_483_647 }), 400, 'validation_failed');
      expect(error.fields?.['organ_id']).toBeDefined();
    });
  });
});

describe('audit_log and index_jobs', () => {
  const auditOf = (entity: string, id: number) =>
    ctx.db.selectFrom('audit_log').selectAll().where('entity', '=', entity).where('entity_id', '=', String(id)).orderBy('id').execute();
  const jobsOf = (entity: 'document' | 'interpretation', id: number) =>
    ctx.db.selectFrom('index_jobs').selectAll().where('entity', '=', entity).where('entity_id', '=', id).execute();

  it('a document create writes the document, one audit row (after) and an index job', async () => {
    const organ = await newOrgan();
    let id = 0;
    const delta = await rowDelta(ctx.db, async () => {
      id = (await createDoc({ organ_id: organ, title: '审计测试文件', topics: ['财政信息'], body: '很长的正文' })).id;
    });
    expect(delta).toMatchObject({ documents: 1, document_topics: 1, audit_log: 1, index_jobs: 1 });
    const audit = await auditOf('document', id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'document.create',
      user_id: admin.userId,
      before: null,
      after: expect.objectContaining({ title: '审计测试文件', organ_id: organ, topics: ['财政信息'] }),
    });
    expect(await jobsOf('document', id)).toHaveLength(1);
  });

  it('a document patch writes one audit row with before and after', async () => {
    const doc = await createDoc({ organ_id: await newOrganCached(), title: '改前标题' });
    const delta = await rowDelta(ctx.db, () => patch(`/api/v1/documents/${doc.id}`, { title: '改后标题' }).expect(200));
    expect(delta).toMatchObject({ documents: 0, audit_log: 1, index_jobs: 1 });
    const audit = await auditOf('document', doc.id);
    expect(audit.map((a) => a.action)).toEqual(['document.create', 'document.update']);
    expect(audit[1]).toMatchObject({
      before: expect.objectContaining({ title: '改前标题' }),
      after: expect.objectContaining({ title: '改后标题' }),
    });
  });

  it('a repeal by another document writes one audit row and index jobs for both documents', async () => {
    const organ = await newOrganCached();
    const old = await createDoc({ organ_id: organ, published_on: '2023-01-01' });
    const replacement = await createDoc({ organ_id: organ, published_on: '2023-06-01' });
    const jobsBefore = (await jobsOf('document', replacement.id)).length;
    const delta = await rowDelta(ctx.db, () =>
      post(`/api/v1/documents/${old.id}/repeal`, { repealed_on: '2023-06-01', by_document_id: replacement.id }).expect(200),
    );
    expect(delta).toMatchObject({ document_repeals: 1, document_relations: 1, audit_log: 1, index_jobs: 2 });
    expect((await jobsOf('document', replacement.id)).length).toBe(jobsBefore + 1);
    const audit = await auditOf('document', old.id);
    expect(audit.at(-1)).toMatchObject({ action: 'document.repeal', after: expect.objectContaining({ repealed_on: '2023-06-01' }) });
  });

  it('an amendment writes one audit row and index jobs for both documents', async () => {
    const organ = await newOrganCached();
    const target = await createDoc({ organ_id: organ, published_on: '2023-01-01' });
    const amender = await createDoc({ organ_id: organ, published_on: '2023-06-01' });
    const delta = await rowDelta(ctx.db, () =>
      post(`/api/v1/documents/${amender.id}/relations`, { relation: 'amends', target_id: target.id }).expect(200),
    );
    expect(delta).toMatchObject({ document_relations: 1, audit_log: 1, index_jobs: 2 });
  });

  it('an interpretation create and re-link write one audit row each and index jobs for every touched document', async () => {
    const organ = await newOrganCached();
    const a = await createDoc({ organ_id: organ, published_on: '2023-01-01' });
    const b = await createDoc({ organ_id: organ, published_on: '2023-01-01' });
    let id = 0;
    const created = await rowDelta(ctx.db, async () => {
      id = (await post('/api/v1/interpretations', { title: '审计解读', body: '正文', published_on: '2023-02-01', document_ids: [a.id] }).expect(201)).body.id;
    });
    expect(created).toMatchObject({ interpretations: 1, interpretation_documents: 1, audit_log: 1, index_jobs: 2 });
    const relinked = await rowDelta(ctx.db, () => patch(`/api/v1/interpretations/${id}`, { document_ids: [b.id] }).expect(200));
    expect(relinked).toMatchObject({ interpretations: 0, interpretation_documents: 0, audit_log: 1, index_jobs: 3 });
    const audit = await auditOf('interpretation', id);
    expect(audit.map((r) => r.action)).toEqual(['interpretation.create', 'interpretation.update']);
    expect(audit[1]).toMatchObject({ before: expect.objectContaining({ document_ids: [a.id] }), after: expect.objectContaining({ document_ids: [b.id] }) });
  });

  it('the editor is recorded as the actor of an editor write', async () => {
    const res = await post('/api/v1/documents', { kind: 'normative', title: '编辑登记', organ_id: await newOrganCached() }, editorToken).expect(201);
    const audit = await auditOf('document', res.body.id);
    const editorId = (await ctx.db.selectFrom('users').select('id').where('role', '=', 'editor').executeTakeFirstOrThrow()).id;
    expect(audit[0]?.user_id).toBe(editorId);
  });

  async function withFailingInsert(table: 'index_jobs' | 'audit_log', work: () => Promise<void>) {
    await sql.raw(`create function test_fail_${table}() returns trigger language plpgsql as $$ begin raise exception 'test: ${table} refused'; end $$`).execute(ctx.db);
    await sql.raw(`create trigger test_fail_${table} before insert on ${table} for each statement execute function test_fail_${table}()`).execute(ctx.db);
    try {
      await work();
    } finally {
      await sql.raw(`drop trigger test_fail_${table} on ${table}`).execute(ctx.db);
      await sql.raw(`drop function test_fail_${table}()`).execute(ctx.db);
    }
  }

  it.each([['index_jobs'], ['audit_log']] as const)(
    'when the %s insert fails, the document, its topics and its audit row vanish with it (one transaction)',
    async (table) => {
      const organ = await newOrganCached();
      const co = await newOrganCached2();
      await withFailingInsert(table, () =>
        expectNothingStored(ctx.db, async () => {
          const res = await post('/api/v1/documents', { kind: 'normative', title: '应整体回滚', organ_id: organ, topics: ['其他'], co_organ_ids: [co] });
          expectApiError(res, 500, 'internal');
          expect(res.text).not.toContain('refused');
        }),
      );
    },
  );

  it.each([['index_jobs'], ['audit_log']] as const)('when the %s insert fails, a repeal and an interpretation roll back too', async (table) => {
    const organ = await newOrganCached();
    const doc = await createDoc({ organ_id: organ, published_on: '2023-01-01' });
    await withFailingInsert(table, () =>
      expectNothingStored(ctx.db, async () => {
        expectApiError(await post(`/api/v1/documents/${doc.id}/repeal`, { repealed_on: '2023-05-01' }), 500, 'internal');
        expectApiError(
          await post('/api/v1/interpretations', { title: '应回滚的解读', body: '正文', published_on: '2023-02-01', document_ids: [doc.id] }),
          500,
          'internal',
        );
        expectApiError(await patch(`/api/v1/documents/${doc.id}`, { title: '应回滚的标题' }), 500, 'internal');
      }),
    );
    expect(await statusAsOf(doc.id, '2023-06-01')).toBe('in_force');
  });
});

let cachedOrgan2: number | undefined;
async function newOrganCached2() {
  cachedOrgan2 ??= await newOrgan();
  return cachedOrgan2;
}

describe('linking interpretations one document at a time', () => {
  it('keeps every link when several are added at once, and refuses to remove the last one', async () => {
    const organ = await buildOrgan(ctx.services, admin);
    const docs = await Promise.all(
      Array.from({ length: 6 }, (_, i) => buildDocument(ctx.services, admin, { organ_id: organ.id, title: `并发关联文件${i}` })),
    );
    const interpretation = await buildInterpretation(ctx.services, admin, [docs[0]!.id]);
    await Promise.all(docs.slice(1).map((d) => ctx.services.interpretations.link(admin, interpretation.id, d.id)));
    const linked = await ctx.services.interpretations.get(admin, interpretation.id);
    expect(linked.documents.map((d) => d.id).sort((a, b) => a - b)).toEqual(docs.map((d) => d.id).sort((a, b) => a - b));

    for (const d of docs.slice(1)) await ctx.services.interpretations.unlink(admin, interpretation.id, d.id);
    await expect(ctx.services.interpretations.unlink(admin, interpretation.id, docs[0]!.id)).rejects.toThrow('不能取消关联');
    expect((await ctx.services.interpretations.get(admin, interpretation.id)).documents.map((d) => d.id)).toEqual([docs[0]!.id]);
  });
});
