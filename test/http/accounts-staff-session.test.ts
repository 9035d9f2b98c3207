import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/context.js';
import { csrfOf } from '../support/staff.js';

let ctx: TestContext;
const password = 'correct-horse-battery';

beforeAll(async () => {
  ctx = await createTestContext();
  await ctx.services.users.create(null, { username: 'editor1', password, role: 'editor' });
});
afterAll(() => ctx?.close());

const sessionCookie = (res: { headers: Record<string, unknown> }) =>
  ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith('gfwj_sid='));

async function signIn(agent = ctx.request(), user = 'editor1', pass = password) {
  const page = await agent.get('/staff/login').expect(200);
  const token = csrfOf(page.text);
  return agent.post('/staff/login').type('form').send({ _csrf: token, username: user, password: pass, next: '/staff' });
}

describe('staff sign-in', () => {
  it('signs in, shows the workspace, and signs out', async () => {
    const agent = ctx.request();
    const res = await signIn(agent);
    expect(res.status).toBe(303);
    expect(res.headers['location']).toBe('/staff');
    const cookie = sessionCookie(res)!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const home = await agent.get('/staff').expect(200);
    expect(home.text).toContain('editor1');
    const token = csrfOf(home.text);
    await agent.post('/staff/logout').type('form').send({ _csrf: token }).expect(303);
    await agent.get('/staff').expect(303).expect('location', '/staff/login?next=%2Fstaff');
  });

  it('keeps the session in PostgreSQL, hashed', async () => {
    const agent = ctx.request();
    const res = await signIn(agent);
    const raw = /gfwj_sid=([^;]+)/.exec(sessionCookie(res)!)![1]!;
    const rows = await ctx.db.selectFrom('sessions').select('id_hash').execute();
    expect(rows.some((r) => r.id_hash === raw)).toBe(false);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('rejects a wrong password with the form re-rendered and the username kept', async () => {
    const res = await signIn(ctx.request(), 'editor1', 'wrong');
    expect(res.status).toBe(401);
    expect(res.text).toContain('用户名或密码错误');
    expect(res.text).toContain('value="editor1"');
  });

  it('refuses a form without, or with a wrong, CSRF token', async () => {
    const agent = ctx.request();
    await agent.get('/staff/login').expect(200);
    const missing = await agent.post('/staff/login').type('form').send({ username: 'editor1', password });
    expect(missing.status).toBe(403);
    expect(missing.text).toContain('表单已过期');
    const wrong = await agent.post('/staff/login').type('form').send({ _csrf: 'x'.repeat(32), username: 'editor1', password });
    expect(wrong.status).toBe(403);
    expect(sessionCookie(wrong)).toBeUndefined();
  });

  it('issues a new session id at sign-in, so a planted one is worthless (session fixation)', async () => {
    const agent = ctx.request();
    const planted = 'attacker-chosen-session-id-0000000000000';
    agent.jar.setCookie(`gfwj_sid=${planted}; Path=/`, 'http://127.0.0.1');
    const res = await signIn(agent);
    const issued = /gfwj_sid=([^;]+)/.exec(sessionCookie(res)!)![1];
    expect(issued).not.toBe(planted);
  });

  it('only redirects to same-site paths after sign-in', async () => {
    const agent = ctx.request();
    const page = await agent.get('/staff/login?next=https://evil.example/').expect(200);
    const res = await agent
      .post('/staff/login')
      .type('form')
      .send({ _csrf: csrfOf(page.text), username: 'editor1', password, next: '//evil.example/' });
    expect(res.headers['location']).toBe('/staff');
  });

  it('locks the account after five failures, even for the right password', async () => {
    await ctx.services.users.create(null, { username: 'locked1', password, role: 'editor' });
    for (let i = 0; i < 5; i++) await signIn(ctx.request(), 'locked1', 'wrong');
    const res = await signIn(ctx.request(), 'locked1', password);
    expect(res.status).toBe(429);
    expect(res.text).toContain('锁定');
  });

  it('limits sign-in attempts per minute from one address', async () => {
    const limited = await createTestContext({ env: { RATE_LIMIT_SIGNIN_PER_MIN: '2' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await limited.request().post('/api/v1/auth/token').send({ username: 'nobody', password: 'x' });
        statuses.push(res.status);
        if (i === 2) expect(res.body.error.message).toContain('过于频繁');
      }
      expect(statuses).toEqual([401, 401, 429]);
    } finally {
      await limited.close();
    }
  });

  it('sends a strict Content-Security-Policy without inline script', async () => {
    const res = await ctx.request().get('/staff/login').expect(200);
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});
