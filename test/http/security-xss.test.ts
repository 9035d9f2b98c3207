import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/context.js';
import { signedInAgent } from '../support/staff.js';

const PAYLOADS = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>', "'-alert(1)-'"];
const RAW = /<script>alert|<img src=x|<svg onload/;

let ctx: TestContext;
let documentId: number;
let interpretationId: number;
const password = 'xss-admin-password';

beforeAll(async () => {
  ctx = await createTestContext();
  await ctx.services.users.create(null, { username: 'xadmin', password, role: 'admin', display_name: PAYLOADS[1] });
  const { actor } = await ctx.user('admin');
  const organ = await ctx.services.organs.create(actor, { name: `县政府${PAYLOADS[0]}`, short_name: PAYLOADS[2] });
  const doc = await ctx.services.documents.create(actor, {
    kind: 'normative',
    title: `关于${PAYLOADS[0]}的通知${PAYLOADS[1]}`,
    index_number: PAYLOADS[2],
    organ_id: organ.id,
    published_on: '2024-01-01',
    body: PAYLOADS.join('\n'),
  });
  documentId = doc.id;
  const interpretation = await ctx.services.interpretations.create(actor, {
    title: `解读${PAYLOADS[1]}`,
    body: PAYLOADS.join('\n'),
    published_on: '2024-01-02',
    document_ids: [documentId],
  });
  interpretationId = interpretation.id;
  const xadmin = await ctx.db.selectFrom('users').select(['id', 'username', 'role']).where('username', '=', 'xadmin').executeTakeFirstOrThrow();
  await ctx.services.users.createToken({ userId: xadmin.id, username: xadmin.username, role: xadmin.role, ip: null }, PAYLOADS[0]!);
});
afterAll(() => ctx?.close());

describe('XSS payloads in every stored text field render as text on every page', () => {
  it('public pages', async () => {
    for (const url of ['/', `/documents/${documentId}`, `/interpretations/${interpretationId}`]) {
      const res = await ctx.request().get(url).expect(200);
      expect(res.text, url).not.toMatch(RAW);
      expect(res.text, url).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
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
