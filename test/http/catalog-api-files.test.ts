import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Response } from 'superagent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/features/accounts/actor.js';
import { expectApiError, expectNothingStored, rowDelta } from '../support/assertions.js';
import { createTestContext, movableClock, type TestContext } from '../support/context.js';
import { bearer, buildOrgan, minimalPdf } from '../support/factories.js';

const TODAY = '2024-06-15';
const PDF_TYPE = 'application/pdf';
const TEXT_TYPE = 'text/plain; charset=utf-8';

let ctx: TestContext;
let small: TestContext;
let admin: Actor;
let token: string;
let smallToken: string;
let organId: number;
let smallOrganId: number;

beforeAll(async () => {
  const clock = movableClock();
  clock.set(TODAY);
  [ctx, small] = await Promise.all([
    createTestContext({ clock }),
    createTestContext({ clock, env: { MAX_UPLOAD_MB: '1' } }),
  ]);
  ({ actor: admin, token } = await ctx.user('admin'));
  organId = (await buildOrgan(ctx.services, admin)).id;
  const smallAdmin = await small.user('admin');
  smallToken = smallAdmin.token;
  smallOrganId = (await buildOrgan(small.services, smallAdmin.actor)).id;
});
afterAll(async () => {
  await Promise.all([ctx?.close(), small?.close()]);
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const metadata = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({ kind: 'normative', title: `带原件的文件${randomBytes(3).toString('hex')}`, organ_id: organId, published_on: '2023-03-01', ...overrides });

function upload(file: Buffer | null, filename: string, meta: string | null = metadata(), on = ctx, as = token) {
  let req = on.request().post('/api/v1/documents').set(bearer(as));
  if (meta !== null) req = req.field('metadata', meta);
  if (file !== null) req = req.attach('file', file, { filename, contentType: 'application/octet-stream' });
  return req;
}

/** Reads any response body as raw bytes. */
function binary(res: Response, callback: (error: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

const download = (url: string, as: string | null = null) => {
  const req = ctx.request().get(url).buffer(true).parse(binary);
  return as ? req.set(bearer(as)) : req;
};

/** Every file under the storage directory, to prove a rejected upload wrote nothing to disk either. */
async function storedBlobs(on: TestContext): Promise<string[]> {
  const entries = await readdir(on.config.storageDir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath ?? e.path, e.name)).sort();
}

async function expectNothingUploaded(on: TestContext, work: () => Promise<unknown>) {
  const blobs = await storedBlobs(on);
  await expectNothingStored(on.db, work);
  expect(await storedBlobs(on)).toEqual(blobs);
}

function filenameStar(disposition: string): string | undefined {
  const match = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  return match ? decodeURIComponent(match[1]!) : undefined;
}

describe('multipart upload of the original file', () => {
  it('a real PDF is stored with its metadata, typed by its bytes, and listed in files', async () => {
    const bytes = minimalPdf('guifan');
    const name = '关于规范文件管理的通知.pdf';
    let res: Awaited<ReturnType<typeof upload>> | undefined;
    const delta = await rowDelta(ctx.db, async () => {
      res = await upload(bytes, name, metadata({ title: '关于规范文件管理的通知' }));
    });
    expect(res!.status, res!.text).toBe(201);
    expect(delta).toMatchObject({ documents: 1, stored_files: 1, document_files: 1, audit_log: 1, index_jobs: 1 });
    expect(res!.body).toMatchObject({ title: '关于规范文件管理的通知', status: 'in_force' });
    const read = await ctx.request().get(`/api/v1/documents/${res!.body.id}`).expect(200);
    expect(read.body.files).toHaveLength(1);
    const file = read.body.files[0];
    expect(file).toMatchObject({ id: expect.any(Number), name, type: PDF_TYPE, size: bytes.length, sha256: sha256(bytes) });
    expect(typeof file.text_layer).toBe('boolean');
    const blob = path.join(ctx.config.storageDir, file.sha256.slice(0, 2), file.sha256.slice(2, 4), file.sha256);
    expect(await readFile(blob)).toEqual(bytes);
  });

  it('the original comes back byte for byte with its type and its Chinese name (RFC 5987)', async () => {
    const bytes = minimalPdf('download');
    const name = '静乐县行政规范性文件管理办法.pdf';
    const created = await upload(bytes, name).expect(201);
    for (const url of [`/api/v1/documents/${created.body.id}/file`, `/api/v1/documents/${created.body.id}/files/${created.body.files[0].id}`]) {
      const res = await download(url).expect(200);
      expect(Buffer.compare(res.body as Buffer, bytes)).toBe(0);
      expect(res.headers['content-type']).toBe(PDF_TYPE);
      expect(Number(res.headers['content-length'])).toBe(bytes.length);
      const disposition = res.headers['content-disposition'] ?? '';
      expect(disposition).toMatch(/^attachment;/);
      // Named after the document ({标题}.{ext}), not the uploader's file name.
      const named = `${created.body.title}.pdf`;
      expect(disposition).toContain(`filename*=UTF-8''${encodeURIComponent(named)}`);
      expect(filenameStar(disposition)).toBe(named);
      // The plain filename= fallback is ASCII-only: raw UTF-8 in a header is not safe.
      expect(/^[\x20-\x7e]*$/.test(disposition)).toBe(true);
    }
  });

  it('a UTF-8 text file is stored as text with a text layer', async () => {
    const bytes = Buffer.from('第一条 为规范行政规范性文件管理，制定本办法。\n第二条 本办法自发布之日起施行。\n', 'utf8');
    const name = '管理办法全文.txt';
    const created = await upload(bytes, name).expect(201);
    expect(created.body.files).toEqual([
      expect.objectContaining({ name, type: TEXT_TYPE, size: bytes.length, sha256: sha256(bytes), text_layer: true }),
    ]);
    const res = await download(`/api/v1/documents/${created.body.id}/file`).expect(200);
    expect(Buffer.compare(res.body as Buffer, bytes)).toBe(0);
    expect(res.headers['content-type']).toBe(TEXT_TYPE);
    expect(filenameStar(res.headers['content-disposition'] ?? '')).toBe(`${created.body.title}.txt`);
  });

  it('the type comes from the bytes, not the name: PDF bytes named .txt are a PDF', async () => {
    const created = await upload(minimalPdf('named-txt'), '看起来是文本.txt').expect(201);
    expect(created.body.files[0]).toMatchObject({ type: PDF_TYPE });
    expect(created.body.files[0].name).toMatch(/\.pdf$/);
  });

  it.each([
    // PNG, JPEG and TIFF are scanned pages read by OCR; a GIF is no document format.
    ['GIF bytes named .pdf', () => Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'), '伪装成PDF的图片.pdf'],
    ['a zip that is not a DOCX', () => Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('hello.txt'), Buffer.alloc(64)]), '压缩包.docx'],
    ['binary with NUL bytes named .txt', () => Buffer.from([0x41, 0x00, 0x42, 0x00]), '二进制.txt'],
  ])('%s → 415, nothing stored anywhere', async (_label, bytes, name) => {
    await expectNothingUploaded(ctx, async () => {
      expectApiError(await upload(bytes(), name), 415, 'unsupported_media_type');
    });
  });

  it('an empty file → 400 or 415 with a message, nothing stored anywhere', async () => {
    await expectNothingUploaded(ctx, async () => {
      const res = await upload(Buffer.alloc(0), '空文件.pdf');
      expect([400, 415]).toContain(res.status);
      expectApiError(res, res.status);
    });
  });

  it('metadata missing → 400 naming what is missing, nothing stored', async () => {
    await expectNothingUploaded(ctx, async () => {
      const error = expectApiError(await upload(minimalPdf('no-metadata'), '无元数据.pdf', null), 400, 'validation_failed');
      expect(Object.keys(error.fields ?? {}).length).toBeGreaterThan(0);
    });
  });

  it('no metadata and no file → 400 fields.metadata, nothing stored', async () => {
    await expectNothingUploaded(ctx, async () => {
      const res = await ctx.request().post('/api/v1/documents').set(bearer(token)).field('note', '只有一个无关字段');
      const error = expectApiError(res, 400, 'validation_failed');
      expect(Object.keys(error.fields ?? {}).length).toBeGreaterThan(0);
    });
  });

  it.each([['{"kind":"normative",'], ['not json'], ["{'kind':'normative'}"], ['']])(
    'metadata %j that is not JSON → 400 fields.metadata, nothing stored',
    async (meta) => {
      await expectNothingUploaded(ctx, async () => {
        const error = expectApiError(await upload(minimalPdf(), '坏元数据.pdf', meta), 400, 'validation_failed');
        expect(error.fields?.['metadata']).toBeDefined();
      });
    },
  );

  it.each([['"a string"'], ['[]'], ['42'], ['null']])('metadata %s that is not an object → 400, nothing stored', async (meta) => {
    await expectNothingUploaded(ctx, async () => {
      expectApiError(await upload(minimalPdf(), '非对象元数据.pdf', meta), 400, 'validation_failed');
    });
  });

  it('metadata that fails validation → 400 naming the fields, and the file is not stored', async () => {
    await expectNothingUploaded(ctx, async () => {
      const error = expectApiError(
        await upload(minimalPdf('invalid-meta'), '校验失败.pdf', JSON.stringify({ kind: 'decree', title: '', organ_id: organId })),
        400,
        'validation_failed',
      );
      expect(Object.keys(error.fields ?? {})).toEqual(expect.arrayContaining(['kind', 'title']));
    });
  });

  it('metadata whose organ does not exist → 400 and the file is not stored', async () => {
    await expectNothingUploaded(ctx, async () => {
      expectApiError(await upload(minimalPdf('no-organ'), '无机关.pdf', metadata({ organ_id: 2_147_483_647 })), 400, 'validation_failed');
    });
  });

  it('a file under another field name → 400, nothing stored', async () => {
    await expectNothingUploaded(ctx, async () => {
      const res = await ctx
        .request()
        .post('/api/v1/documents')
        .set(bearer(token))
        .field('metadata', metadata())
        .attach('attachment', minimalPdf(), { filename: '附件.pdf', contentType: PDF_TYPE });
      expectApiError(res, 400, 'validation_failed');
    });
  });

  it('two files → 400, nothing stored', async () => {
    await expectNothingUploaded(ctx, async () => {
      const res = await ctx
        .request()
        .post('/api/v1/documents')
        .set(bearer(token))
        .field('metadata', metadata())
        .attach('file', minimalPdf('one'), { filename: '一.pdf', contentType: PDF_TYPE })
        .attach('file', minimalPdf('two'), { filename: '二.pdf', contentType: PDF_TYPE });
      expectApiError(res, 400, 'validation_failed');
    });
  });

  it('multipart with metadata and no file creates a document without files', async () => {
    const res = await upload(null, '', metadata()).expect(201);
    const read = await ctx.request().get(`/api/v1/documents/${res.body.id}`).expect(200);
    expect(read.body.files).toEqual([]);
    expectApiError(await ctx.request().get(`/api/v1/documents/${res.body.id}/file`), 404, 'not_found');
  });

  it('a path in the file name is dropped; a missing extension is added', async () => {
    const traversal = await upload(minimalPdf('traversal'), '../../etc/通知.pdf').expect(201);
    expect(traversal.body.files[0].name).toBe('通知.pdf');
    const windows = await upload(minimalPdf('windows'), 'C:\\公文\\决定.pdf').expect(201);
    expect(windows.body.files[0].name).toBe('决定.pdf');
    const bare = await upload(minimalPdf('bare'), '没有扩展名').expect(201);
    expect(bare.body.files[0].name).toBe('没有扩展名.pdf');
  });

  it('the same bytes for two documents are stored once', async () => {
    const bytes = minimalPdf('shared-bytes');
    const first = await upload(bytes, '第一份.pdf').expect(201);
    const second = await upload(bytes, '第二份.pdf').expect(201);
    const stored = await ctx.db.selectFrom('stored_files').selectAll().where('sha256', '=', sha256(bytes)).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ type: PDF_TYPE });
    expect(Number(stored[0]!.size)).toBe(bytes.length);
    const links = await ctx.db.selectFrom('document_files').selectAll().where('sha256', '=', sha256(bytes)).execute();
    expect(links.map((l) => l.document_id).sort()).toEqual([first.body.id, second.body.id].sort());
    const blobs = (await storedBlobs(ctx)).filter((b) => b.endsWith(sha256(bytes)));
    expect(blobs).toHaveLength(1);
    for (const doc of [first, second]) {
      const res = await download(`/api/v1/documents/${doc.body.id}/file`).expect(200);
      expect(Buffer.compare(res.body as Buffer, bytes)).toBe(0);
      expect(filenameStar(res.headers['content-disposition'] ?? '')).toBe(`${doc.body.title}.pdf`);
    }
  });

  it("a file id of another document → 404", async () => {
    const a = await upload(minimalPdf('a-file'), '甲.pdf').expect(201);
    const b = await upload(minimalPdf('b-file'), '乙.pdf').expect(201);
    expectApiError(await ctx.request().get(`/api/v1/documents/${a.body.id}/files/${b.body.files[0].id}`), 404, 'not_found');
    expectApiError(await ctx.request().get(`/api/v1/documents/2147483647/file`), 404, 'not_found');
  });

  it('a multipart upload needs write permission like JSON does', async () => {
    const compiler = await ctx.user('compiler');
    await expectNothingUploaded(ctx, async () => {
      expectApiError(await upload(minimalPdf('compiler'), '无权.pdf', metadata(), ctx, compiler.token), 403, 'forbidden');
    });
  });
});

describe('upload size limit (MAX_UPLOAD_MB=1)', () => {
  it('a file of 1.5 MB → 413, nothing stored anywhere', async () => {
    const bytes = Buffer.alloc(Math.round(1.5 * 1024 * 1024), 'a');
    await expectNothingUploaded(small, async () => {
      const res = await upload(bytes, '超大文件.txt', metadata({ organ_id: smallOrganId }), small, smallToken);
      expectApiError(res, 413, 'payload_too_large');
    });
  });

  it('a 1.5 MB PDF → 413 too', async () => {
    const pdf = minimalPdf('big');
    const bytes = Buffer.concat([pdf, Buffer.alloc(Math.round(1.5 * 1024 * 1024), 0x20)]);
    await expectNothingUploaded(small, async () => {
      const res = await upload(bytes, '超大文件.pdf', metadata({ organ_id: smallOrganId }), small, smallToken);
      expectApiError(res, 413, 'payload_too_large');
    });
  });

  it('a file just under the limit is accepted', async () => {
    const bytes = Buffer.alloc(1024 * 1024 - 1024, 'b');
    const res = await upload(bytes, '刚好不超.txt', metadata({ organ_id: smallOrganId }), small, smallToken);
    expect(res.status, res.text).toBe(201);
    expect(res.body.files[0]).toMatchObject({ size: bytes.length });
  });
});
