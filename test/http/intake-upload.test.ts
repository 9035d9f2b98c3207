import { randomBytes } from 'node:crypto';
import type { Response } from 'superagent';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Actor } from '../../src/features/accounts/actor.js';
import { sharedExtractor } from '../../src/platform/extractor.js';
import { expectApiError, expectFileRefused, expectNothingStored, rowDelta } from '../support/assertions.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { bearer, buildDocument, buildOrgan, pngBytes } from '../support/factories.js';
import {
  chinesePdf,
  docxFile,
  docxZipBomb,
  encryptedPdf,
  gbkText,
  manyPagePdf,
  scannedPdf,
} from '../support/upload-fixtures.js';

// Each test file's extractor children start through tsx (a second or more on a busy machine).
vi.setConfig({ testTimeout: 60_000 });

let ctx: TestContext;
let admin: Actor;
let token: string;
let organId: number;

beforeAll(async () => {
  ctx = await createTestContext();
  ({ actor: admin, token } = await ctx.user('admin'));
  organId = (
    await buildOrgan(ctx.services, admin, { name: `静安区人民政府${randomBytes(2).toString('hex')}`, doc_prefixes: ['静府规'] })
  ).id;
});
afterAll(() => ctx?.close());

const metadata = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({ kind: 'normative', title: `上传测试${randomBytes(3).toString('hex')}`, organ_id: organId, published_on: '2023-06-01', ...overrides });

function create(file: Buffer, filename: string, meta = metadata(), as = token) {
  return ctx.request().post('/api/v1/documents').set(bearer(as)).field('metadata', meta).attach('file', file, { filename });
}

const NOTICE_PAGES = [
  [
    '静安区人民政府文件',
    '静府规〔2023〕5号',
    '静安区人民政府关于加强生态环境保护专项资金管理的通知',
    '各街道办事处：',
    '为加强生态环境保护专项资金管理，提高财政资金使用效益，现通知如下。',
    '本通知自2023年6月1日起施行，有效期5年。',
    '静安区人民政府',
    '二〇二三年五月十二日',
  ],
];

describe('registering a document with its original', () => {
  it('a Chinese PDF: stored, and its extracted text becomes the body when none is given', async () => {
    const created = await create(await chinesePdf(NOTICE_PAGES), '通知.pdf').expect(201);
    expect(created.body.files).toEqual([expect.objectContaining({ name: '通知.pdf', type: 'application/pdf', text_layer: true })]);
    expect(created.body.body.split('\n')).toEqual(NOTICE_PAGES[0]);
  });

  it('a body given with the file wins over the extracted text', async () => {
    const created = await create(await chinesePdf(NOTICE_PAGES), '通知.pdf', metadata({ body: '人工录入的正文' })).expect(201);
    expect(created.body.body).toBe('人工录入的正文');
  });

  it('a scan: stored and flagged "no text layer", the body left empty for OCR or typing', async () => {
    const created = await create(await scannedPdf(), '扫描件.pdf').expect(201);
    expect(created.body.files[0]).toMatchObject({ text_layer: false });
    expect(created.body.body).toBe('');
  });

  it('a DOCX and a GBK text file', async () => {
    const docx = await create(await docxFile(['第一条 为规范管理，制定本办法。', '第二条 本办法自发布之日起施行。']), '办法.docx').expect(201);
    expect(docx.body.body).toBe('第一条 为规范管理，制定本办法。\n第二条 本办法自发布之日起施行。');
    expect(docx.body.files[0]).toMatchObject({ type: expect.stringContaining('wordprocessingml'), text_layer: true });

    const gbk = await create(gbkText('第一条 本规定由区司法局负责解释。\r\n'), '规定.txt').expect(201);
    expect(gbk.body.body).toBe('第一条 本规定由区司法局负责解释。');
    expect(gbk.body.files[0]).toMatchObject({ type: 'text/plain; charset=gb18030', name: '规定.txt' });
  });

  it('drops bidirectional controls and leading dots from the download name', async () => {
    const created = await create(await chinesePdf([['名称']]), '../..\u202e公告\u202c.pdf').expect(201);
    expect(created.body.files[0].name).toBe('公告.pdf');
  });
});

describe('bad files: a 4xx with a Chinese message, nothing stored', () => {
  it.each([
    ['an encrypted PDF', async () => encryptedPdf(), 422, /已加密/],
    ['a truncated PDF', async () => (await manyPagePdf(2)).subarray(0, 3000), 422, /已损坏或不完整/],
    ['garbage after a PDF header', async () => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(4000)]), 422, /已损坏或不完整/],
    ['a zero-byte file', async () => Buffer.alloc(0), 400, /文件为空/],
    // Its zlib data fails its check: a broken image, not a blank one (intake-formats.test.ts has that).
    ['a corrupt PNG named .pdf', async () => pngBytes(), 422, /图片文件已损坏/],
    ['a DOCX zip bomb', () => docxZipBomb(), 422, /压缩炸弹/],
  ])('%s', async (_label, bytes, status, message) => {
    const file = await bytes();
    await expectFileRefused(ctx.db, () => create(file, '文件.pdf'), status, message);
  });
});

describe('POST /api/v1/documents/:id/files (attachments)', () => {
  it('adds 附件 beside the main file, each downloadable under its own name', async () => {
    const doc = await create(await chinesePdf(NOTICE_PAGES), '正文.pdf').expect(201);
    const attachment = await docxFile(['附件1 专项资金申请表']);
    let res: Response | undefined;
    const delta = await rowDelta(ctx.db, async () => {
      res = await ctx
        .request()
        .post(`/api/v1/documents/${doc.body.id}/files`)
        .set(bearer(token))
        .attach('file', attachment, { filename: '附件1：申请表.docx' })
        .expect(201);
    });
    expect(delta).toMatchObject({ documents: 0, document_files: 1, stored_files: 1, audit_log: 1, index_jobs: 1 });
    expect(res!.body.files.map((f: { name: string; role: string }) => [f.name, f.role])).toEqual([
      ['正文.pdf', 'main'],
      ['附件1：申请表.docx', 'attachment'],
    ]);
    expect(res!.body.body).toBe(doc.body.body);
    const fileId = res!.body.files[1].id as number;
    const download = await ctx.request().get(`/api/v1/documents/${doc.body.id}/files/${fileId}`).expect(200);
    expect(download.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('附件1：申请表.docx')}`);
  });

  it('role=main replaces the main file; a document without a body takes the new original\'s text', async () => {
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId });
    expect(doc.body).toBe('');
    const res = await ctx
      .request()
      .post(`/api/v1/documents/${doc.id}/files`)
      .set(bearer(token))
      .field('role', 'main')
      .attach('file', await chinesePdf([['补充上传的原件正文']]), { filename: '原件.pdf' })
      .expect(201);
    expect(res.body.files).toEqual([expect.objectContaining({ role: 'main', name: '原件.pdf', text_layer: true })]);
    expect(res.body.body).toBe('补充上传的原件正文');
  });

  it('refuses a missing file, a bad role, an unknown document, a bad file, and readers without write permission', async () => {
    const doc = await buildDocument(ctx.services, admin, { organ_id: organId });
    const url = `/api/v1/documents/${doc.id}/files`;
    const pdf = await chinesePdf([['附件']]);
    const compiler = await ctx.user('compiler');
    await expectNothingStored(ctx.db, async () => {
      expect(expectApiError(await ctx.request().post(url).set(bearer(token)).field('role', 'attachment'), 400).fields).toHaveProperty('file');
      const badRole = await ctx.request().post(url).set(bearer(token)).field('role', 'cover').attach('file', pdf, { filename: 'a.pdf' });
      expect(expectApiError(badRole, 400).fields).toHaveProperty('role');
      expectApiError(
        await ctx.request().post('/api/v1/documents/2147483647/files').set(bearer(token)).attach('file', pdf, { filename: 'a.pdf' }),
        404,
      );
      expectApiError(await ctx.request().post(url).set(bearer(token)).attach('file', encryptedPdf(), { filename: 'a.pdf' }), 422);
      expectApiError(await ctx.request().post(url).set(bearer(compiler.token)).attach('file', pdf, { filename: 'a.pdf' }), 403);
      expectApiError(await ctx.request().post(url).attach('file', pdf, { filename: 'a.pdf' }), 401);
    });
  });
});

describe('POST /api/v1/documents/suggest', () => {
  it('extracts the text and suggests the metadata, storing nothing', async () => {
    let res: Response | undefined;
    await expectNothingStored(ctx.db, async () => {
      res = await ctx
        .request()
        .post('/api/v1/documents/suggest')
        .set(bearer(token))
        .attach('file', await chinesePdf(NOTICE_PAGES), { filename: '待登记.pdf' })
        .expect(200);
    });
    expect(res!.body).toEqual({
      text_layer: true,
      ocr: false,
      ocr_text: null,
      pages: 1,
      failed_pages: [],
      suggestions: {
        title: '静安区人民政府关于加强生态环境保护专项资金管理的通知',
        doc_number: '静府规〔2023〕5号',
        organ_id: organId,
        organ_name: expect.stringMatching(/^静安区人民政府/),
        signed_on: '2023-05-12',
        published_on: null,
        effective_on: '2023-06-01',
        expires_on: '2028-05-31',
        topics: expect.arrayContaining(['生态环境']),
      },
      excerpt: expect.stringMatching(/^静安区人民政府文件\n静府规〔2023〕5号/),
    });
  });

  it('says when a scan has no text layer, and refuses what it cannot read', async () => {
    const scan = await ctx.request().post('/api/v1/documents/suggest').set(bearer(token)).attach('file', await scannedPdf(), { filename: 's.pdf' });
    expect(scan.status).toBe(200);
    expect(scan.body).toMatchObject({ text_layer: false, excerpt: '', suggestions: { title: null, doc_number: null } });
    expectApiError(await ctx.request().post('/api/v1/documents/suggest').set(bearer(token)).attach('file', encryptedPdf(), { filename: 'e.pdf' }), 422);
    expectApiError(await ctx.request().post('/api/v1/documents/suggest').set(bearer(token)).field('x', '1'), 400);
    expectApiError(await ctx.request().post('/api/v1/documents/suggest').attach('file', await scannedPdf(), { filename: 's.pdf' }), 401);
  });

  it('is published in the OpenAPI description with the attachment route', async () => {
    const openapi = await ctx.request().get('/api/v1/openapi.json').expect(200);
    expect(openapi.body.paths['/api/v1/documents/suggest'].post.requestBody.content).toHaveProperty('multipart/form-data');
    expect(openapi.body.paths['/api/v1/documents/{id}/files'].post).toBeDefined();
  });
});

describe('the server keeps answering while a 300-page PDF is parsed', () => {
  it('answers /healthz and GET /api/v1/organs during the extraction', async () => {
    const pdf = await manyPagePdf(300);
    const extractor = sharedExtractor();
    const upload = create(pdf, '三百页.pdf').then((res) => res);
    // Wait until a child has the file; the requests below must be answered while it parses.
    await vi.waitFor(() => expect(extractor.stats().busy).toBeGreaterThan(0), { timeout: 30_000, interval: 5 });
    let answeredDuringParse = 0;
    while (extractor.stats().busy > 0) {
      const [health, organs] = await Promise.all([ctx.request().get('/healthz'), ctx.request().get('/api/v1/organs')]);
      expect(health.status).toBe(200);
      expect(organs.status).toBe(200);
      if (extractor.stats().busy > 0) answeredDuringParse++;
    }
    const created = await upload;
    expect(created.status, created.text).toBe(201);
    expect(created.body.body.length).toBeGreaterThan(300 * 500);
    expect(answeredDuringParse).toBeGreaterThan(0);
  }, 120_000);
});
