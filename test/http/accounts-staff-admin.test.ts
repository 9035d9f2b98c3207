import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/context.js';
import { signedInAgent } from '../support/staff.js';

let ctx: TestContext;
const password = 'admin-password-123';

beforeAll(async () => {
  ctx = await createTestContext();
  await ctx.services.users.create(null, { username: 'boss', password, role: 'admin' });
  await ctx.services.users.create(null, { username: 'clerk', password, role: 'editor' });
});
afterAll(() => ctx?.close());

describe('user administration pages', () => {
  it('creates a user, and re-renders the form with the input and a Chinese message when invalid', async () => {
    const { agent, csrf } = await signedInAgent(ctx, 'boss', password);
    const bad = await agent.post('/staff/users').type('form').send({ _csrf: csrf, username: 'newbie', display_name: '<b>新人</b>', role: 'editor', password: 'short' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('密码至少 10 个字符');
    expect(bad.text).toContain('value="newbie"');
    expect(bad.text).toContain('&lt;b&gt;新人&lt;/b&gt;');
    expect(await ctx.db.selectFrom('users').select('id').where('username', '=', 'newbie').executeTakeFirst()).toBeUndefined();

    await agent.post('/staff/users').type('form').send({ _csrf: csrf, username: 'newbie', role: 'compiler', password: 'long-enough-pw' }).expect(303);
    const row = await ctx.db.selectFrom('users').select(['role']).where('username', '=', 'newbie').executeTakeFirstOrThrow();
    expect(row.role).toBe('compiler');
    const dup = await agent.post('/staff/users').type('form').send({ _csrf: csrf, username: 'newbie', role: 'editor', password: 'long-enough-pw' });
    expect(dup.status).toBe(409);
    expect(dup.text).toContain('用户名已被使用');
  });

  it('refuses the pages to an editor', async () => {
    const { agent } = await signedInAgent(ctx, 'clerk', password);
    await agent.get('/staff/users').expect(403);
    await agent.get('/staff/audit').expect(403);
  });

  it('ends the sessions of a disabled user at once', async () => {
    await ctx.services.users.create(null, { username: 'leaver', password, role: 'editor' });
    const leaver = await signedInAgent(ctx, 'leaver', password);
    await leaver.agent.get('/staff').expect(200);
    const { agent, csrf } = await signedInAgent(ctx, 'boss', password);
    const id = (await ctx.db.selectFrom('users').select('id').where('username', '=', 'leaver').executeTakeFirstOrThrow()).id;
    await agent.post(`/staff/users/${id}`).type('form').send({ _csrf: csrf, action: 'disable' }).expect(303);
    await leaver.agent.get('/staff').expect(303);
  });

  it('refuses a change form that changes nothing, keeping the user as they were', async () => {
    const { agent, csrf } = await signedInAgent(ctx, 'boss', password);
    const clerk = await ctx.db.selectFrom('users').select(['id', 'role', 'disabled']).where('username', '=', 'clerk').executeTakeFirstOrThrow();
    const res = await agent.post(`/staff/users/${clerk.id}`).type('form').send({ _csrf: csrf, action: 'bogus' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('没有要修改的字段');
    const bad = await agent.post(`/staff/users/${clerk.id}`).type('form').send({ _csrf: csrf, action: 'role', role: 'root' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('角色应为 admin、editor 或 compiler');
    expect(await ctx.db.selectFrom('users').select(['id', 'role', 'disabled']).where('id', '=', clerk.id).executeTakeFirstOrThrow()).toEqual(clerk);
  });

  it('keeps at least one active admin', async () => {
    const { agent, csrf } = await signedInAgent(ctx, 'boss', password);
    const id = (await ctx.db.selectFrom('users').select('id').where('username', '=', 'boss').executeTakeFirstOrThrow()).id;
    const res = await agent.post(`/staff/users/${id}`).type('form').send({ _csrf: csrf, action: 'disable' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('至少要保留一名可用的系统管理员');
  });
});

describe('API tokens page', () => {
  it('shows a new token once; it works on the API until revoked', async () => {
    const { agent, csrf } = await signedInAgent(ctx, 'clerk', password);
    const created = await agent.post('/staff/tokens').type('form').send({ _csrf: csrf, name: '批量导入脚本' }).expect(200);
    expect(created.headers['cache-control']).toBe('no-store');
    const token = /<code class="token">([^<]+)<\/code>/.exec(created.text)![1]!;
    const hashRow = await ctx.db.selectFrom('api_tokens').select(['id', 'token_hash']).where('name', '=', '批量导入脚本').executeTakeFirstOrThrow();
    expect(hashRow.token_hash).not.toContain(token);
    await ctx.request().get('/api/v1/auth/tokens').set('Authorization', `Bearer ${token}`).expect(200);
    const list = await agent.get('/staff/tokens').expect(200);
    expect(list.text).not.toContain(token);
    await agent.post(`/staff/tokens/${hashRow.id}/revoke`).type('form').send({ _csrf: csrf }).expect(303);
    await ctx.request().get('/api/v1/auth/tokens').set('Authorization', `Bearer ${token}`).expect(401);
  });
});

describe('audit log page', () => {
  it('lists writes with who and what, filtered by action', async () => {
    const { agent } = await signedInAgent(ctx, 'boss', password);
    const res = await agent.get('/staff/audit?action=user.create').expect(200);
    expect(res.text).toContain('user.create');
    expect(res.text).toContain('newbie');
    expect(res.text).not.toContain('session.create</td>');
    const bad = await agent.get('/staff/audit?from=2023-02-30');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('不是真实存在的日期');
  });

  it('cannot be altered, even by SQL from the app', async () => {
    await expect(ctx.db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
    await expect(ctx.db.updateTable('audit_log').set({ action: 'x' }).execute()).rejects.toThrow(/append-only/);
  });
});
