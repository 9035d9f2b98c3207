import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Actor } from '../../src/features/accounts/actor.js';
import { expectApiError } from '../support/assertions.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { bearer, buildDocument, buildUser } from '../support/factories.js';
import { csrfOf, signedInAgent } from '../support/staff.js';

/** Two clients on different loopback addresses: a stranger guessing passwords, and the account's owner. */
const ATTACKER = '127.0.0.2';
const OWNER = '127.0.0.3';
const WRONG = 'definitely-not-the-password';
const LOCKED = /^登录失败次数过多，已暂时锁定，请 \d+ 分钟后再试$/;

let ctx: TestContext;
let server: Server;
let port: number;
let admin: { actor: Actor; token: string };

beforeAll(async () => {
  ctx = await createTestContext();
  admin = await ctx.user('admin');
  server = await new Promise<Server>((resolve, reject) => {
    const s = ctx.app.listen(0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await ctx?.close();
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
}

/** One HTTP request to the listening app from a chosen local address (supertest always uses 127.0.0.1). */
function send(
  from: string,
  method: string,
  path: string,
  options: { json?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { Connection: 'close', ...options.headers };
  let payload: string | undefined;
  if (options.json !== undefined) {
    payload = JSON.stringify(options.json);
    headers['Content-Type'] = 'application/json';
  } else if (options.form) {
    payload = new URLSearchParams(options.form).toString();
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  if (payload !== undefined) headers['Content-Length'] = String(Buffer.byteLength(payload));
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, localAddress: from, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        if ((res.headers['content-type'] ?? '').startsWith('application/json')) json = JSON.parse(body);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

const tokenAttempt = (from: string, username: string, password: string, headers: Record<string, string> = {}) =>
  send(from, 'POST', '/api/v1/auth/token', { json: { username, password }, headers });

/** What a client sees of one sign-in attempt: the status and the message. */
const seen = (res: Answer) => [res.status, res.json?.error?.message ?? 'ok'] as const;

/** The sign-in form from one address, with its own cookie jar, as a browser would use it. */
function formClient(from: string) {
  const cookies = new Map<string, string>();
  const remember = (res: Answer) => {
    for (const line of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return res;
  };
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return {
    async signIn(username: string, password: string) {
      const page = remember(await send(from, 'GET', '/staff/login', { headers: { Cookie: cookieHeader(), Accept: 'text/html' } }));
      expect(page.status).toBe(200);
      return remember(
        await send(from, 'POST', '/staff/login', {
          form: { _csrf: csrfOf(page.body), username, password, next: '/staff' },
          headers: { Cookie: cookieHeader(), Accept: 'text/html' },
        }),
      );
    },
  };
}

const failureRow = (username: string, client: string) =>
  ctx.db
    .selectFrom('sign_in_failures')
    .selectAll()
    .where('username_key', '=', username.toLowerCase())
    .where('client', '=', client)
    .executeTakeFirst();

const secondsAhead = (at: Date | string | null | undefined) => (at ? (new Date(at).getTime() - Date.now()) / 1000 : Number.NaN);

const auditRows = async (action: string, username: string) =>
  (await ctx.db.selectFrom('audit_log').select(['user_id', 'ip', 'action', 'after']).where('action', '=', action).orderBy('id').execute()).filter(
    (r) => (typeof r.after === 'string' ? JSON.parse(r.after) : (r.after as { username?: string } | null))?.username === username,
  );

describe('sign-in failures are counted per username and client address', () => {
  it('a known and an unknown username answer the same sequence: 401 four times, the 5th failure locks, then 429', async () => {
    const known = await buildUser(ctx.services, 'editor');
    const unknown = `ghost_${randomBytes(4).toString('hex')}`;
    const sequences: Record<string, (readonly [number, string])[]> = {};
    for (const username of [known.username, unknown]) {
      sequences[username] = [];
      for (let i = 0; i < 7; i++) sequences[username]!.push(seen(await tokenAttempt(ATTACKER, username, WRONG)));
    }
    expect(sequences[known.username]).toEqual(sequences[unknown]);
    const statuses = sequences[unknown]!.map(([s]) => s);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    for (const [status, message] of sequences[unknown]!) {
      if (status === 401) expect(message).toBe('用户名或密码错误');
      else expect(message).toMatch(LOCKED);
    }
    // Both are counted in the table, under the socket address.
    expect((await failureRow(known.username, ATTACKER))?.failures).toBe(5);
    expect((await failureRow(unknown, ATTACKER))?.failures).toBe(5);
  });

  it('a locked pair is refused before the password is checked: the right password is 429 too', async () => {
    const { username, password } = await buildUser(ctx.services, 'editor');
    for (let i = 0; i < 5; i++) expect((await tokenAttempt(ATTACKER, username, WRONG)).status).toBe(401);
    const right = await tokenAttempt(ATTACKER, username, password);
    expect(right.status).toBe(429);
    expect(right.json.error.code).toBe('rate_limited');
    expect(right.json.error.message).toMatch(LOCKED);
    expect(right.body).not.toContain('"token"');
  });

  it("a stranger's failures do not lock the owner out from another address", async () => {
    const { username, password } = await buildUser(ctx.services, 'editor');
    for (let i = 0; i < 6; i++) await tokenAttempt(ATTACKER, username, WRONG);
    expect((await tokenAttempt(ATTACKER, username, password)).status).toBe(429);

    const owner = await tokenAttempt(OWNER, username, password);
    expect(owner.status).toBe(200);
    expect(owner.json.token).toMatch(/^gfw_/);
    // A wrong password from the owner's address is an ordinary failure there, not the stranger's lock.
    const ownerSlip = await tokenAttempt(OWNER, username, WRONG);
    expect(seen(ownerSlip)).toEqual([401, '用户名或密码错误']);
    // The stranger stays locked.
    expect((await tokenAttempt(ATTACKER, username, password)).status).toBe(429);
    expect(await failureRow(username, OWNER)).toMatchObject({ failures: 1, locked_until: null });
  });

  it('the username is counted lower-cased: different spellings add up', async () => {
    const { username, password } = await buildUser(ctx.services, 'editor');
    const upper = username.toUpperCase();
    for (let i = 0; i < 3; i++) expect((await tokenAttempt(ATTACKER, upper, WRONG)).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await tokenAttempt(ATTACKER, username, WRONG)).status).toBe(401);
    expect((await tokenAttempt(ATTACKER, username, password)).status).toBe(429);
    expect((await failureRow(username, ATTACKER))?.failures).toBe(5);
  });

  it('the lock lasts about a minute, doubles with each further failure, and stops at 15 minutes', async () => {
    const { username, userId } = await buildUser(ctx.services, 'editor');
    for (let i = 0; i < 4; i++) await tokenAttempt(ATTACKER, username, WRONG);
    expect((await failureRow(username, ATTACKER))?.locked_until).toBeNull();
    expect(await auditRows('auth.locked', username)).toEqual([]);

    expect((await tokenAttempt(ATTACKER, username, WRONG)).status).toBe(401);
    const first = secondsAhead((await failureRow(username, ATTACKER))?.locked_until);
    expect(first).toBeGreaterThan(40);
    expect(first).toBeLessThan(75);
    const locked = await auditRows('auth.locked', username);
    expect(locked).toHaveLength(1);
    expect(locked[0]).toMatchObject({ user_id: userId, ip: ATTACKER });
    expect(await auditRows('auth.failed', username)).toHaveLength(5);

    // The minute is over: the next failure is counted (not refused) and locks for twice as long.
    const past = () =>
      ctx.db
        .updateTable('sign_in_failures')
        .set({ locked_until: new Date(Date.now() - 1000) })
        .where('username_key', '=', username.toLowerCase())
        .where('client', '=', ATTACKER)
        .execute();
    await past();
    expect(seen(await tokenAttempt(ATTACKER, username, WRONG))).toEqual([401, '用户名或密码错误']);
    const second = secondsAhead((await failureRow(username, ATTACKER))?.locked_until);
    expect(second).toBeGreaterThan(100);
    expect(second).toBeLessThan(135);
    expect(await auditRows('auth.locked', username)).toHaveLength(2);
    const refused = await tokenAttempt(ATTACKER, username, WRONG);
    expect(refused.status).toBe(429);
    expect(refused.json.error.message).toBe('登录失败次数过多，已暂时锁定，请 2 分钟后再试');

    // Many failures later the lock is 15 minutes, not more.
    await ctx.db
      .updateTable('sign_in_failures')
      .set({ failures: 15 })
      .where('username_key', '=', username.toLowerCase())
      .where('client', '=', ATTACKER)
      .execute();
    await past();
    expect((await tokenAttempt(ATTACKER, username, WRONG)).status).toBe(401);
    const capped = secondsAhead((await failureRow(username, ATTACKER))?.locked_until);
    expect(capped).toBeGreaterThan(850);
    expect(capped).toBeLessThan(905);
  });

  it('an unknown username that gets locked leaves an auth.locked row too, without a user', async () => {
    const unknown = `ghost_${randomBytes(4).toString('hex')}`;
    for (let i = 0; i < 5; i++) await tokenAttempt(ATTACKER, unknown, WRONG);
    const locked = await auditRows('auth.locked', unknown);
    expect(locked).toHaveLength(1);
    expect(locked[0]).toMatchObject({ user_id: null, ip: ATTACKER });
    expect(await auditRows('auth.failed', unknown)).toHaveLength(5);
  });

  it('the sign-in page counts the same way: 401 re-rendered, then the lock message as 429', async () => {
    const { username, password } = await buildUser(ctx.services, 'editor');
    const attacker = formClient(ATTACKER);
    for (let i = 0; i < 5; i++) {
      const res = await attacker.signIn(username, WRONG);
      expect(res.status).toBe(401);
      expect(res.body).toContain('用户名或密码错误');
    }
    const locked = await attacker.signIn(username, password);
    expect(locked.status).toBe(429);
    expect(locked.body).toMatch(/登录失败次数过多，已暂时锁定，请 \d+ 分钟后再试/);
    expect(locked.headers['set-cookie']?.some((c) => c.startsWith('gfwj_sid='))).not.toBe(true);

    // The owner signs in through the page from their own address.
    const owner = await formClient(OWNER).signIn(username, password);
    expect(owner.status).toBe(303);
    expect(owner.headers['location']).toBe('/staff');
  });

  it('the page and the API share one count for a username and address', async () => {
    const { username, password } = await buildUser(ctx.services, 'editor');
    const page = formClient(ATTACKER);
    for (let i = 0; i < 3; i++) expect((await page.signIn(username, WRONG)).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await tokenAttempt(ATTACKER, username, WRONG)).status).toBe(401);
    expect((await page.signIn(username, password)).status).toBe(429);
    expect((await tokenAttempt(ATTACKER, username, password)).status).toBe(429);
  });
});

describe('TRUST_PROXY', () => {
  it('is off by default: X-Forwarded-For does not escape the lock, the socket address is counted', async () => {
    const { username, password } = await buildUser(ctx.services, 'editor');
    for (let i = 0; i < 5; i++) {
      const res = await tokenAttempt(ATTACKER, username, WRONG, { 'X-Forwarded-For': `198.51.100.${i + 1}` });
      expect(res.status).toBe(401);
    }
    const next = await tokenAttempt(ATTACKER, username, password, { 'X-Forwarded-For': '198.51.100.99' });
    expect(next.status).toBe(429);
    const clients = (await ctx.db.selectFrom('sign_in_failures').select('client').where('username_key', '=', username.toLowerCase()).execute()).map(
      (r) => r.client,
    );
    expect(clients).toEqual([ATTACKER]);
  });

  it('is off by default: the per-minute limit counts the socket, whatever X-Forwarded-For says', async () => {
    const limited = await createTestContext({ env: { RATE_LIMIT_SIGNIN_PER_MIN: '2' } });
    try {
      const answers = [];
      for (let i = 0; i < 3; i++) {
        answers.push(
          await limited
            .request()
            .post('/api/v1/auth/token')
            .set('X-Forwarded-For', `203.0.113.${i + 1}`)
            .send({ username: 'nobody', password: 'x' }),
        );
      }
      expect(answers.map((r) => r.status)).toEqual([401, 401, 429]);
      expect(expectApiError(answers[2]!, 429, 'rate_limited').message).toBe('登录尝试过于频繁，请稍后再试');
      // The sign-in page is limited by the same budget.
      const agent = limited.request();
      const form = await agent.get('/staff/login').set('X-Forwarded-For', '203.0.113.50').expect(200);
      const page = await agent
        .post('/staff/login')
        .set('X-Forwarded-For', '203.0.113.51')
        .set('Accept', 'text/html')
        .type('form')
        .send({ _csrf: csrfOf(form.text), username: 'nobody', password: 'x' });
      expect(page.status).toBe(429);
      expect(page.text).toContain('登录尝试过于频繁，请稍后再试');
    } finally {
      await limited.close();
    }
  });

  it('TRUST_PROXY=loopback believes X-Forwarded-For from the proxy on loopback: each forwarded client has its own budget', async () => {
    const trusted = await createTestContext({ env: { RATE_LIMIT_SIGNIN_PER_MIN: '2', TRUST_PROXY: 'loopback' } });
    try {
      const attempt = (xff: string) =>
        trusted.request().post('/api/v1/auth/token').set('X-Forwarded-For', xff).send({ username: 'nobody', password: 'x' });
      const distinct = [];
      for (const xff of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) distinct.push((await attempt(xff)).status);
      expect(distinct).toEqual([401, 401, 401]);
      // The budget still holds per forwarded client.
      expect((await attempt('203.0.113.1')).status).toBe(401);
      const third = await attempt('203.0.113.1');
      expect(third.status).toBe(429);
      expect(third.body.error.message).toBe('登录尝试过于频繁，请稍后再试');
      // Failures are counted under the forwarded address.
      const clients = (await trusted.db.selectFrom('sign_in_failures').select('client').where('username_key', '=', 'nobody').execute())
        .map((r) => r.client)
        .sort();
      expect(clients).toEqual(['203.0.113.1', '203.0.113.2', '203.0.113.3']);
    } finally {
      await trusted.close();
    }
  });
});

describe('missing static files', () => {
  it('are the Chinese 404 page, and nothing is logged as an error', async () => {
    const lines: { level: number; msg?: string; status?: number; url?: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line));
        done();
      },
    });
    const logger = pino({ level: 'trace' }, sink);
    const app = supertest(createApp({ config: ctx.config, services: ctx.services, logger }));
    for (const path of ['/static/nope.css', '/static/', '/static', '/static/deeper/nope.js']) {
      for (const accept of ['text/html', undefined]) {
        let req = app.get(path);
        if (accept) req = req.set('Accept', accept);
        const res = await req;
        expect(res.status, path).toBe(404);
        expect(res.headers['content-type'], path).toMatch(/^text\/html/);
        expect(res.text, path).toContain('页面不存在');
        expect(res.text, path).toContain('返回首页');
      }
    }
    // A file that exists is still served.
    await app.get('/static/app.css').expect(200).expect('content-type', /css/);
    // The logger did see the requests (at debug level), so an error line would have been caught.
    expect(lines.filter((l) => l.msg === 'request' && l.status === 404).length).toBeGreaterThanOrEqual(8);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });
});

describe('PUBLIC_URL and absolute links', () => {
  const baseEnv = {
    DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/x',
    MEILI_URL: 'http://127.0.0.1:7700',
    MEILI_MASTER_KEY: 'a-master-key',
  };

  it('production without PUBLIC_URL is refused with a message naming it', () => {
    expect(() => loadConfig({ ...baseEnv, NODE_ENV: 'production' })).toThrow(/PUBLIC_URL/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PUBLIC_URL/);
    expect(() => loadConfig({ ...baseEnv, NODE_ENV: 'production', PUBLIC_URL: '' })).toThrow(/PUBLIC_URL/);
    const config = loadConfig({ ...baseEnv, NODE_ENV: 'production', PUBLIC_URL: 'https://gfwj.example.gov.cn' });
    expect(config.publicUrl).toBe('https://gfwj.example.gov.cn');
    expect(() => loadConfig({ ...baseEnv, NODE_ENV: 'development' })).not.toThrow();
  });

  const FEEDS = ['/feeds/documents.atom', '/sitemap.xml', '/sitemaps/pages.xml', '/sitemaps/documents-1.xml', '/robots.txt'];
  /** Every absolute URL in a body, except XML namespace names. */
  const absoluteUrls = (text: string) =>
    [...text.matchAll(/https?:\/\/[^\s"'<>]+/g)].map((m) => m[0]).filter((u) => !/^http:\/\/www\.(w3|sitemaps)\.org\//.test(u));

  it('a forged Host header never reaches the feeds, the sitemap or robots.txt', async () => {
    const doc = await buildDocument(ctx.services, admin.actor, { title: '订阅源测试文件', published_on: '2024-01-02' });
    for (const path of FEEDS) {
      const res = await ctx
        .request()
        .get(path)
        .set('Host', 'evil.example')
        .set('X-Forwarded-Host', 'evil.example')
        .set('X-Forwarded-Proto', 'https');
      expect(res.status, path).toBe(200);
      expect(res.text, path).not.toContain('evil.example');
      const urls = absoluteUrls(res.text);
      expect(urls.length, path).toBeGreaterThan(0);
      // Without PUBLIC_URL the configured HOST:PORT is used.
      for (const url of urls) expect(url, path).toMatch(/^http:\/\/127\.0\.0\.1:3000\//);
    }
    const atom = await ctx.request().get('/feeds/documents.atom').set('Host', 'evil.example');
    expect(atom.text).toContain(`http://127.0.0.1:3000/documents/${doc.id}`);
  });

  it('with PUBLIC_URL every absolute link starts with it', async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: ctx.config.databaseUrl,
      MEILI_URL: ctx.config.meili.url,
      MEILI_MASTER_KEY: ctx.config.meili.masterKey,
      MEILI_INDEX_PREFIX: ctx.config.meili.indexPrefix,
      STORAGE_DIR: ctx.config.storageDir,
      LOG_LEVEL: 'silent',
      PUBLIC_URL: 'https://gfwj.example.gov.cn',
    });
    const app = supertest(createApp({ config, services: ctx.services, logger: pino({ level: 'silent' }) }));
    const doc = await buildDocument(ctx.services, admin.actor, { title: '公开地址测试文件', published_on: '2024-01-03' });
    for (const path of FEEDS) {
      const res = await app.get(path).set('Host', 'evil.example');
      expect(res.status, path).toBe(200);
      expect(res.text, path).not.toContain('evil.example');
      const urls = absoluteUrls(res.text);
      expect(urls.length, path).toBeGreaterThan(0);
      for (const url of urls) expect(url, path).toMatch(/^https:\/\/gfwj\.example\.gov\.cn\//);
    }
    expect((await app.get('/feeds/documents.atom')).text).toContain(`https://gfwj.example.gov.cn/documents/${doc.id}`);
    expect((await app.get('/robots.txt')).text).toContain('Sitemap: https://gfwj.example.gov.cn/sitemap.xml');
  });
});

describe('Cache-Control: no-store for what belongs to one person', () => {
  const noStore = (res: { headers: Record<string, unknown> }) => String(res.headers['cache-control'] ?? '').split(/,\s*/).includes('no-store');

  it('every page of a signed-in session, staff pages and a draft seen on the public side', async () => {
    const { username, password } = await buildUser(ctx.services, 'admin');
    const draft = await buildDocument(ctx.services, admin.actor, { title: '未发布草稿缓存测试', published_on: null });
    const { agent } = await signedInAgent(ctx, username, password);
    for (const path of ['/staff', '/staff/users', '/staff/audit', '/staff/tokens', `/documents/${draft.id}`, '/']) {
      const res = await agent.get(path).set('Accept', 'text/html');
      expect(res.status, path).toBe(200);
      expect(noStore(res), `${path}: ${String(res.headers['cache-control'])}`).toBe(true);
    }
    // The public cannot see the draft at all.
    expect((await ctx.request().get(`/documents/${draft.id}`).set('Accept', 'text/html')).status).toBe(404);
  });

  it('the sign-in page (it carries a CSRF token), shown or re-rendered after a failure', async () => {
    const agent = ctx.request();
    const page = await agent.get('/staff/login').expect(200);
    expect(noStore(page)).toBe(true);
    const failed = await agent.post('/staff/login').type('form').send({ _csrf: csrfOf(page.text), username: 'nobody_cache', password: 'x' });
    expect(failed.status).toBe(401);
    expect(noStore(failed)).toBe(true);
  });

  it('every API answer to a bearer token, and the token itself', async () => {
    for (const path of ['/api/v1/documents', '/api/v1/auth/tokens', '/api/v1/organs', '/api/v1/users']) {
      const res = await ctx.request().get(path).set(bearer(admin.token));
      expect(res.status, path).toBe(200);
      expect(noStore(res), path).toBe(true);
    }
    const { username, password } = await buildUser(ctx.services, 'editor');
    const issued = await ctx.request().post('/api/v1/auth/token').send({ username, password }).expect(200);
    expect(noStore(issued)).toBe(true);
  });

  it('public pages for anonymous visitors are not no-store', async () => {
    const doc = await buildDocument(ctx.services, admin.actor, { title: '公开缓存测试文件', published_on: '2024-01-02' });
    for (const path of ['/', `/documents/${doc.id}`]) {
      const res = await ctx.request().get(path).set('Accept', 'text/html');
      expect(res.status, path).toBe(200);
      expect(noStore(res), path).toBe(false);
    }
    const api = await ctx.request().get('/api/v1/documents').expect(200);
    expect(noStore(api)).toBe(false);
  });
});

describe('API tokens have a lifetime', () => {
  const DAY = 86_400_000;

  it('POST /auth/token answers the token and its expiry, 90 days ahead by default', async () => {
    const { username, password } = await buildUser(ctx.services, 'editor');
    const res = await ctx.request().post('/api/v1/auth/token').send({ username, password }).expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['expires_at', 'token']);
    expect(new Date(res.body.expires_at).toISOString()).toBe(res.body.expires_at);
    const days = (Date.parse(res.body.expires_at) - Date.now()) / DAY;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThan(90.1);
  });

  it('TOKEN_TTL_DAYS sets the lifetime', async () => {
    const short = await createTestContext({ env: { TOKEN_TTL_DAYS: '7' } });
    try {
      const { username, password } = await buildUser(short.services, 'editor');
      const res = await short.request().post('/api/v1/auth/token').send({ username, password }).expect(200);
      const days = (Date.parse(res.body.expires_at) - Date.now()) / DAY;
      expect(days).toBeGreaterThan(6.9);
      expect(days).toBeLessThan(7.1);
    } finally {
      await short.close();
    }
  });

  it('GET /auth/tokens lists expires_at and last_used_at; a token past expires_at is refused', async () => {
    const { username, password } = await buildUser(ctx.services, 'editor');
    const used = (await ctx.request().post('/api/v1/auth/token').send({ username, password }).expect(200)).body.token as string;
    const spare = await ctx.request().post('/api/v1/auth/tokens').set(bearer(used)).send({ name: '备用令牌' }).expect(201);
    const list = await ctx.request().get('/api/v1/auth/tokens').set(bearer(used)).expect(200);
    const items = list.body.items as { id: number; name: string; expires_at: string; last_used_at: string | null }[];
    expect(items).toHaveLength(2);
    for (const item of items) {
      expect(item).toHaveProperty('last_used_at');
      const days = (Date.parse(item.expires_at) - Date.now()) / DAY;
      expect(days).toBeGreaterThan(89.9);
      expect(days).toBeLessThan(90.1);
    }
    expect(items.find((t) => t.name === 'api')!.last_used_at).not.toBeNull();
    expect(items.find((t) => t.name === '备用令牌')!.last_used_at).toBeNull();

    await ctx.request().get('/api/v1/auth/tokens').set(bearer(spare.body.token)).expect(200);
    await ctx.db
      .updateTable('api_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', spare.body.id)
      .execute();
    expectApiError(await ctx.request().get('/api/v1/auth/tokens').set(bearer(spare.body.token)), 401, 'unauthenticated');
    expectApiError(
      await ctx.request().post('/api/v1/documents').set(bearer(spare.body.token)).send({ kind: 'normative', title: '过期令牌', organ_id: 1 }),
      401,
      'unauthenticated',
    );
    // The other token of the same user still works.
    await ctx.request().get('/api/v1/auth/tokens').set(bearer(used)).expect(200);
  });

  it('the tokens page shows 有效期至, and an expired token as expired', async () => {
    const { username, password, userId } = await buildUser(ctx.services, 'editor');
    const { agent, csrf } = await signedInAgent(ctx, username, password);
    const created = await agent.post('/staff/tokens').type('form').send({ _csrf: csrf, name: '页面令牌' }).expect(200);
    expect(created.text).toContain('有效期至');
    const row = await ctx.db.selectFrom('api_tokens').select(['id', 'expires_at']).where('user_id', '=', userId).executeTakeFirstOrThrow();
    const shown = new Date(row.expires_at).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai' });
    const page = await agent.get('/staff/tokens').expect(200);
    expect(page.text).toContain('<th scope="col">有效期至</th>');
    expect(page.text).toContain(shown);
    expect(page.text).not.toContain('已过期');
    await ctx.db.updateTable('api_tokens').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', row.id).execute();
    expect((await agent.get('/staff/tokens').expect(200)).text).toContain('已过期');
  });
});
