import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, movableClock, type TestContext } from '../support/context.js';
import { expectApiError, expectHtmlError, expectNothingStored } from '../support/assertions.js';
import { bearer, buildDocument, buildOrgan } from '../support/factories.js';
import type { Actor } from '../../src/features/accounts/actor.js';

// Every rejected write must leave every table as it was; every error is a clean Chinese JSON answer.

const TODAY = '2024-06-15';
let ctx: TestContext;
let token: string;
let admin: Actor;
let organId: number;

beforeAll(async () => {
  const clock = movableClock();
  clock.set(TODAY);
  ctx = await createTestContext({ clock });
  ({ token, actor: admin } = await ctx.user('admin'));
  organId = (await buildOrgan(ctx.services, admin, { name: '坏输入测试县人民政府', doc_prefixes: ['坏政发'] })).id;
});
afterAll(() => ctx?.close());

const valid = () => ({ kind: 'normative', title: '关于坏输入测试的通知', organ_id: organId });

const postJson = (body: unknown) =>
  ctx.request().post('/api/v1/documents').set(bearer(token)).send(body as object);

const postRaw = (raw: string, contentType = 'application/json') =>
  ctx.request().post('/api/v1/documents').set(bearer(token)).set('Content-Type', contentType).send(raw);

describe('bodies that are not a JSON object', () => {
  it.each([
    ['{"kind":"normative",', 'truncated'],
    ["{'kind':'normative'}", 'single quotes'],
    ['{"kind":"normative",}', 'trailing comma'],
    ['{kind:"normative"}', 'unquoted key'],
    ['\u0000', 'a NUL byte'],
    ['{"title":"\\ud800 unterminated', 'broken escape'],
  ])('malformed JSON %j (%s) → 400 invalid_json, nothing stored', async (raw) => {
    await expectNothingStored(ctx.db, async () => {
      expectApiError(await postRaw(raw), 400, 'invalid_json');
    });
  });

  it.each([
    ['"a string"'],
    ['42'],
    ['-1.5e3'],
    ['true'],
    ['null'],
    ['[]'],
    ['[{"kind":"normative","title":"数组里的文件","organ_id":1}]'],
  ])('JSON %s → 400, nothing stored', async (raw) => {
    await expectNothingStored(ctx.db, async () => {
      expectApiError(await postRaw(raw), 400, ['invalid_json', 'validation_failed']);
    });
  });

  it('an empty JSON body → 400 naming the required fields', async () => {
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await postRaw(''), 400, 'validation_failed');
      expect(Object.keys(error.fields ?? {})).toEqual(expect.arrayContaining(['kind', 'title', 'organ_id']));
    });
  });

  it('a JSON document sent as text/plain is not parsed → 400, nothing stored', async () => {
    await expectNothingStored(ctx.db, async () => {
      expectApiError(await postRaw(JSON.stringify(valid()), 'text/plain'), 400, 'validation_failed');
    });
  });

  it('a charset other than UTF-8 → 415, nothing stored', async () => {
    await expectNothingStored(ctx.db, async () => {
      expectApiError(await postRaw(JSON.stringify(valid()), 'application/json; charset=koi8-r'), 415, 'unsupported_media_type');
    });
  });

  it('a body over MAX_JSON_KB → 413 payload_too_large, nothing stored', async () => {
    const body = { ...valid(), body: 'x'.repeat(ctx.config.maxJsonBytes + 1024) };
    await expectNothingStored(ctx.db, async () => {
      expectApiError(await postJson(body), 413, 'payload_too_large');
    });
  });

  it('the size limit is checked before authentication: an anonymous huge body is 413 too', async () => {
    const body = JSON.stringify({ ...valid(), body: 'x'.repeat(ctx.config.maxJsonBytes + 1024) });
    await expectNothingStored(ctx.db, async () => {
      const res = await ctx.request().post('/api/v1/documents').set('Content-Type', 'application/json').send(body);
      expectApiError(res, 413, 'payload_too_large');
    });
  });

  it('a large body under MAX_JSON_KB is accepted (the limit is not lower than configured)', async () => {
    const text = '正文'.repeat(100_000); // 600 KB of UTF-8
    const res = await postJson({ ...valid(), body: text });
    expect(res.status).toBe(201);
    const row = await ctx.db.selectFrom('documents').select('body').where('id', '=', res.body.id).executeTakeFirstOrThrow();
    expect(row.body).toBe(text);
  });
});

describe('POST /api/v1/documents: wrong types for every field', () => {
  const cases: [field: string, value: unknown][] = [
    ['kind', 5],
    ['kind', null],
    ['kind', 'decree'],
    ['kind', 'NORMATIVE'],
    ['kind', ['normative']],
    ['kind', ''],
    ['title', 5],
    ['title', null],
    ['title', ''],
    ['title', '   '],
    ['title', 'x'.repeat(501)],
    ['title', { zh: '标题' }],
    ['title', ['标题']],
    ['organ_id', '1'],
    ['organ_id', 1.5],
    ['organ_id', 0],
    ['organ_id', -1],
    ['organ_id', 99_999_999_999],
    ['organ_id', null],
    ['organ_id', true],
    ['organ_id', [1]],
    ['doc_number', 5],
    ['doc_number', { prefix: '坏政发' }],
    ['doc_number', ['坏政发〔2023〕1号']],
    ['doc_number', 'x'.repeat(101)],
    ['index_number', 5],
    ['index_number', []],
    ['index_number', 'x'.repeat(101)],
    ['co_organ_ids', 1],
    ['co_organ_ids', '1'],
    ['co_organ_ids', ['1']],
    ['co_organ_ids', [1.5]],
    ['co_organ_ids', [-1]],
    ['co_organ_ids', { 0: 1 }],
    ['signed_on', 20230301],
    ['published_on', true],
    ['effective_on', ['2023-03-01']],
    ['expires_on', { y: 2023 }],
    ['topics', '综合政务'],
    ['topics', [5]],
    ['topics', ['']],
    ['topics', [null]],
    ['topics', { 0: '综合政务' }],
    ['body', 5],
    ['body', ['第一条']],
    ['body', { text: '第一条' }],
    ['body', null],
  ];
  it.each(cases)('%s = %j → 400 naming that field, nothing stored', async (field, value) => {
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await postJson({ ...valid(), [field]: value }), 400, 'validation_failed');
      const keys = Object.keys(error.fields ?? {});
      expect(keys.some((k) => k === field || k.startsWith(`${field}.`)), `fields ${keys.join(',')}`).toBe(true);
    });
  });

  it.each([['kind'], ['title'], ['organ_id']])('missing %s → 400 naming it', async (field) => {
    const body: Record<string, unknown> = valid();
    delete body[field];
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await postJson(body), 400, 'validation_failed');
      expect(error.fields).toHaveProperty(field);
    });
  });

  it('reports every bad field at once', async () => {
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(
        await postJson({ kind: 'decree', title: '', organ_id: 'a', published_on: '2023-02-30', topics: 'x' }),
        400,
        'validation_failed',
      );
      expect(Object.keys(error.fields ?? {})).toEqual(
        expect.arrayContaining(['kind', 'title', 'organ_id', 'published_on', 'topics']),
      );
    });
  });

  it('an organ that does not exist → 400 fields.organ_id, nothing stored', async () => {
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await postJson({ ...valid(), organ_id: 2_147_483_647 }), 400, 'validation_failed');
      expect(error.fields?.['organ_id']).toBeDefined();
    });
  });

  it('an unknown topic → 400 fields.topics, nothing stored', async () => {
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await postJson({ ...valid(), topics: ['综合政务', '不存在的主题'] }), 400);
      expect(error.fields?.['topics']).toContain('不存在的主题');
    });
  });

  it.each([['published_on'], ['signed_on'], ['effective_on'], ['expires_on']])(
    'a real leap day in %s is accepted (the date check is not too strict)',
    async (field) => {
      const dates: Record<string, string> = { signed_on: '2024-02-29', published_on: '2024-02-29' };
      dates[field] = '2024-02-29';
      const res = await postJson({ ...valid(), ...dates });
      expect(res.status).toBe(201);
      expect(res.body[field]).toBe('2024-02-29');
    },
  );
});

describe('impossible and badly written dates', () => {
  const badDates = [
    '2023-02-30',
    '2023-02-29',
    '2100-02-29',
    '2023-04-31',
    '2023-13-01',
    '2023-00-10',
    '2023-01-00',
    '0000-01-01',
    '2023-2-3',
    '2023-02-3',
    '23-02-03',
    '',
    ' 2023-03-01',
    '2023/03/01',
    '20230301',
    '2023-03-01T00:00:00Z',
    '2023年3月1日',
    '２０２３-０３-０１',
  ];
  const fields = ['signed_on', 'published_on', 'effective_on', 'expires_on'];
  const cases = fields.flatMap((field) => badDates.map((date) => [field, date] as const));

  it.each(cases)('%s = %j → 400 with a Chinese message on that field, nothing stored', async (field, date) => {
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await postJson({ ...valid(), [field]: date }), 400, 'validation_failed');
      expect(error.fields?.[field]).toMatch(/日期/);
    });
  });
});

describe('unknown fields', () => {
  it.each([
    ['status', 'in_force'],
    ['id', 12345],
    ['repealed_on', '2023-01-01'],
    ['organ', '坏输入测试县人民政府'],
    ['created_by', 1],
    ['Title', '大小写不同的字段'],
    ['constructor', { name: 'x' }],
  ])('unknown field %s → 400 不支持的字段, nothing stored', async (field, value) => {
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await postJson({ ...valid(), [field]: value }), 400, 'validation_failed');
      expect(error.fields?.[field]).toBe('不支持的字段');
    });
  });

  it('a "__proto__" key is rejected and named in fields (fields must not be a plain object map)', async () => {
    await expectNothingStored(ctx.db, async () => {
      const res = await postRaw(`{"kind":"normative","title":"原型","organ_id":${organId},"__proto__":{"admin":true}}`);
      const error = expectApiError(res, 400, 'validation_failed');
      expect(Object.keys(error.fields ?? {})).toContain('__proto__');
    });
  });

  it('unknown fields in PATCH are rejected and the document is unchanged', async () => {
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId });
    await expectNothingStored(ctx.db, async () => {
      const res = await ctx.request().patch(`/api/v1/documents/${doc.id}`).set(bearer(token)).send({ title: '新标题', status: 'repealed' });
      const error = expectApiError(res, 400, 'validation_failed');
      expect(error.fields?.['status']).toBe('不支持的字段');
    });
    const row = await ctx.db.selectFrom('documents').select('title').where('id', '=', doc.id).executeTakeFirstOrThrow();
    expect(row.title).toBe(doc.title);
  });
});

describe('NUL bytes in text', () => {
  const NUL = 'a\u0000b';
  it.each([
    ['title', NUL, 'title'],
    ['title', '\u0000', 'title'],
    ['doc_number', '坏政发〔2023〕1号\u0000', 'doc_number'],
    ['index_number', NUL, 'index_number'],
    ['body', `第一条${NUL}`, 'body'],
    ['topics', ['综合政务\u0000'], 'topics.0'],
  ])('document %s with NUL → 400 on %s, nothing stored', async (field, value, key) => {
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await postJson({ ...valid(), [field]: value }), 400, 'validation_failed');
      expect(error.fields?.[key]).toBeDefined();
    });
  });

  it.each([
    [{ name: `机关${NUL}` }, 'name'],
    [{ name: '有简称的机关', short_name: NUL }, 'short_name'],
    [{ name: '有前缀的机关', doc_prefixes: [`坏${NUL}`] }, 'doc_prefixes.0'],
  ])('organ %j → 400, nothing stored', async (body, key) => {
    await expectNothingStored(ctx.db, async () => {
      const res = await ctx.request().post('/api/v1/organs').set(bearer(token)).send(body);
      const error = expectApiError(res, 400, 'validation_failed');
      expect(error.fields?.[key]).toBeDefined();
    });
  });

  it.each([
    [{ title: NUL, body: '解读', published_on: '2023-03-02' }, 'title'],
    [{ title: '解读', body: NUL, published_on: '2023-03-02' }, 'body'],
  ])('interpretation %j → 400, nothing stored', async (fields, key) => {
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId });
    await expectNothingStored(ctx.db, async () => {
      const res = await ctx.request().post('/api/v1/interpretations').set(bearer(token)).send({ ...fields, document_ids: [doc.id] });
      const error = expectApiError(res, 400, 'validation_failed');
      expect(error.fields?.[key]).toBeDefined();
    });
  });

  it('PATCH with NUL → 400, document unchanged', async () => {
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId });
    await expectNothingStored(ctx.db, async () => {
      const res = await ctx.request().patch(`/api/v1/documents/${doc.id}`).set(bearer(token)).send({ body: NUL });
      expectApiError(res, 400, 'validation_failed');
    });
  });

  it('repeal reason with NUL → 400, not repealed', async () => {
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId });
    await expectNothingStored(ctx.db, async () => {
      const res = await ctx
        .request()
        .post(`/api/v1/documents/${doc.id}/repeal`)
        .set(bearer(token))
        .send({ repealed_on: '2023-06-01', reason: NUL });
      const error = expectApiError(res, 400, 'validation_failed');
      expect(error.fields?.['reason']).toBeDefined();
    });
  });

  it('sign-in with a NUL byte in the username → 4xx (not a 500), no token issued', async () => {
    const tokens = () => ctx.db.selectFrom('api_tokens').select('id').execute();
    const before = await tokens();
    const res = await ctx.request().post('/api/v1/auth/token').send({ username: `admin${NUL}`, password: 'whatever' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expectApiError(res, res.status);
    expect(await tokens()).toEqual(before);
  });

  it('a NUL byte in a query or path parameter → 400', async () => {
    expectApiError(await ctx.request().get('/api/v1/documents?kind=%00'), 400, 'validation_failed');
    expectApiError(await ctx.request().get('/api/v1/documents?as_of=%00'), 400, 'validation_failed');
    expectApiError(await ctx.request().get('/api/v1/documents/%00'), 400, 'validation_failed');
  });
});

const INJECTIONS = [
  `'; drop table documents; --`,
  `1 OR 1=1`,
  `" OR ""="`,
  `1'; update documents set title='x' where '1'='1`,
  `Robert'); DROP TABLE organs;--`,
  `\\'; select pg_sleep(10); --`,
  `$1`,
];

describe('SQL injection strings are data', () => {
  it.each(INJECTIONS)('%j in title, index_number and body is stored verbatim', async (payload) => {
    const organsBefore = await ctx.db.selectFrom('organs').select('id').execute();
    const res = await postJson({ ...valid(), title: payload, index_number: `idx-${payload}`, body: payload, published_on: '2023-03-01' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ title: payload, index_number: `idx-${payload}` });
    const row = await ctx.db
      .selectFrom('documents')
      .select(['title', 'index_number', 'body'])
      .where('id', '=', res.body.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ title: payload, index_number: `idx-${payload}`, body: payload });
    // Nothing else was touched: the tables are there and other rows are as they were.
    expect(await ctx.db.selectFrom('organs').select('id').execute()).toEqual(organsBefore);
    const read = await ctx.request().get(`/api/v1/documents/${res.body.id}`).expect(200);
    expect(read.body.title).toBe(payload);
    expect(read.body.body).toBe(payload);
  });

  it.each(INJECTIONS)('%j as a doc_number is not a 文号 → 400, nothing stored', async (payload) => {
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await postJson({ ...valid(), doc_number: payload }), 400, 'validation_failed');
      expect(error.fields?.['doc_number']).toBeDefined();
    });
  });

  it.each(INJECTIONS)('%j as a topic is an unknown topic → 400, nothing stored', async (payload) => {
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await postJson({ ...valid(), topics: [payload] }), 400, 'validation_failed');
      expect(error.fields?.['topics']).toBeDefined();
    });
  });

  it.each(INJECTIONS)('%j as an organ name is stored verbatim', async (payload) => {
    const name = `${payload}（机关）`;
    const res = await ctx.request().post('/api/v1/organs').set(bearer(token)).send({ name, short_name: payload }).expect(201);
    expect(res.body).toMatchObject({ name, short_name: payload });
    const list = await ctx.request().get('/api/v1/organs').expect(200);
    expect(list.body.items).toContainEqual(expect.objectContaining({ id: res.body.id, name, short_name: payload }));
  });

  it.each(INJECTIONS)('%j in an interpretation and a repeal reason is stored verbatim', async (payload) => {
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId });
    const interpretation = await ctx
      .request()
      .post('/api/v1/interpretations')
      .set(bearer(token))
      .send({ title: payload, body: payload, published_on: '2023-03-02', document_ids: [doc.id] })
      .expect(201);
    expect(interpretation.body).toMatchObject({ title: payload, body: payload });
    const repealed = await ctx
      .request()
      .post(`/api/v1/documents/${doc.id}/repeal`)
      .set(bearer(token))
      .send({ repealed_on: '2023-06-01', reason: payload })
      .expect(200);
    expect(repealed.body.repeal).toMatchObject({ reason: payload });
  });

  it.each(INJECTIONS)('%j as a username signs nobody in → 401', async (payload) => {
    const res = await ctx.request().post('/api/v1/auth/token').send({ username: payload, password: payload });
    expectApiError(res, 401, 'unauthenticated');
  });

  it('after all of the above the catalog is intact', async () => {
    const tables = await sql<{ n: string }>`select count(*) as n from information_schema.tables
      where table_schema = 'public' and table_name in ('documents', 'organs', 'audit_log', 'index_jobs')`.execute(ctx.db);
    expect(Number(tables.rows[0]?.n)).toBe(4);
    const titles = await ctx.db.selectFrom('documents').select('title').where('title', '=', 'x').execute();
    expect(titles).toEqual([]);
  });
});

const BAD_IDS = [
  '1 OR 1=1',
  '1abc',
  '-1',
  '0',
  '01',
  '1.0',
  '1e3',
  '0x10',
  ' 1',
  '99999999999',
  '9999999999',
  '2147483648',
  `1'; drop table documents; --`,
  '１',
];

describe('bad ids in paths', () => {
  let docId: number;
  beforeAll(async () => {
    docId = (await buildDocument(ctx.services, admin, { organ_id: organId })).id;
  });

  const path = (template: string, id: string) => template.replace(':id', encodeURIComponent(id));

  it.each(BAD_IDS)('GET /api/v1/documents/%s → 400 fields.id', async (id) => {
    const error = expectApiError(await ctx.request().get(path('/api/v1/documents/:id', id)), 400, 'validation_failed');
    expect(error.fields?.['id']).toBeDefined();
  });

  it.each(BAD_IDS)('writes to /api/v1/documents/%s → 400, nothing stored', async (id) => {
    await expectNothingStored(ctx.db, async () => {
      expectApiError(
        await ctx.request().patch(path('/api/v1/documents/:id', id)).set(bearer(token)).send({ title: '改' }),
        400,
        'validation_failed',
      );
      expectApiError(
        await ctx.request().post(path('/api/v1/documents/:id/repeal', id)).set(bearer(token)).send({ repealed_on: '2023-06-01' }),
        400,
        'validation_failed',
      );
      expectApiError(
        await ctx
          .request()
          .post(path('/api/v1/documents/:id/relations', id))
          .set(bearer(token))
          .send({ relation: 'amends', target_id: docId }),
        400,
        'validation_failed',
      );
      expectApiError(
        await ctx.request().patch(path('/api/v1/interpretations/:id', id)).set(bearer(token)).send({ title: '改' }),
        400,
        'validation_failed',
      );
    });
  });

  it.each(BAD_IDS)('file and interpretation reads with id %s → 400', async (id) => {
    expectApiError(await ctx.request().get(path('/api/v1/documents/:id/file', id)), 400, 'validation_failed');
    expectApiError(await ctx.request().get(`/api/v1/documents/${docId}/files/${encodeURIComponent(id)}`), 400, 'validation_failed');
    expectApiError(await ctx.request().get(path('/api/v1/interpretations/:id', id)), 400, 'validation_failed');
  });

  it.each(BAD_IDS)('HTML pages /documents/%s and /interpretations/… → 400 page', async (id) => {
    expectHtmlError(await ctx.request().get(path('/documents/:id', id)).set('Accept', 'text/html'), 400);
    expectHtmlError(await ctx.request().get(path('/interpretations/:id', id)).set('Accept', 'text/html'), 400);
  });

  it('the largest id is well-formed and simply not found → 404', async () => {
    expectApiError(await ctx.request().get('/api/v1/documents/2147483647'), 404, 'not_found');
    expectHtmlError(await ctx.request().get('/documents/2147483647').set('Accept', 'text/html'), 404);
  });

  it.each(['%', '%E0%A4%A', '%ZZ', 'abc%'])('malformed percent-encoding /api/v1/documents/%s → 400 (not 500)', async (raw) => {
    expectApiError(await ctx.request().get(`/api/v1/documents/${raw}`), 400);
  });

  it('malformed percent-encoding on an HTML page → 400 page (not 500)', async () => {
    expectHtmlError(await ctx.request().get('/documents/%E0%A4%A').set('Accept', 'text/html'), 400);
  });

  it.each(BAD_IDS)('target_id / by_document_id / document_ids %j in a body are not ids → 400', async (id) => {
    await expectNothingStored(ctx.db, async () => {
      const relation = await ctx
        .request()
        .post(`/api/v1/documents/${docId}/relations`)
        .set(bearer(token))
        .send({ relation: 'amends', target_id: id });
      expect(expectApiError(relation, 400, 'validation_failed').fields?.['target_id']).toBeDefined();
      const repeal = await ctx
        .request()
        .post(`/api/v1/documents/${docId}/repeal`)
        .set(bearer(token))
        .send({ repealed_on: '2023-06-01', by_document_id: id });
      expect(expectApiError(repeal, 400, 'validation_failed').fields?.['by_document_id']).toBeDefined();
      const interpretation = await ctx
        .request()
        .post('/api/v1/interpretations')
        .set(bearer(token))
        .send({ title: '解读', body: '解读', published_on: '2023-03-02', document_ids: [id] });
      expect(expectApiError(interpretation, 400, 'validation_failed').fields?.['document_ids.0']).toBeDefined();
    });
  });
});

describe('bad query parameters', () => {
  it.each([
    ['organ_id', '1 OR 1=1'],
    ['organ_id', '1abc'],
    ['organ_id', '-1'],
    ['organ_id', '99999999999'],
    ['organ_id', "1'; drop table documents; --"],
    ['kind', "normative'; drop table documents; --"],
    ['kind', '1 OR 1=1'],
    ['kind', 'decree'],
    ['status', "in_force' or '1'='1"],
    ['status', 'valid'],
    ['status', 'IN_FORCE'],
    ['status', '现行有效'],
    ['as_of', "2023-01-01' or '1'='1"],
    ['as_of', '2023-02-30'],
    ['as_of', '2023-13-01'],
    ['as_of', '2023-2-3'],
    ['as_of', 'today'],
    ['as_of', '2023-03-01T00:00:00Z'],
    ['page', '1 OR 1=1'],
    ['page', '0'],
    ['page', '-1'],
    ['page', 'abc'],
    ['page', '1.5'],
    ['page', '1e2'],
    ['page', '9999999'],
    ['page_size', '0'],
    ['page_size', '101'],
    ['page_size', 'abc'],
    ['page_size', '-5'],
    ['page_size', '1e2'],
    ['page_size', '10000'],
  ])('GET /api/v1/documents?%s=%s → 400 naming the parameter', async (name, value) => {
    const res = await ctx.request().get('/api/v1/documents').query({ [name]: value });
    const error = expectApiError(res, 400, 'validation_failed');
    const keys = Object.keys(error.fields ?? {});
    expect(keys.some((k) => k === name || k.startsWith(`${name}.`)), `fields ${keys.join(',')}`).toBe(true);
  });

  it.each([['page'], ['page_size'], ['as_of']])('a repeated scalar parameter %s → 400', async (name) => {
    const value = name === 'as_of' ? '2023-01-01' : '1';
    const res = await ctx.request().get(`/api/v1/documents?${name}=${value}&${name}=${value}`);
    expectApiError(res, 400, 'validation_failed');
  });

  it('bad as_of on a single document → 400', async () => {
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId });
    for (const asOf of ['2023-02-30', '2023-13-01', 'yesterday', "2023-01-01' or 1=1 --"]) {
      const error = expectApiError(
        await ctx.request().get(`/api/v1/documents/${doc.id}`).query({ as_of: asOf }),
        400,
        'validation_failed',
      );
      expect(error.fields?.['as_of']).toBeDefined();
    }
  });

  it.each([['page=0'], ['page_size=101'], ['page_size=abc']])('GET /api/v1/interpretations?%s → 400', async (q) => {
    expectApiError(await ctx.request().get(`/api/v1/interpretations?${q}`), 400, 'validation_failed');
  });

  it('good paging still works at its bounds: page_size=100, and a page past the end is empty', async () => {
    const own = (await buildOrgan(ctx.services, admin)).id;
    for (let i = 0; i < 3; i++) await buildDocument(ctx.services, admin, { organ_id: own });
    const full = await ctx.request().get(`/api/v1/documents?organ_id=${own}&page_size=100`).expect(200);
    expect(full.body).toMatchObject({ total: 3, page: 1, page_size: 100 });
    expect(full.body.items).toHaveLength(3);
    const past = await ctx.request().get(`/api/v1/documents?organ_id=${own}&page=5&page_size=1`).expect(200);
    expect(past.body).toMatchObject({ total: 3, page: 5, page_size: 1, items: [] });
  });

  it.each([
    ['page=0'],
    ['page_size=101'],
    ['page_size=abc'],
    ['as_of=2023-02-30'],
    ['status=valid'],
    ['kind=%3Cscript%3Ealert(1)%3C%2Fscript%3E'],
    ["organ_id=1%20OR%201%3D1&kind=normative'--"],
  ])('the catalog page /?%s → 400 page, no raw payload', async (q) => {
    const res = await ctx.request().get(`/?${q}`).set('Accept', 'text/html');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expectHtmlError(res, res.status);
    expect(res.text).not.toContain('<script>alert');
  });

  it("the catalog page's own filter form submitted with nothing chosen (/?kind=&status=&as_of=) → 200", async () => {
    const res = await ctx.request().get('/?kind=&status=&as_of=').set('Accept', 'text/html');
    expect(res.status).toBe(200);
  });

  it('the catalog is still intact after the injection attempts in query strings', async () => {
    const own = (await buildOrgan(ctx.services, admin)).id;
    const doc = await buildDocument(ctx.services, admin, { organ_id: own });
    const list = await ctx.request().get(`/api/v1/documents?organ_id=${own}`).expect(200);
    expect(list.body.items.map((d: { id: number }) => d.id)).toEqual([doc.id]);
  });
});

describe('HTML and script payloads are stored verbatim and shown escaped', () => {
  const TITLE = '<script>alert("title")</script>关于<b>加粗</b>的通知';
  const BODY = '第一条 <script>alert("body")</script>\n第二条 <img src=x onerror=alert(1)>';
  const INDEX = '<script>alert("index")</script>';
  const ORGAN = '<script>alert("organ")</script>人民政府';
  const CO_ORGAN = '<img src=x onerror=alert("co")>办公室';
  const INTERPRETATION = '<script>alert("interpretation")</script>解读';
  const AMENDER = '<script>alert("amender")</script>修改决定';
  const REASON = '<script>alert("reason")</script>';

  let docId: number;
  let interpretationId: number;
  let htmlOrganId: number;

  beforeAll(async () => {
    htmlOrganId = (await buildOrgan(ctx.services, admin, { name: ORGAN })).id;
    const coOrganId = (await buildOrgan(ctx.services, admin, { name: CO_ORGAN })).id;
    const created = await postJson({
      kind: 'normative',
      title: TITLE,
      body: BODY,
      index_number: INDEX,
      organ_id: htmlOrganId,
      co_organ_ids: [coOrganId],
      // Published today, so it carries what publishing requires.
      doc_number: `注政发〔${TODAY.slice(0, 4)}〕1号`,
      signed_on: TODAY,
      // The newest publication in this database, so it is on the first page of the catalog.
      published_on: TODAY,
    });
    expect(created.status).toBe(201);
    docId = created.body.id;
    const amender = await buildDocument(ctx.services, admin, { organ_id: htmlOrganId, title: AMENDER, published_on: '2024-01-01' });
    await ctx.request().post(`/api/v1/documents/${amender.id}/relations`).set(bearer(token)).send({ relation: 'amends', target_id: docId }).expect(200);
    interpretationId = (
      await ctx
        .request()
        .post('/api/v1/interpretations')
        .set(bearer(token))
        .send({ title: INTERPRETATION, body: BODY, published_on: TODAY, document_ids: [docId] })
        .expect(201)
    ).body.id;
  });

  it('the API and the database keep the exact text', async () => {
    const read = await ctx.request().get(`/api/v1/documents/${docId}`).expect(200);
    expect(read.body).toMatchObject({ title: TITLE, body: BODY, index_number: INDEX, organ: { name: ORGAN } });
    expect(read.body.co_issuers).toEqual([expect.objectContaining({ name: CO_ORGAN })]);
    const row = await ctx.db.selectFrom('documents').select(['title', 'body', 'index_number']).where('id', '=', docId).executeTakeFirstOrThrow();
    expect(row).toEqual({ title: TITLE, body: BODY, index_number: INDEX });
  });

  it('GET /documents/:id escapes every user-supplied text', async () => {
    const res = await ctx.request().get(`/documents/${docId}`).set('Accept', 'text/html').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('&lt;script&gt;');
    expect(res.text).not.toMatch(/<script>alert/);
    expect(res.text).not.toMatch(/<img src=x/);
    expect(res.text).not.toContain('<b>加粗</b>');
    // Each source of text is on the page, escaped.
    for (const label of ['title', 'body', 'index', 'organ', 'interpretation', 'amender']) {
      expect(res.text, label).toContain(`&lt;script&gt;alert(&#34;${label}&#34;)&lt;/script&gt;`);
    }
    expect(res.text).toContain('&lt;img src=x onerror=alert(&#34;co&#34;)&gt;');
  });

  it('the catalog page / escapes titles and organ names', async () => {
    const res = await ctx.request().get('/?page_size=100').set('Accept', 'text/html').expect(200);
    expect(res.text).toContain('&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;');
    expect(res.text).toContain('&lt;script&gt;alert(&#34;organ&#34;)&lt;/script&gt;');
    expect(res.text).not.toMatch(/<script>alert/);
  });

  it('the interpretation page escapes its own and its documents’ text', async () => {
    const res = await ctx.request().get(`/interpretations/${interpretationId}`).set('Accept', 'text/html').expect(200);
    expect(res.text).toContain('&lt;script&gt;alert(&#34;interpretation&#34;)&lt;/script&gt;');
    expect(res.text).toContain('&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;');
    expect(res.text).not.toMatch(/<script>alert/);
    expect(res.text).not.toMatch(/<img src=x/);
  });

  it('a repeal reason is escaped on the document page', async () => {
    const doc = await buildDocument(ctx.services, admin, { organ_id: htmlOrganId });
    await ctx.request().post(`/api/v1/documents/${doc.id}/repeal`).set(bearer(token)).send({ repealed_on: '2024-01-01', reason: REASON }).expect(200);
    const res = await ctx.request().get(`/documents/${doc.id}`).set('Accept', 'text/html').expect(200);
    expect(res.text).toContain('&lt;script&gt;alert(&#34;reason&#34;)&lt;/script&gt;');
    expect(res.text).not.toMatch(/<script>alert/);
  });

  it.each([
    '<script>alert(1)</script>',
    '坏政发〔2023〕1号<script>alert(1)</script>',
    '<b>坏政发〔2023〕1号</b>',
  ])('doc_number %j is not a 文号 → 400, nothing stored', async (payload) => {
    await expectNothingStored(ctx.db, async () => {
      const error = expectApiError(await postJson({ ...valid(), doc_number: payload }), 400, 'validation_failed');
      expect(error.fields?.['doc_number']).toBeDefined();
    });
  });

  it('a 404 page for a path with a script does not echo it raw', async () => {
    const res = await ctx.request().get('/%3Cscript%3Ealert(1)%3C/script%3E').set('Accept', 'text/html');
    expectHtmlError(res, 404);
    expect(res.text).not.toMatch(/<script>alert/);
  });
});

describe('every API error has the same clean shape', () => {
  it('an unknown API path → 404 JSON', async () => {
    expectApiError(await ctx.request().get('/api/v1/no-such-thing'), 404, 'not_found');
    expectApiError(await ctx.request().post('/api/v1/no-such-thing').set(bearer(token)).send({}), 404, 'not_found');
  });

  it('an unknown API path asked for HTML still answers JSON', async () => {
    expectApiError(await ctx.request().get('/api/v1/no-such-thing').set('Accept', 'text/html'), 404, 'not_found');
  });

  it('a database failure inside a write → 500 internal, no SQL or stack, nothing stored', async () => {
    // A test-only trigger makes the index_jobs insert fail after the document row was written.
    await sql`create function test_fail_index_jobs() returns trigger language plpgsql as $$
              begin raise exception 'relation "index_jobs_test" violates check constraint test_only'; end $$`.execute(ctx.db);
    await sql`create trigger test_fail_index_jobs before insert on index_jobs
              for each statement execute function test_fail_index_jobs()`.execute(ctx.db);
    try {
      await expectNothingStored(ctx.db, async () => {
        const error = expectApiError(await postJson({ ...valid(), title: '应回滚的文件' }), 500, 'internal');
        expect(error.fields).toBeUndefined();
      });
    } finally {
      await sql`drop trigger test_fail_index_jobs on index_jobs`.execute(ctx.db);
      await sql`drop function test_fail_index_jobs()`.execute(ctx.db);
    }
  });
});

describe('accounts, tokens and the audit log refuse bad input and store nothing', () => {
  const api = (method: 'post' | 'patch' | 'delete' | 'get', url: string) => ctx.request()[method](url).set(bearer(token));

  it.each([
    [{ username: '', password: 'long-enough-pw', role: 'editor' }, 'username'],
    [{ username: 'someone', password: 'long-enough-pw', role: 'root' }, 'role'],
    [{ username: 'someone', password: 'short', role: 'editor' }, 'password'],
    [{ username: 'someone', password: 'long-enough-pw', role: 'editor', extra: 1 }, 'extra'],
  ])('POST /users %j → 400 naming %s', async (body, field) => {
    await expectNothingStored(ctx.db, async () => {
      const res = await api('post', '/api/v1/users').send(body);
      expectApiError(res, 400, 'validation_failed');
      expect(Object.keys(res.body.error.fields ?? {})).toContain(field);
    });
  });

  it('PATCH /users/:id with nothing, a wrong type or a bad id → 400, the user unchanged', async () => {
    const id = await ctx.services.users.create(null, { username: `patched${Date.now() % 100000}`, password: 'long-enough-pw', role: 'editor' });
    const before = await ctx.db.selectFrom('users').select(['role', 'disabled']).where('id', '=', id).executeTakeFirstOrThrow();
    expectApiError(await api('patch', `/api/v1/users/${id}`).send({}), 400, 'validation_failed');
    const wrong = await api('patch', `/api/v1/users/${id}`).send({ disabled: 'yes' });
    expectApiError(wrong, 400, 'validation_failed');
    expect(wrong.body.error.fields).toHaveProperty('disabled');
    expectApiError(await api('patch', '/api/v1/users/abc').send({ disabled: true }), 400, 'validation_failed');
    expect(await ctx.db.selectFrom('users').select(['role', 'disabled']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual(before);
  });

  it.each([[{}], [{ name: '' }], [{ name: 'a\u0000b' }], [{ name: 'x'.repeat(101) }]])('POST /auth/tokens %j → 400 naming name', async (body) => {
    await expectNothingStored(ctx.db, async () => {
      const res = await api('post', '/api/v1/auth/tokens').send(body);
      expectApiError(res, 400, 'validation_failed');
      expect(res.body.error.fields).toHaveProperty('name');
    });
  });

  it('DELETE /auth/tokens with a bad or unknown id → 400 / 404', async () => {
    expectApiError(await api('delete', '/api/v1/auth/tokens/abc'), 400, 'validation_failed');
    const unknown = await api('delete', '/api/v1/auth/tokens/2147483647');
    expectApiError(unknown, 404, 'not_found');
    expect(unknown.body.error.message).toBe('令牌不存在或已撤销');
  });

  it.each([
    ['from=2023-02-30', 'from'],
    ['user_id=1abc', 'user_id'],
    ['page=0', 'page'],
  ])('GET /audit?%s → 400 naming %s', async (query, field) => {
    const res = await api('get', `/api/v1/audit?${query}`);
    expectApiError(res, 400, 'validation_failed');
    expect(res.body.error.fields).toHaveProperty(field);
  });
});
