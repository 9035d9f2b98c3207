import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/features/accounts/actor.js';
import { expectApiError, expectHtmlError, expectNothingStored, rowDelta } from '../support/assertions.js';
import { createTestContext, movableClock, type MovableClock, type TestContext } from '../support/context.js';
import { bearer, buildDocument, buildInterpretation, buildOrgan, minimalPdf, buildUser } from '../support/factories.js';

const TODAY = '2024-06-15';
const TOMORROW = '2024-06-16';

let ctx: TestContext;
let clock: MovableClock;
let admin: { actor: Actor; token: string };
let editor: { actor: Actor; token: string };
let compiler: { actor: Actor; token: string };
let organId: number;
let docId: number;
let interpretationId: number;

beforeAll(async () => {
  clock = movableClock();
  clock.set(TODAY);
  ctx = await createTestContext({ clock });
  admin = await ctx.user('admin');
  editor = await ctx.user('editor');
  compiler = await ctx.user('compiler');
  organId = (await buildOrgan(ctx.services, admin.actor, { name: '权限测试县人民政府' })).id;
  docId = (await buildDocument(ctx.services, admin.actor, { organ_id: organId })).id;
  interpretationId = (await buildInterpretation(ctx.services, admin.actor, [docId])).id;
});
afterAll(() => ctx?.close());

/** Every write of the API, each with a body of the right shape. */
const writes = () =>
  [
    ['POST /organs', (r: ReturnType<TestContext['request']>) => r.post('/api/v1/organs'), { name: `新机关${randomBytes(3).toString('hex')}` }],
    [
      'POST /documents',
      (r: ReturnType<TestContext['request']>) => r.post('/api/v1/documents'),
      { kind: 'normative', title: '权限测试文件', organ_id: organId, published_on: '2024-01-02' },
    ],
    ['PATCH /documents/:id', (r: ReturnType<TestContext['request']>) => r.patch(`/api/v1/documents/${docId}`), { title: '改过的标题' }],
    [
      'POST /documents/:id/repeal',
      (r: ReturnType<TestContext['request']>) => r.post(`/api/v1/documents/${docId}/repeal`),
      { repealed_on: '2024-01-01' },
    ],
    [
      'POST /documents/:id/relations',
      (r: ReturnType<TestContext['request']>) => r.post(`/api/v1/documents/${docId}/relations`),
      { relation: 'amends', target_id: docId },
    ],
    [
      'POST /interpretations',
      (r: ReturnType<TestContext['request']>) => r.post('/api/v1/interpretations'),
      { title: '解读', body: '解读', published_on: '2024-01-02', document_ids: [docId] },
    ],
    [
      'PATCH /interpretations/:id',
      (r: ReturnType<TestContext['request']>) => r.patch(`/api/v1/interpretations/${interpretationId}`),
      { title: '改过的解读' },
    ],
  ] as const;

const WRITE_NAMES = writes().map(([name]) => name);
const writeNamed = (name: string) => writes().find(([n]) => n === name)!;

describe('writes need a valid bearer token', () => {
  const badHeaders: [string, (token: string) => string][] = [
    ['no token at all', () => ''],
    ['an unknown token', () => `Bearer gfw_${randomBytes(32).toString('base64url')}`],
    ['a token without our prefix', () => `Bearer ${randomBytes(32).toString('hex')}`],
    ['a tampered valid token', (t) => `Bearer ${t.slice(0, -2)}${t.endsWith('AA') ? 'BB' : 'AA'}`],
    ['a valid token with a suffix', (t) => `Bearer ${t}x`],
    ['an empty Bearer', () => 'Bearer '],
    ['Bearer without a token', () => 'Bearer'],
    ['two tokens', (t) => `Bearer ${t} ${t}`],
    ['Basic credentials', () => `Basic ${Buffer.from('admin1:whatever').toString('base64')}`],
    ['the token under another scheme', (t) => `Token ${t}`],
    ['the bare token', (t) => t],
    ['an over-long token', () => `Bearer gfw_${'a'.repeat(500)}`],
  ];
  const cases = WRITE_NAMES.flatMap((write) => badHeaders.map(([label, header]) => [write, label, header] as const));

  it.each(cases)('%s with %s → 401, nothing stored', async (write, _label, header) => {
    const [, open, body] = writeNamed(write);
    const value = header(admin.token);
    await expectNothingStored(ctx.db, async () => {
      let req = open(ctx.request());
      if (value !== '') req = req.set('Authorization', value);
      expectApiError(await req.send(body), 401, 'unauthenticated');
    });
  });

  it('a multipart upload without a token → 401 and the file is not stored', async () => {
    await expectNothingStored(ctx.db, async () => {
      const res = await ctx
        .request()
        .post('/api/v1/documents')
        .field('metadata', JSON.stringify({ kind: 'normative', title: '匿名上传', organ_id: organId }))
        .attach('file', minimalPdf(), { filename: '匿名.pdf', contentType: 'application/pdf' });
      expectApiError(res, 401, 'unauthenticated');
    });
  });

  it('the password itself in Basic credentials does not sign in', async () => {
    const { username, password } = await buildUser(ctx.services, 'admin');
    const [, open, body] = writeNamed('POST /documents');
    await expectNothingStored(ctx.db, async () => {
      const res = await open(ctx.request())
        .set('Authorization', `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`)
        .send(body);
      expectApiError(res, 401, 'unauthenticated');
    });
  });

  it('a revoked token → 401', async () => {
    const user = await ctx.user('admin');
    await ctx.db.updateTable('api_tokens').set({ revoked_at: new Date() }).where('user_id', '=', user.actor.userId).execute();
    const [, open, body] = writeNamed('POST /documents');
    await expectNothingStored(ctx.db, async () => {
      expectApiError(await open(ctx.request()).set(bearer(user.token)).send(body), 401, 'unauthenticated');
    });
  });

  it('an expired token → 401', async () => {
    const user = await ctx.user('admin');
    await ctx.db
      .updateTable('api_tokens')
      .set({ expires_at: new Date(Date.now() - 60_000) })
      .where('user_id', '=', user.actor.userId)
      .execute();
    const [, open, body] = writeNamed('POST /documents');
    expectApiError(await open(ctx.request()).set(bearer(user.token)).send(body), 401, 'unauthenticated');
  });

  it('the token of a disabled user → 401', async () => {
    const user = await ctx.user('admin');
    await ctx.db.updateTable('users').set({ disabled: true }).where('id', '=', user.actor.userId).execute();
    const [, open, body] = writeNamed('POST /documents');
    expectApiError(await open(ctx.request()).set(bearer(user.token)).send(body), 401, 'unauthenticated');
  });

  it('a bad token on a public read is refused rather than silently ignored', async () => {
    const res = await ctx.request().get('/api/v1/documents').set('Authorization', `Bearer gfw_${randomBytes(32).toString('base64url')}`);
    expectApiError(res, 401, 'unauthenticated');
  });

  it('the scheme name is case-insensitive (RFC 7235)', async () => {
    const res = await ctx.request().get('/api/v1/documents?status=draft').set('Authorization', `bearer ${admin.token}`);
    expect(res.status).toBe(200);
  });
});

describe('roles', () => {
  it.each(WRITE_NAMES)('compiler cannot %s → 403, nothing stored', async (write) => {
    const [, open, body] = writeNamed(write);
    await expectNothingStored(ctx.db, async () => {
      expectApiError(await open(ctx.request()).set(bearer(compiler.token)).send(body), 403, 'forbidden');
    });
  });

  it('a compiler is refused before the body is looked at: an invalid body is 403, not 400', async () => {
    await expectNothingStored(ctx.db, async () => {
      const res = await ctx.request().post('/api/v1/documents').set(bearer(compiler.token)).send({ kind: 'nonsense' });
      expectApiError(res, 403, 'forbidden');
    });
  });

  it('editor cannot create organs → 403, nothing stored', async () => {
    await expectNothingStored(ctx.db, async () => {
      const res = await ctx.request().post('/api/v1/organs').set(bearer(editor.token)).send({ name: '编辑建的机关' });
      expectApiError(res, 403, 'forbidden');
    });
  });

  it('editor can create, change, relate and repeal documents and write interpretations', async () => {
    const created = await ctx
      .request()
      .post('/api/v1/documents')
      .set(bearer(editor.token))
      .send({ kind: 'normative', title: '编辑登记的文件', organ_id: organId, published_on: '2024-01-02' })
      .expect(201);
    const id = created.body.id as number;
    await ctx.request().patch(`/api/v1/documents/${id}`).set(bearer(editor.token)).send({ title: '编辑改过的标题' }).expect(200);
    await ctx.request().post(`/api/v1/documents/${id}/relations`).set(bearer(editor.token)).send({ relation: 'amends', target_id: docId }).expect(200);
    await ctx
      .request()
      .post('/api/v1/interpretations')
      .set(bearer(editor.token))
      .send({ title: '编辑写的解读', body: '解读', published_on: '2024-01-03', document_ids: [id] })
      .expect(201);
    const repealed = await ctx.request().post(`/api/v1/documents/${id}/repeal`).set(bearer(editor.token)).send({ repealed_on: '2024-02-01' }).expect(200);
    expect(repealed.body.status).toBe('repealed');
    const audit = await ctx.db.selectFrom('audit_log').select('action').where('user_id', '=', editor.actor.userId).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual([
      'token.create',
      'document.create',
      'document.update',
      'document.relate',
      'interpretation.create',
      'document.repeal',
    ]);
  });

  it('admin can create organs', async () => {
    await ctx.request().post('/api/v1/organs').set(bearer(admin.token)).send({ name: '管理员建的机关' }).expect(201);
  });
});

describe('POST /api/v1/auth/token', () => {
  let username: string;
  let password: string;
  beforeAll(async () => {
    ({ username, password } = await buildUser(ctx.services, 'editor'));
  });

  const tokenCount = async () =>
    Number((await ctx.db.selectFrom('api_tokens').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

  it('a wrong password and an unknown user get the same 401 answer, and no token is issued', async () => {
    const tokensBefore = await tokenCount();
    const delta = await rowDelta(ctx.db, async () => {
      const wrong = expectApiError(
        await ctx.request().post('/api/v1/auth/token').send({ username, password: `${password}x` }),
        401,
        'unauthenticated',
      );
      const unknown = expectApiError(
        await ctx.request().post('/api/v1/auth/token').send({ username: `nobody${randomBytes(3).toString('hex')}`, password }),
        401,
        'unauthenticated',
      );
      expect(unknown).toEqual(wrong);
    });
    expect(await tokenCount()).toBe(tokensBefore);
    // A failed sign-in may be audited; it must not touch the catalog or the index.
    expect({ ...delta, audit_log: 0 }).toEqual(Object.fromEntries(Object.keys(delta).map((k) => [k, 0])));
  });

  it('a disabled user gets the same answer as a wrong password', async () => {
    const other = await buildUser(ctx.services, 'admin');
    await ctx.db.updateTable('users').set({ disabled: true }).where('id', '=', other.userId).execute();
    const disabled = expectApiError(
      await ctx.request().post('/api/v1/auth/token').send({ username: other.username, password: other.password }),
      401,
    );
    const wrong = expectApiError(await ctx.request().post('/api/v1/auth/token').send({ username, password: 'nope' }), 401);
    expect(disabled).toEqual(wrong);
  });

  it('the password is case-sensitive', async () => {
    expectApiError(await ctx.request().post('/api/v1/auth/token').send({ username, password: password.toUpperCase() }), 401);
  });

  // USER and PASS stand for the real credentials, which exist only once beforeAll has run.
  it.each([
    [{}],
    [{ username: 'USER' }],
    [{ password: 'x' }],
    [{ username: '', password: 'x' }],
    [{ username: 'USER', password: '' }],
    [{ username: 5, password: 'x' }],
    [{ username: 'USER', password: 'PASS', role: 'admin' }],
    [{ username: 'USER', password: 'PASS', extra: true }],
    [{ username: ['USER'], password: 'PASS' }],
    [{ username: 'USER', password: { value: 'PASS' } }],
  ])('bad sign-in body %j → 400, no token', async (template) => {
    const body = Object.fromEntries(
      Object.entries(template).map(([k, v]) => [k, JSON.parse(JSON.stringify(v).replaceAll('"USER"', JSON.stringify(username)).replaceAll('"PASS"', JSON.stringify(password)))]),
    );
    await expectNothingStored(ctx.db, async () => {
      expectApiError(await ctx.request().post('/api/v1/auth/token').send(body), 400, 'validation_failed');
    });
  });

  it('a returned token works for writes, acts as its user, and only its hash is stored', async () => {
    const res = await ctx.request().post('/api/v1/auth/token').send({ username, password }).expect(200);
    expect(Object.keys(res.body)).toEqual(['token', 'expires_at']);
    const token = res.body.token as string;
    expect(token.length).toBeGreaterThanOrEqual(32);
    const created = await ctx
      .request()
      .post('/api/v1/documents')
      .set(bearer(token))
      .send({ kind: 'normative', title: '用新令牌登记的文件', organ_id: organId })
      .expect(201);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .innerJoin('users', 'users.id', 'audit_log.user_id')
      .select(['users.username', 'audit_log.action'])
      .where('audit_log.entity', '=', 'document')
      .where('audit_log.entity_id', '=', String(created.body.id))
      .execute();
    expect(audit).toEqual([{ username, action: 'document.create' }]);
    const stored = await ctx.db.selectFrom('api_tokens').select('token_hash').execute();
    expect(stored.map((t) => t.token_hash)).not.toContain(token);
    expect(stored.some((t) => t.token_hash.includes(token) || token.includes(t.token_hash))).toBe(false);
  });

  it('each sign-in issues a different token, and both work', async () => {
    const a = (await ctx.request().post('/api/v1/auth/token').send({ username, password }).expect(200)).body.token;
    const b = (await ctx.request().post('/api/v1/auth/token').send({ username, password }).expect(200)).body.token;
    expect(a).not.toBe(b);
    for (const token of [a, b]) {
      await ctx.request().get('/api/v1/documents?status=draft').set(bearer(token)).expect(200);
    }
  });

  it('a successful sign-in writes one audit row and one token', async () => {
    const delta = await rowDelta(ctx.db, () => ctx.request().post('/api/v1/auth/token').send({ username, password }).expect(200));
    expect(delta.audit_log).toBe(1);
    expect(delta.documents).toBe(0);
  });
});

describe('drafts are staff-only', () => {
  let draftOrgan: number;
  let unpublished: { id: number; title: string };
  let future: { id: number; title: string };
  let published: { id: number; title: string };
  let linked: number;

  beforeAll(async () => {
    draftOrgan = (await buildOrgan(ctx.services, admin.actor)).id;
    unpublished = await buildDocument(ctx.services, admin.actor, {
      organ_id: draftOrgan,
      title: '未发布的草稿文件',
      published_on: null,
      signed_on: '2024-05-01',
    });
    future = await buildDocument(ctx.services, admin.actor, { organ_id: draftOrgan, title: '明天才发布的文件', published_on: TOMORROW });
    published = await buildDocument(ctx.services, admin.actor, {
      organ_id: draftOrgan,
      title: '今天发布的文件',
      // Published today: what publishing requires.
      doc_number: `测政发〔${TODAY.slice(0, 4)}〕1号`,
      signed_on: TODAY,
      published_on: TODAY,
    });
    linked = (await buildInterpretation(ctx.services, admin.actor, [unpublished.id, future.id, published.id], { published_on: TODAY })).id;
  });

  const ids = (res: { body: { items: { id: number }[] } }) => res.body.items.map((d) => d.id).sort((a, b) => a - b);

  it('the public list shows only what is published by today, whatever as_of says', async () => {
    for (const asOf of [undefined, TODAY, TOMORROW, '2030-01-01']) {
      const res = await ctx
        .request()
        .get('/api/v1/documents')
        .query({ organ_id: draftOrgan, ...(asOf ? { as_of: asOf } : {}) })
        .expect(200);
      expect(ids(res), `as_of ${asOf}`).toEqual([published.id]);
      expect(res.body.total).toBe(1);
    }
  });

  it('the public cannot read a draft or a future publication by id (404), even with a future as_of', async () => {
    for (const doc of [unpublished, future]) {
      expectApiError(await ctx.request().get(`/api/v1/documents/${doc.id}`), 404, 'not_found');
      expectApiError(await ctx.request().get(`/api/v1/documents/${doc.id}?as_of=2030-01-01`), 404, 'not_found');
      expectHtmlError(await ctx.request().get(`/documents/${doc.id}`).set('Accept', 'text/html'), 404);
    }
    const read = await ctx.request().get(`/api/v1/documents/${published.id}`).expect(200);
    expect(read.body.status).toBe('in_force');
  });

  it('the catalog page does not show drafts', async () => {
    const res = await ctx.request().get('/?page_size=100').set('Accept', 'text/html').expect(200);
    expect(res.text).toContain(published.title);
    expect(res.text).not.toContain(unpublished.title);
    expect(res.text).not.toContain(future.title);
  });

  it('the public interpretation lists only published documents', async () => {
    const res = await ctx.request().get(`/api/v1/interpretations/${linked}`).expect(200);
    expect(res.body.documents.map((d: { id: number }) => d.id)).toEqual([published.id]);
    const page = await ctx.request().get(`/interpretations/${linked}`).set('Accept', 'text/html').expect(200);
    expect(page.text).toContain(published.title);
    expect(page.text).not.toContain(unpublished.title);
    expect(page.text).not.toContain(future.title);
  });

  it.each([['admin'], ['editor'], ['compiler']] as const)('%s sees drafts with status draft', async (role) => {
    const token = { admin, editor, compiler }[role].token;
    const list = await ctx.request().get(`/api/v1/documents?organ_id=${draftOrgan}`).set(bearer(token)).expect(200);
    expect(ids(list)).toEqual([unpublished.id, future.id, published.id].sort((a, b) => a - b));
    const statusOf = Object.fromEntries(list.body.items.map((d: { id: number; status: string }) => [d.id, d.status]));
    expect(statusOf).toEqual({ [unpublished.id]: 'draft', [future.id]: 'draft', [published.id]: 'in_force' });
    for (const doc of [unpublished, future]) {
      const read = await ctx.request().get(`/api/v1/documents/${doc.id}`).set(bearer(token)).expect(200);
      expect(read.body.status).toBe('draft');
    }
    const interpretation = await ctx.request().get(`/api/v1/interpretations/${linked}`).set(bearer(token)).expect(200);
    expect(interpretation.body.documents).toHaveLength(3);
    expect(interpretation.body.documents.find((d: { id: number }) => d.id === unpublished.id).status).toBe('draft');
  });

  it('staff can filter status=draft and get exactly the drafts', async () => {
    const res = await ctx.request().get(`/api/v1/documents?organ_id=${draftOrgan}&status=draft`).set(bearer(compiler.token)).expect(200);
    expect(ids(res)).toEqual([unpublished.id, future.id].sort((a, b) => a - b));
    expect(res.body.items.every((d: { status: string }) => d.status === 'draft')).toBe(true);
  });

  it.each([['draft'], ['in_force,draft'], ['draft,in_force']])('status=%s from the public → 403', async (status) => {
    expectApiError(await ctx.request().get(`/api/v1/documents?status=${status}`), 403, 'forbidden');
  });

  it('a repeated status parameter with draft from the public → 403', async () => {
    expectApiError(await ctx.request().get('/api/v1/documents?status=in_force&status=draft'), 403, 'forbidden');
  });

  it('a document becomes public on its publication day with no job having run', async () => {
    try {
      clock.set(TOMORROW);
      const read = await ctx.request().get(`/api/v1/documents/${future.id}`).expect(200);
      expect(read.body.status).toBe('in_force');
      const list = await ctx.request().get(`/api/v1/documents?organ_id=${draftOrgan}`).expect(200);
      expect(ids(list)).toEqual([future.id, published.id].sort((a, b) => a - b));
    } finally {
      clock.set(TODAY);
    }
  });

  it('relations to drafts are hidden from the public and shown to staff', async () => {
    const amender = await buildDocument(ctx.services, admin.actor, { organ_id: draftOrgan, title: '草稿修改决定', published_on: null });
    await ctx.services.documents.addAmendment(admin.actor, amender.id, published.id);
    const publicRead = await ctx.request().get(`/api/v1/documents/${published.id}`).expect(200);
    expect(publicRead.body.relations.map((r: { document: { id: number } }) => r.document.id)).not.toContain(amender.id);
    const staffRead = await ctx.request().get(`/api/v1/documents/${published.id}`).set(bearer(editor.token)).expect(200);
    expect(staffRead.body.relations).toContainEqual(
      expect.objectContaining({ relation: 'amends', direction: 'incoming', document: expect.objectContaining({ id: amender.id }) }),
    );
  });

  it('an interpretation published in the future is hidden from the public everywhere', async () => {
    const later = await buildInterpretation(ctx.services, admin.actor, [published.id], { title: '明天发布的解读', published_on: TOMORROW });
    expectApiError(await ctx.request().get(`/api/v1/interpretations/${later.id}`), 404, 'not_found');
    const list = await ctx.request().get('/api/v1/interpretations?page_size=100').expect(200);
    expect(list.body.items.map((i: { id: number }) => i.id)).not.toContain(later.id);
    const doc = await ctx.request().get(`/api/v1/documents/${published.id}`).expect(200);
    expect(doc.body.interpretations.map((i: { id: number }) => i.id)).not.toContain(later.id);
    const staff = await ctx.request().get(`/api/v1/documents/${published.id}`).set(bearer(compiler.token)).expect(200);
    expect(staff.body.interpretations.map((i: { id: number }) => i.id)).toContain(later.id);
  });

  it('the original file of a draft is not downloadable by the public', async () => {
    const res = await ctx
      .request()
      .post('/api/v1/documents')
      .set(bearer(admin.token))
      .field('metadata', JSON.stringify({ kind: 'normative', title: '带原件的草稿', organ_id: draftOrgan }))
      .attach('file', minimalPdf('draft'), { filename: '草稿.pdf', contentType: 'application/pdf' })
      .expect(201);
    expectApiError(await ctx.request().get(`/api/v1/documents/${res.body.id}/file`), 404, 'not_found');
    const fileId = res.body.files[0].id as number;
    expectApiError(await ctx.request().get(`/api/v1/documents/${res.body.id}/files/${fileId}`), 404, 'not_found');
    await ctx.request().get(`/api/v1/documents/${res.body.id}/file`).set(bearer(compiler.token)).expect(200);
  });
});
