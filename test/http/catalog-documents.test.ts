import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/context.js';

let ctx: TestContext;
let token: string;
let organId: number;

beforeAll(async () => {
  ctx = await createTestContext();
  ({ token } = await ctx.user('admin'));
  const organ = await ctx
    .request()
    .post('/api/v1/organs')
    .set('Authorization', `Bearer ${token}`)
    .send({ name: '静乐县人民政府', doc_prefixes: ['静政发'] })
    .expect(201);
  organId = organ.body.id;
});
afterAll(() => ctx?.close());

describe('documents API', () => {
  it('creates a document and reads it back with its computed status', async () => {
    const created = await ctx
      .request()
      .post('/api/v1/documents')
      .set('Authorization', `Bearer ${token}`)
      .send({
        kind: 'normative',
        title: '关于进一步加强行政规范性文件管理的通知',
        doc_number: '静政发[2023]005号',
        organ_id: organId,
        signed_on: '2023-03-01',
        published_on: '2023-03-05',
        expires_on: '2028-03-04',
        topics: ['综合政务'],
        body: '第一条 为了……',
      })
      .expect(201);
    expect(created.body).toMatchObject({
      doc_number: '静政发〔2023〕5号',
      status: 'in_force',
      effective_on: '2023-03-05',
      topics: ['综合政务'],
    });
    const read = await ctx.request().get(`/api/v1/documents/${created.body.id}?as_of=2028-03-05`).expect(200);
    expect(read.body.status).toBe('expired');
  });

  it('rejects an impossible date with a Chinese message and stores nothing', async () => {
    const before = await ctx.db.selectFrom('documents').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const res = await ctx
      .request()
      .post('/api/v1/documents')
      .set('Authorization', `Bearer ${token}`)
      .send({ kind: 'normative', title: '测试', organ_id: organId, published_on: '2023-02-30' })
      .expect(400);
    expect(res.body.error.fields.published_on).toContain('不是真实存在的日期');
    const after = await ctx.db.selectFrom('documents').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });
});
