import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { decodeText, listZipEntries, sniffFile, textEncodingOf } from '../../src/features/intake/file-type.js';
import { minimalPdf, pngBytes } from '../support/factories.js';
import { docxFile, docxZipBomb, gbkText, ofdFile, plainZip, wordBinaryFile } from '../support/upload-fixtures.js';

async function rejection(bytes: Buffer): Promise<AppError> {
  const error = await sniffFile(bytes).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('sniffFile: the type comes from the bytes, never from the name', () => {
  it('knows a PDF, a DOCX, UTF-8 text and GBK text', async () => {
    expect((await sniffFile(minimalPdf())).kind).toBe('pdf');
    expect(await sniffFile(await docxFile(['正文']))).toMatchObject({ kind: 'docx', extension: '.docx' });
    expect(await sniffFile(Buffer.from('\ufeff静政发〔2023〕12号\n通知', 'utf8'))).toMatchObject({
      kind: 'text',
      encoding: 'utf-8',
      mime: 'text/plain; charset=utf-8',
    });
    expect(await sniffFile(gbkText('静安区人民政府关于加强行政规范性文件管理的通知\r\n各街道办事处：'))).toMatchObject({
      kind: 'text',
      encoding: 'gb18030',
    });
  });

  it('knows scanned images, OFD, and OLE Word and WPS files, each with its own extension', async () => {
    expect(await sniffFile(pngBytes())).toMatchObject({ kind: 'image', mime: 'image/png', extension: '.png' });
    expect(await sniffFile(Buffer.from('ffd8ffe000104a464946', 'hex'))).toMatchObject({ kind: 'image', mime: 'image/jpeg' });
    expect(await sniffFile(Buffer.from('49492a0008000000', 'hex'))).toMatchObject({ kind: 'image', mime: 'image/tiff', extension: '.tif' });
    expect(await sniffFile(Buffer.from('4d4d002a00000008', 'hex'))).toMatchObject({ kind: 'image', extension: '.tif' });
    expect(await sniffFile(ofdFile([['正文']]))).toEqual({ kind: 'ofd', mime: 'application/ofd', extension: '.ofd' });
    expect(await sniffFile(wordBinaryFile(['正文']))).toEqual({ kind: 'doc', mime: 'application/msword', extension: '.doc' });
    expect(await sniffFile(wordBinaryFile(['正文'], { wps: true }))).toMatchObject({ kind: 'doc', extension: '.wps' });
  });

  it('says what a wrong file really is, in Chinese', async () => {
    expect((await rejection(Buffer.alloc(0))).message).toMatch(/文件为空/);
    const gif = await rejection(Buffer.from('GIF89a\x01\x00', 'latin1'));
    expect([gif.status, gif.message]).toEqual([415, expect.stringMatching(/GIF 图片/)]);
    expect((await rejection(plainZip())).message).toMatch(/Excel/);
    // An OLE file without a WordDocument stream (an .xls) is no Word file.
    expect((await rejection(Buffer.from('d0cf11e0a1b11ae1000000', 'hex'))).message).toMatch(/旧版 Office/);
    expect((await rejection(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]))).message).toMatch(/损坏的 ZIP/);
  });

  it('rejects binary data that is neither UTF-8 nor Chinese GB18030 text', async () => {
    const binary = Buffer.alloc(4096);
    for (let i = 0; i < binary.length; i++) binary[i] = (i * 7919) % 256;
    expect((await rejection(binary)).message).toMatch(/无法识别的文件格式/);
    expect(textEncodingOf(Buffer.from([0x81, 0x30, 0x81]))).toBeNull();
  });
});

describe('decodeText', () => {
  it('decodes GBK and drops the UTF-8 byte-order mark', () => {
    expect(decodeText(gbkText('行政规范性文件'), 'gb18030')).toBe('行政规范性文件');
    expect(decodeText(Buffer.from('\ufeff通知', 'utf8'), 'utf-8')).toBe('通知');
  });

  it('refuses GB18030 bytes that are not text past the sniffed sample', () => {
    expect(decodeText(Buffer.concat([gbkText('正文'), Buffer.from([0x81, 0x20])]), 'gb18030')).toBeNull();
  });
});

describe('listZipEntries', () => {
  it('reads the declared sizes from the central directory without inflating anything', async () => {
    const entries = await listZipEntries(await docxZipBomb());
    expect(entries?.find((e) => e.name === 'word/document.xml')?.uncompressedSize).toBe(128 * 1024 * 1024);
    expect(await listZipEntries(Buffer.from('not a zip'))).toBeNull();
  });
});
