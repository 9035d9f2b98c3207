import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Actor } from '../../src/features/accounts/actor.js';
import { sharedExtractor } from '../../src/platform/extractor.js';
import { expectFileRefused } from '../support/assertions.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { bearer, buildOrgan } from '../support/factories.js';
import { foundKeys } from '../support/search.js';
import { signedInAgent } from '../support/staff.js';
import {
  blankScanPng,
  characterAccuracy,
  ofdFile,
  ofdZipBomb,
  RED_HEAD_LINES,
  scanImages,
  scannedTextPdf,
  wordBinaryFile,
} from '../support/upload-fixtures.js';

// OCR takes a second or more a page on a busy core, and the children start through tsx.
vi.setConfig({ testTimeout: 120_000 });

let ctx: TestContext;
let admin: Actor;
let token: string;
let organId: number;

beforeAll(async () => {
  ctx = await createTestContext();
  ({ actor: admin, token } = await ctx.user('admin'));
  organId = (await buildOrgan(ctx.services, admin, { name: `静安区人民政府${randomBytes(2).toString('hex')}`, doc_prefixes: ['静政发'] })).id;
});
afterAll(() => ctx?.close());

const metadata = () =>
  JSON.stringify({ kind: 'normative', title: `格式测试${randomBytes(3).toString('hex')}`, organ_id: organId, published_on: '2023-06-01' });

const create = (file: Buffer, filename: string) =>
  ctx.request().post('/api/v1/documents').set(bearer(token)).field('metadata', metadata()).attach('file', file, { filename });

const suggest = (file: Buffer, filename: string) =>
  ctx.request().post('/api/v1/documents/suggest').set(bearer(token)).attach('file', file, { filename });

/** The document is found by the public search for `phrase`, and its original downloads as the very bytes uploaded. */
async function expectSearchableWithOriginal(created: { id: number; files: { id: number }[] }, phrase: string, bytes: Buffer) {
  await ctx.worker.drainNow();
  expect(await foundKeys(ctx.services, phrase)).toContain(`document:${created.id}`);
  const download = await ctx
    .request()
    .get(`/api/v1/documents/${created.id}/files/${created.files[0]!.id}`)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    })
    .expect(200);
  expect(Buffer.compare(download.body as Buffer, bytes)).toBe(0);
}

describe('a scanned 红头文件 is read by OCR', () => {
  it('a scan wrapped in a PDF: marked ocr, its text the body, searchable by a phrase, the scan the download', async () => {
    const scan = await scannedTextPdf([RED_HEAD_LINES]);
    const created = await create(scan, '扫描件.pdf').expect(201);
    expect(created.body.files[0]).toMatchObject({ type: 'application/pdf', text_layer: false, ocr: true });
    expect(characterAccuracy(RED_HEAD_LINES.join('\n'), created.body.body)).toBeGreaterThanOrEqual(0.95);
    await expectSearchableWithOriginal(created.body, '未经合法性审核', scan);
  });

  it('suggests the 文号 and 成文日期 from the OCR text, and offers the whole text for correction', async () => {
    const res = await suggest(await scannedTextPdf([RED_HEAD_LINES]), '扫描件.pdf').expect(200);
    expect(res.body).toMatchObject({
      text_layer: false,
      ocr: true,
      pages: 1,
      suggestions: { doc_number: '静政发〔2023〕12号', signed_on: '2023-05-10', title: '关于进一步加强行政规范性文件管理的通知', organ_id: organId },
    });
    expect(res.body.ocr_text).toMatch(/^静安区人民政府文件\n静政发〔2023〕12号\n/);
  });

  it.each(['png', 'jpeg', 'tiff'] as const)('an image upload (%s) likewise', async (format) => {
    const [image] = await scanImages([RED_HEAD_LINES], format);
    const res = await suggest(image!, `扫描.${format}`).expect(200);
    expect(res.body.suggestions).toMatchObject({ doc_number: '静政发〔2023〕12号', signed_on: '2023-05-10' });
    const created = await create(image!, '扫描件.pdf').expect(201);
    expect(created.body.files[0]).toMatchObject({ type: `image/${format}`, ocr: true, name: `扫描件.${format === 'jpeg' ? 'jpg' : format === 'tiff' ? 'tif' : 'png'}` });
    await expectSearchableWithOriginal(created.body, '提交集体审议', image!);
  });
});

describe('staff correct the OCR text before it is published', () => {
  it('the form shows the OCR text in 正文 with a note; the corrected text is saved as the body, the scan as the original', async () => {
    const password = 'ocr-editor-password-1';
    const username = `ocr${randomBytes(3).toString('hex')}`;
    await ctx.services.users.create(null, { username, password, role: 'editor' });
    const { agent, csrf } = await signedInAgent(ctx, username, password);
    const scan = await scannedTextPdf([RED_HEAD_LINES]);
    const form = await agent.post(`/staff/documents/suggest?_csrf=${encodeURIComponent(csrf)}`).attach('file', scan, '扫描件.pdf').expect(200);
    expect(form.text).toContain('正文由文字识别（OCR）得出');
    expect(form.text).toContain('value="静政发〔2023〕12号"');
    expect(form.text).toMatch(/<textarea id="body" name="body" rows="16">静安区人民政府文件\n静政发〔2023〕12号\n/);
    const sha256 = /name="staged_sha256" value="([0-9a-f]{64})"/.exec(form.text)![1]!;
    const corrected = `${RED_HEAD_LINES.join('\n')}\n（经人工校对）`;
    const saved = await agent.post('/staff/documents').type('form').send({
      _csrf: csrf, staged_sha256: sha256, staged_name: '扫描件.pdf', kind: 'normative', title: '关于进一步加强行政规范性文件管理的通知',
      doc_number: '静政发〔2023〕12号', organ_id: String(organId), signed_on: '2023-05-10', body: corrected,
    });
    expect(saved.status, saved.text.slice(0, 300)).toBe(303);
    const doc = await ctx.services.documents.get(admin, Number(saved.headers['location']!.split('/').pop()));
    expect(doc.body).toBe(corrected);
    expect(doc.files).toMatchObject([{ sha256, type: 'application/pdf', ocr: true, text_layer: false }]);
  });
});

describe('OFD, .doc and .wps are read, typed by their bytes', () => {
  it.each([
    ['OFD', () => ofdFile([['静安区人民政府文件', '静政发〔2023〕12号'], ['第二页 数字档案馆开放利用办法']]), 'application/ofd', '.ofd'],
    ['DOC', () => wordBinaryFile(['静政发〔2023〕12号', '第一条 档案馆开放利用办法']), 'application/msword', '.doc'],
    ['WPS', () => wordBinaryFile(['静政发〔2023〕12号', '第一条 档案馆开放利用办法'], { wps: true }), 'application/vnd.ms-works', '.wps'],
  ])('%s: its text the body, searchable, downloaded as the same bytes', async (_label, make, type, extension) => {
    const bytes = make();
    // Named wrongly on purpose: the bytes decide.
    const created = await create(bytes, '原件.pdf').expect(201);
    expect(created.body.files[0]).toMatchObject({ type, name: `原件${extension}`, text_layer: true, ocr: false });
    expect(created.body.body).toContain('静政发〔2023〕12号');
    await expectSearchableWithOriginal(created.body, '档案馆开放利用', bytes);
  });
});

/** A .doc whose directory is intact but whose WordDocument stream lost its FIB (a damaged sector). */
function damagedWordFile(): Buffer {
  const bytes = Buffer.from(wordBinaryFile(['正文']));
  const fib = bytes.indexOf(Buffer.from('eca5c100', 'hex'));
  bytes.fill(0, fib, fib + 512);
  return bytes;
}

describe('bad files: a Chinese 4xx, nothing stored', () => {
  it.each([
    ['a broken OFD zip', () => ofdFile([['正文']]).subarray(0, 200), 415, /损坏的 ZIP/],
    ['an OFD bomb', () => ofdZipBomb(), 422, /OFD 文件解压后达 128 MB.*压缩炸弹/],
    ['an OFD without pages', () => ofdFile([]), 422, /OFD文件已损坏/],
    // Cut off before its directory (which comes last): no stream names left to know it by.
    ['a truncated OLE (.doc) file', () => wordBinaryFile(['正文']).subarray(0, 1800), 415, /不完整的 \.doc/],
    ['a .doc whose Word stream is damaged', () => damagedWordFile(), 422, /Word（DOC）或 WPS文件已损坏/],
    ['an image of nothing', () => blankScanPng(), 422, /没有识别出中文文字/],
  ])('%s', async (_label, make, status, message) => {
    const bytes = await make();
    await expectFileRefused(ctx.db, () => create(bytes, '文件.ofd'), status, message);
  });
});

describe('the server stays healthy during a 50-page OCR', () => {
  it('answers /healthz while the children read the scan page by page', async () => {
    const pages = Array.from({ length: 50 }, (_, i) => [`第${i + 1}条 行政规范性文件应当经过合法性审核。`]);
    const scan = await scannedTextPdf(pages, 100);
    const extractor = sharedExtractor();
    const upload = create(scan, '五十页扫描件.pdf').then((res) => res);
    await vi.waitFor(() => expect(extractor.stats().busy).toBeGreaterThan(0), { timeout: 60_000, interval: 5 });
    let answered = 0;
    while (extractor.stats().busy > 0) {
      const health = await ctx.request().get('/healthz');
      expect(health.status).toBe(200);
      answered++;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const created = await upload;
    expect(created.status, created.text).toBe(201);
    expect(created.body.files[0]).toMatchObject({ ocr: true });
    expect(created.body.body).toContain('第50条');
    expect(answered).toBeGreaterThan(10);
  }, 600_000);
});

describe('staff see how far the reading of a scan has got (识别中)', () => {
  const staff = async (name: string) => {
    const password = `pw-${randomBytes(8).toString('hex')}`;
    await ctx.services.users.create(null, { username: name, password, role: 'editor' });
    return signedInAgent(ctx, name, password);
  };

  it('answers the page number while the upload is read, to its uploader only', async () => {
    const { agent, csrf } = await staff(`reader${randomBytes(3).toString('hex')}`);
    const other = await staff(`other${randomBytes(3).toString('hex')}`);
    const pages = Array.from({ length: 6 }, (_, i) => [`第${i + 1}条 规范性文件识别进度测试。`]);
    const scan = await scannedTextPdf(pages, 100);
    const id = randomBytes(12).toString('hex');
    const progress = (who = agent) => who.get(`/staff/documents/suggest/progress?id=${id}`).expect(200);
    expect((await progress()).body).toEqual({ page: 0, pages: null });
    const upload = agent
      .post(`/staff/documents/suggest?_csrf=${encodeURIComponent(csrf)}&progress=${id}`)
      .attach('file', scan, '六页扫描件.pdf')
      .then((res) => res);
    const seen: number[] = [];
    await vi.waitFor(
      async () => {
        const { body } = await progress();
        expect(body.pages).toBe(6);
        seen.push(body.page);
      },
      { timeout: 120_000, interval: 50 },
    );
    const res = await upload;
    expect(res.status, res.text).toBe(200);
    expect(res.text).toContain('第6条');
    expect(seen[0]).toBeGreaterThanOrEqual(1);
    expect((await progress()).body).toEqual({ page: 6, pages: 6 });
    expect((await progress(other.agent)).body).toEqual({ page: 0, pages: null });
    const bad = await agent.get('/staff/documents/suggest/progress?id=../x');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('识别进度编号有误');
  });

  it('puts the status line and its script on the upload form', async () => {
    const { agent } = await staff(`form${randomBytes(3).toString('hex')}`);
    const page = await agent.get('/staff/documents/new').expect(200);
    expect(page.text).toMatch(/<p class="reading-status" role="status" aria-live="polite" hidden><\/p>/);
    expect(page.text).toContain('<script src="/static/upload-progress.js" defer></script>');
    const script = await agent.get('/static/upload-progress.js').expect(200);
    expect(script.text).toContain('/staff/documents/suggest/progress?id=');
  });
});
