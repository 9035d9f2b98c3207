import { afterAll, describe, expect, it, vi } from 'vitest';
import { PDFParse } from 'pdf-parse';
import { AppError } from '../../src/errors.js';
import { createExtractorPool, ExtractorError } from '../../src/platform/extractor.js';
import { createExtractionService } from '../../src/features/intake/extraction.service.js';
import { minimalPdf } from '../support/factories.js';
import {
  articleLines,
  characterAccuracy,
  chinesePdf,
  ofdFile,
  RED_HEAD_LINES,
  scanImages,
  scannedTextPdf,
  wordBinaryFile,
  docxFile,
  docxZipBomb,
  encryptedPdf,
  flateBombPdf,
  gbkText,
  manyPagePdf,
  predefinedCmapPdf,
  scannedPdf,
} from '../support/upload-fixtures.js';

// Children start through tsx here (a second or more on a busy machine), hence the longer timeouts.
vi.setConfig({ testTimeout: 60_000 });

const pool = createExtractorPool({ workers: 2 });
const extraction = createExtractionService(pool);
afterAll(() => pool.close());

const pdf = (bytes: Buffer) => extraction.extract({ kind: 'pdf', bytes });

/** The 422 a bad file gets, with its Chinese message. */
async function refusal(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).status).toBe(422);
  expect((error as AppError).fields?.['file']).toBe((error as AppError).message);
  return (error as AppError).message;
}

describe('PDF text extraction in the child-process pool', () => {
  it('extracts Chinese from a PDF with an embedded CJK font, page by page, re-flowed', async () => {
    const bytes = await chinesePdf([
      ['静安区人民政府文件', '静政发〔2023〕12号', '关于进一步加强行政规范性文件管理的通知'],
      ['二、本通知自2023年6月1日起施行。'],
    ]);
    const result = await pdf(bytes);
    expect(result).toMatchObject({ textLayer: true, pages: 2, failedPages: [] });
    expect(result.text.split('\n')).toEqual([
      '静安区人民政府文件',
      '静政发〔2023〕12号',
      '关于进一步加强行政规范性文件管理的通知',
      '二、本通知自2023年6月1日起施行。',
    ]);
  });

  it('reads non-embedded STSong-Light through the predefined UniGB-UCS2-H CMap (which needs cMapUrl)', async () => {
    const bytes = predefinedCmapPdf([['静政发〔2023〕12号', '行政规范性文件合法性审核']]);
    // The control: pdf-parse as it comes, without the CMap files, silently returns no text at all.
    const plain = new PDFParse({ data: new Uint8Array(bytes) });
    const unconfigured = await plain.getText({ pageJoiner: '' }).finally(() => plain.destroy());
    expect(unconfigured.text.trim()).toBe('');

    const result = await pdf(bytes);
    expect(result).toMatchObject({ textLayer: true, pages: 1 });
    expect(result.text).toBe('静政发〔2023〕12号\n行政规范性文件合法性审核');
  });

  it('flags an image-only (scanned) PDF as having no text layer instead of an empty body', async () => {
    // A scan of nothing: OCR (where installed) finds no Chinese either, so it stays flagged.
    expect(await pdf(await scannedPdf())).toEqual({ text: '', textLayer: false, ocr: false, pages: 1, failedPages: [] });
  });

  it('flags a PDF whose text has no Han character (lost fonts, Latin only) as having no text layer', async () => {
    expect(await pdf(minimalPdf('Hello'))).toMatchObject({ text: '', textLayer: false, pages: 1 });
  });

  it('saves the readable pages of a PDF with one damaged content stream, and names the lost page', async () => {
    const bytes = predefinedCmapPdf([['第一页的内容'], ['第二页的内容'], ['第三页的内容']], { damagedPage: 2 });
    expect(await pdf(bytes)).toEqual({ text: '第一页的内容\n第三页的内容', textLayer: true, ocr: false, pages: 3, failedPages: [2] });
  });

  it('refuses an encrypted PDF with a clear Chinese message', async () => {
    expect(await refusal(pdf(encryptedPdf()))).toMatch(/已加密/);
  });

  it('refuses truncated, zero-byte and garbage PDFs as corrupt', async () => {
    const whole = await manyPagePdf(3);
    expect(await refusal(pdf(whole.subarray(0, Math.floor(whole.length / 2))))).toMatch(/已损坏或不完整/);
    expect(await refusal(pdf(Buffer.alloc(0)))).toMatch(/已损坏或不完整/);
    const garbage = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(20_000, 0x5a)]);
    expect(await refusal(pdf(garbage))).toMatch(/已损坏或不完整/);
  });

  it('bounds a 500 kB flate bomb (512 MiB inflated) by the OS memory limit of the child', async () => {
    const bomb = await flateBombPdf();
    expect(bomb.length).toBeLessThan(600_000);
    const direct = await pool.extract('pdf', bomb).then(
      () => undefined,
      (e: unknown) => e,
    );
    // Unbounded, pdf.js inflates it all (≈630 MB RSS) and returns empty text; bounded, it fails.
    expect(direct).toBeInstanceOf(ExtractorError);
    expect((direct as ExtractorError).reason).toBe('memory');
    expect(await refusal(pdf(bomb))).toMatch(/内存上限/);
    // The pool replaced the child and goes on working.
    expect((await pdf(await chinesePdf([['炸弹之后']]))).text).toBe('炸弹之后');
  }, 120_000);
});

describe('DOCX and text extraction', () => {
  it('extracts a DOCX paragraph per line', async () => {
    const bytes = await docxFile(['静安区人民政府关于印发《测试办法》的通知', '静府规〔2023〕5号', '第一条 为了规范管理，制定本办法。']);
    expect(await extraction.extract({ kind: 'docx', bytes })).toEqual({
      text: '静安区人民政府关于印发《测试办法》的通知\n静府规〔2023〕5号\n第一条 为了规范管理，制定本办法。',
      textLayer: true,
      ocr: false,
      pages: null,
      failedPages: [],
    });
  });

  it('refuses a DOCX zip bomb from its central directory, before anything is inflated', async () => {
    expect(await refusal(extraction.extract({ kind: 'docx', bytes: await docxZipBomb() }))).toMatch(/压缩炸弹/);
  });

  it('refuses a DOCX whose document part is not a Word document', async () => {
    const good = await docxFile(['正文']);
    // Same zip structure, the XML inside destroyed: mammoth cannot read it.
    const broken = Buffer.from(good);
    const at = broken.indexOf('word/document.xml', 0, 'latin1');
    broken.fill(0x41, at + 40, at + 400);
    expect(await refusal(extraction.extract({ kind: 'docx', bytes: broken }))).toMatch(/Word（DOCX）文件已损坏/);
  });

  it('decodes GBK text and normalizes it', async () => {
    const bytes = gbkText('静府规〔２０２３〕５号\r\n\r\n关于加强管理的通知\r\n');
    expect(await extraction.extract({ kind: 'text', encoding: 'gb18030', bytes })).toMatchObject({
      text: '静府规〔2023〕5号\n关于加强管理的通知',
      textLayer: true,
    });
  });
});

describe('the pool', () => {
  it('runs at most its size of children, in parallel, and answers every file', async () => {
    const files = await Promise.all([1, 2, 3, 4].map((n) => chinesePdf([[`第${n}份文件`]])));
    const seen: number[] = [];
    const results = await Promise.all(
      files.map((bytes) => {
        const job = pool.extract('pdf', bytes);
        seen.push(pool.stats().workers);
        return job;
      }),
    );
    expect(results.map((r) => r.pages[0]?.trim())).toEqual(['第1份文件', '第2份文件', '第3份文件', '第4份文件']);
    expect(Math.max(...seen, pool.stats().workers)).toBeLessThanOrEqual(2);
  });

  it('kills a child that does not answer in time, fails its file, and serves the next one', async () => {
    const impatient = createExtractorPool({ workers: 1, timeoutMs: 1 });
    try {
      const error = await impatient.extract('pdf', await manyPagePdf(2)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ExtractorError);
      expect(['timeout', 'crashed']).toContain((error as ExtractorError).reason);
      expect(impatient.stats()).toEqual({ workers: 0, busy: 0, queued: 0 });
    } finally {
      await impatient.close();
    }
    const stalled = createExtractorPool({ timeoutMs: 1 });
    try {
      const message = await refusal(createExtractionService(stalled).extract({ kind: 'pdf', bytes: minimalPdf() }));
      expect(message).toMatch(/超时|异常退出/);
    } finally {
      await stalled.close();
    }
  });
});

describe('the two PDF engines', () => {
  it('pdftotext (where poppler is installed) and pdf.js (where it is not) give the same text', async () => {
    const pdfjsOnly = createExtractorPool({ workers: 1, pdftotext: false });
    try {
      const withoutPoppler = createExtractionService(pdfjsOnly, { ocr: false });
      const pages = [
        ['静安区人民政府文件', '静政发〔2023〕12号', '关于进一步加强行政规范性文件管理的通知'],
        ['— 2 —', ...articleLines(3)],
      ];
      const bytes = await chinesePdf(pages);
      const [fast, portable] = await Promise.all([pdf(bytes), withoutPoppler.extract({ kind: 'pdf', bytes })]);
      expect(fast).toEqual(portable);
      expect(fast.text).toContain('第3条 为进一步加强行政规范性文件制定和监督管理工作');
    } finally {
      await pdfjsOnly.close();
    }
  });
});

describe('scans, images, OFD and OLE Word files', () => {
  it('reads a scanned 红头文件 by OCR with at least 95% of its characters right', async () => {
    const result = await pdf(await scannedTextPdf([RED_HEAD_LINES]));
    expect(result).toMatchObject({ textLayer: false, ocr: true, pages: 1 });
    expect(characterAccuracy(RED_HEAD_LINES.join('\n'), result.text)).toBeGreaterThanOrEqual(0.95);
    expect(result.text.split('\n').slice(0, 2)).toEqual(RED_HEAD_LINES.slice(0, 2));
  });

  it('reads a scan page by page and tells each page as it is done', async () => {
    const pages = [['第一条 本办法适用于本区。'], ['第二条 本办法自发布之日起施行。']];
    const progress: number[] = [];
    const scan = await extraction.extract({ kind: 'pdf', bytes: await scannedTextPdf(pages) }, { onProgress: (p) => progress.push(p.page) });
    expect(scan).toMatchObject({ ocr: true, pages: 2 });
    expect(progress).toEqual([1, 2]);
    expect(scan.text).toMatch(/第一条本办法适用于本区。\n第二条本办法自发布之日起施行。|第一条 本办法适用于本区。\n第二条 本办法自发布之日起施行。/);
  });

  it('without Tesseract: a scan stays flagged with no body, an image is refused saying what to install', async () => {
    const noOcr = createExtractionService(pool, { ocr: false });
    expect(await noOcr.extract({ kind: 'pdf', bytes: await scannedTextPdf([RED_HEAD_LINES]) })).toMatchObject({ text: '', textLayer: false, ocr: false });
    const [image] = await scanImages([RED_HEAD_LINES]);
    const error = await noOcr.extract({ kind: 'image', bytes: image! }).then(
      () => undefined,
      (e: unknown) => e as AppError,
    );
    expect(error?.status).toBe(415);
    expect(error?.message).toMatch(/未安装文字识别.*tesseract-ocr tesseract-ocr-chi-sim poppler-utils/);
  });

  it('reads a multi-page OFD page by page in reading order, XML entities decoded', async () => {
    const bytes = ofdFile([['静安区人民政府文件', '静政发〔2023〕12号'], ['第一条 A&B 两类文件', '第二条 附则']]);
    expect(await extraction.extract({ kind: 'ofd', bytes })).toEqual({
      text: '静安区人民政府文件\n静政发〔2023〕12号\n第一条 A&B 两类文件\n第二条 附则',
      textLayer: true,
      ocr: false,
      pages: 2,
      failedPages: [],
    });
  });

  it('reads .doc and .wps, and refuses a damaged one', async () => {
    for (const wps of [false, true]) {
      const bytes = wordBinaryFile(['静府规〔2023〕5号', '第一条 为了规范管理，制定本办法。'], { wps });
      expect(await extraction.extract({ kind: 'doc', bytes })).toMatchObject({ text: '静府规〔2023〕5号\n第一条 为了规范管理，制定本办法。', textLayer: true });
    }
    const truncated = wordBinaryFile(['正文']).subarray(0, 2000);
    expect(await refusal(extraction.extract({ kind: 'doc', bytes: truncated }))).toMatch(/Word（DOC）或 WPS文件已损坏/);
  });
});
