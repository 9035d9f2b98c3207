import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/context.js';
import { signedInAgent } from '../support/staff.js';

const PAYLOADS = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>', "'-alert(1)-'"];
const RAW = /<script>alert|<img src=x|<svg onload/;

let ctx: TestContext;
let documentId: number;
let snippetDocumentId: number;
let interpretationId: number;
/** No service creates topics (a fixed list from a migration), so this one is written straight to the table. */
const payloadTopic = `专题${PAYLOADS[1]}`;
const password = 'xss-admin-password';

beforeAll(async () => {
  ctx = await createTestContext();
  await ctx.services.users.create(null, { username: 'xadmin', password, role: 'admin', display_name: PAYLOADS[1] });
  const { actor } = await ctx.user('admin');
  const organ = await ctx.services.organs.create(actor, { name: `县政府${PAYLOADS[0]}`, short_name: PAYLOADS[2] });
  await ctx.db.insertInto('topics').values({ name: payloadTopic }).execute();
  const doc = await ctx.services.documents.create(actor, {
    kind: 'normative',
    title: `关于${PAYLOADS[0]}的通知${PAYLOADS[1]}`,
    index_number: PAYLOADS[2],
    organ_id: organ.id,
    published_on: '2024-01-01',
    body: PAYLOADS.join('\n'),
    topics: [payloadTopic],
  });
  documentId = doc.id;
  // A harmless title: on a results page, a payload of this document can only come from its snippet.
  const snippetDocument = await ctx.services.documents.create(actor, {
    kind: 'normative',
    title: '正文含代码的文件',
    organ_id: organ.id,
    published_on: '2024-01-01',
    body: `防护测试：${PAYLOADS[1]}与${PAYLOADS[0]}。`,
  });
  snippetDocumentId = snippetDocument.id;
  const interpretation = await ctx.services.interpretations.create(actor, {
    title: `解读${PAYLOADS[1]}`,
    body: PAYLOADS.join('\n'),
    published_on: '2024-01-02',
    document_ids: [documentId],
  });
  interpretationId = interpretation.id;
  const xadmin = await ctx.db.selectFrom('users').select(['id', 'username', 'role']).where('username', '=', 'xadmin').executeTakeFirstOrThrow();
  await ctx.services.users.createToken({ userId: xadmin.id, username: xadmin.username, role: xadmin.role, ip: null }, PAYLOADS[0]!);
  await ctx.worker.drainNow();
});
afterAll(() => ctx?.close());

/** The results page's entry for a document; fails the test when the document is not listed. */
function hitOf(page: string, id: number): string {
  const hit = page.match(new RegExp(`<li class="hit hit-document">\\s*<h3><a href="/documents/${id}">[\\s\\S]*?</li>`));
  expect(hit, `document ${id} among the hits`).not.toBeNull();
  return hit![0];
}

describe('XSS payloads in every stored text field render as text on every page', () => {
  it('public pages', async () => {
    for (const url of ['/', `/documents/${documentId}`, `/interpretations/${interpretationId}`]) {
      const res = await ctx.request().get(url).expect(200);
      expect(res.text, url).not.toMatch(RAW);
      expect(res.text, url).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
  });

  it('the results page: a payload title and a payload in the snippet', async () => {
    const byTitle = await ctx.request().get(`/search?q=${encodeURIComponent('通知')}`).expect(200);
    expect(byTitle.text).not.toMatch(RAW);
    const title = hitOf(byTitle.text, documentId).match(/<h3>([\s\S]*?)<\/h3>/)![1];
    expect(title).toContain('关于&lt;script&gt;alert(1)&lt;/script&gt;的<mark>通知</mark>&lt;img src=x onerror=alert(1)&gt;');

    const byBody = await ctx.request().get(`/search?q=${encodeURIComponent('防护测试')}`).expect(200);
    expect(byBody.text).not.toMatch(RAW);
    const snippet = hitOf(byBody.text, snippetDocumentId).match(/<p class="snippet">([\s\S]*?)<\/p>/)![1];
    expect(snippet).toContain('<mark>防护测试</mark>：&lt;img src=x onerror=alert(1)&gt;与&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('browse by organ and by topic, and the results each links to', async () => {
    for (const [url, name] of [
      ['/organs', '县政府&lt;script&gt;alert(1)&lt;/script&gt;'],
      ['/topics', '专题&lt;img src=x onerror=alert(1)&gt;'],
    ] as const) {
      const res = await ctx.request().get(url).expect(200);
      expect(res.text, url).not.toMatch(RAW);
      const href = [...res.text.matchAll(/<a href="([^"]+)">([^<]*)/g)].find(([, , text]) => text!.startsWith(`${name} `))?.[1];
      expect(href, `${url} links ${name}`).toBeDefined();
      const results = await ctx.request().get(href!.replaceAll('&amp;', '&')).expect(200);
      expect(results.text, href).not.toMatch(RAW);
      // The filter's label (the organ or topic) and the payload-titled document, as text.
      expect(results.text, href).toContain(name);
      expect(hitOf(results.text, documentId)).toContain('关于&lt;script&gt;alert(1)&lt;/script&gt;的通知&lt;img src=x onerror=alert(1)&gt;');
    }
  });

  it('staff pages', async () => {
    const { agent } = await signedInAgent(ctx, 'xadmin', password);
    // Each page shows at least one payload, escaped: the display name, a title, the organ, the token name.
    const escaped = /&lt;(script|img src=x|svg onload)/;
    for (const url of ['/staff', '/staff/documents', `/staff/documents/${documentId}`, `/staff/documents/${documentId}/edit`, '/staff/users', '/staff/audit', '/staff/tokens']) {
      const res = await agent.get(url).expect(200);
      expect(res.text, url).not.toMatch(RAW);
      expect(res.text, url).toMatch(escaped);
    }
  });

  it('JSON answers carry the text verbatim (escaping is the renderer’s job) with a JSON content type', async () => {
    const res = await ctx.request().get(`/api/v1/documents/${documentId}`).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.title).toContain(PAYLOADS[0]);
  });
});

describe('other hardening', () => {
  it('download routes only take numeric ids: traversal attempts are refused (400, 403 or 404), never a file', async () => {
    for (const url of [
      `/api/v1/documents/${documentId}/files/..%2F..%2F..%2Fetc%2Fpasswd`,
      '/api/v1/documents/..%2F..%2Fetc%2Fpasswd/file',
      `/api/v1/documents/${documentId}/files/1%00`,
      '/static/..%2F..%2Fpackage.json',
      '/static/../package.json',
    ]) {
      const res = await ctx.request().get(url);
      expect([400, 403, 404], url).toContain(res.status);
      expect(res.text, url).not.toContain('root:');
      expect(res.text, url).not.toContain('"dependencies"');
    }
  });

  it('never sends the Meilisearch master key to a client', async () => {
    const key = ctx.config.meili.masterKey!;
    expect(key.length).toBeGreaterThan(8);
    for (const url of ['/healthz', '/api/v1/openapi.json', '/', `/documents/${documentId}`, '/api/v1/documents', '/no-such-page']) {
      const res = await ctx.request().get(url);
      expect(res.text, url).not.toContain(key);
    }
  });

  it('answers an unknown error without a stack trace or SQL', async () => {
    const res = await ctx.request().get('/api/v1/documents?as_of=2023-02-29').expect(400);
    expect(JSON.stringify(res.body)).not.toMatch(/at \w+ \(|select |node_modules/i);
  });
});
