/**
 * The readers the extraction child runs besides pdf.js and mammoth: OCR of scans and images through
 * Debian's poppler (pdfinfo, pdftoppm) and Tesseract, OFD packages, and OLE Word/WPS files. Imported
 * only by extractor-worker.ts, so everything here runs under the child's memory and time limits; the
 * programs it starts inherit the child's RLIMIT_DATA and die with it.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import yauzl from 'yauzl';

const run = promisify(execFile);

/** Rendering resolution: 200 dpi keeps the strokes of a 16 pt 仿宋 legible to the model at half the pixels of 300. */
const OCR_DPI = 200;
const OCR_LANGUAGE = 'chi_sim';
// Two extraction children on two cores: Tesseract's own OpenMP threads would only fight them.
const OCR_ENV = { ...process.env, OMP_THREAD_LIMIT: '1' };
const MAX_TOOL_OUTPUT = 64 * 1024 * 1024;

export const OUT_OF_MEMORY = /allocation failed|out of memory|invalid array length|invalid string length/i;

export class ReaderFailure extends Error {
  constructor(
    readonly reason: 'invalid' | 'damaged',
    message: string,
  ) {
    super(message);
  }
}

async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gfwj-ocr-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function tesseract(image: string): Promise<string> {
  const { stdout } = await run('tesseract', [image, 'stdout', '-l', OCR_LANGUAGE, '--psm', '3'], {
    env: OCR_ENV,
    maxBuffer: MAX_TOOL_OUTPUT,
  });
  return stdout;
}

async function pdfPageCount(file: string): Promise<number> {
  try {
    const { stdout } = await run('pdfinfo', [file], { maxBuffer: MAX_TOOL_OUTPUT });
    return Number(/^Pages:\s+(\d+)/mu.exec(stdout)?.[1] ?? 0);
  } catch {
    throw new ReaderFailure('invalid', 'pdfinfo cannot read the PDF');
  }
}

/**
 * The text of each page of a scanned PDF, rendered one page at a time (a 50-page scan never sits in
 * memory as 50 bitmaps) and read by Tesseract; `onPage` hears of each page done.
 */
export async function ocrPdf(bytes: Uint8Array, onPage: (page: number, pages: number) => void): Promise<string[]> {
  return withTempDir(async (dir) => {
    const input = path.join(dir, 'scan.pdf');
    await writeFile(input, bytes);
    const total = await pdfPageCount(input);
    const pages: string[] = [];
    for (let page = 1; page <= total; page++) {
      const stem = path.join(dir, `page-${page}`);
      await run('pdftoppm', ['-r', String(OCR_DPI), '-gray', '-png', '-f', String(page), '-l', String(page), '-singlefile', input, stem]);
      pages.push(await tesseract(`${stem}.png`));
      await rm(`${stem}.png`, { force: true });
      onPage(page, total);
    }
    return pages;
  });
}

let popplerText: boolean | undefined;

/**
 * A text-layer PDF's pages read by poppler's pdftotext, about five times faster than pdf.js on the
 * same core; null whenever pdf.js should read it instead: pdftotext not installed, or it failed,
 * complained (a damaged stream, which pdf.js reports page by page), or found no Chinese (a scan, or
 * fonts only pdf.js's CMap handling reads). Encryption and memory bombs are thus still judged by
 * the pdf.js path and its messages.
 */
export async function pdftotextPages(bytes: Uint8Array): Promise<string[] | null> {
  popplerText ??= spawnSync('pdftotext', ['-v']).error === undefined;
  if (!popplerText) return null;
  return withTempDir(async (dir) => {
    const input = path.join(dir, 'text.pdf');
    await writeFile(input, bytes);
    try {
      const { stdout, stderr } = await run('pdftotext', ['-enc', 'UTF-8', '-eol', 'unix', input, '-'], { maxBuffer: MAX_TOOL_OUTPUT });
      if (stderr.trim() !== '') return null;
      // Every page ends with a form feed.
      const pages = stdout.split('\f').slice(0, -1);
      return pages.some((page) => /\p{Script=Han}/u.test(page)) ? pages : null;
    } catch {
      return null;
    }
  });
}

/** The text of an image upload (PNG, JPEG, or TIFF with one page per frame, which Tesseract splits with form feeds). */
export async function ocrImage(bytes: Uint8Array): Promise<string[]> {
  return withTempDir(async (dir) => {
    const input = path.join(dir, 'scan.img');
    await writeFile(input, bytes);
    try {
      return (await tesseract(input)).split('\f').filter((page, i, all) => page.trim() !== '' || i < all.length - 1);
    } catch (error) {
      // A valid image too small to hold a line of text (Leptonica refuses to scale it) has no text.
      if (error instanceof Error && /too small/i.test(error.message)) return [];
      throw new ReaderFailure('invalid', `tesseract: ${error instanceof Error ? error.message.slice(0, 200) : String(error)}`);
    }
  });
}

/** Every entry of a zip, inflated (the caller checked the declared sizes against bombs first). */
function unzipAll(bytes: Uint8Array): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const fail = (why: string) => reject(new ReaderFailure('invalid', why));
    yauzl.fromBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return fail(`zip: ${error?.message}`);
      const files = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return fail(`zip entry: ${streamError?.message}`);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', (e) => fail(`zip entry: ${e.message}`));
          stream.on('end', () => {
            files.set(entry.fileName.replace(/^\/+/u, ''), Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.once('end', () => resolve(files));
      zip.once('error', (e) => fail(`zip: ${e.message}`));
      zip.readEntry();
    });
  });
}

const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/giu, (_, e: string) => {
    if (e[0] !== '#') return XML_ENTITIES[e.toLowerCase()] ?? '';
    return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
  });
}

/** The text content of each element `name` (any namespace prefix), in document order. */
function elements(xml: string, name: string): { attributes: string; body: string }[] {
  const pattern = new RegExp(`<(?:\\w+:)?${name}\\b([^>]*?)(?:/>|>([\\s\\S]*?)</(?:\\w+:)?${name}>)`, 'gu');
  return [...xml.matchAll(pattern)].map((m) => ({ attributes: m[1] ?? '', body: m[2] ?? '' }));
}

function attribute(attributes: string, name: string): string | undefined {
  return new RegExp(`\\b${name}="([^"]*)"`, 'u').exec(attributes)?.[1];
}

/** A path inside the package: absolute from its root, or relative to the directory of `base`. */
function resolveIn(base: string, location: string): string {
  const trimmed = location.trim();
  if (trimmed.startsWith('/')) return path.posix.normalize(trimmed.slice(1));
  return path.posix.normalize(path.posix.join(path.posix.dirname(base), trimmed));
}

/**
 * One page's text: its TextObjects in the order the page lists them (the order producers write
 * them in, which is reading order for a 公文), a line break where the baseline moves down.
 */
function ofdPageText(content: string): string {
  let text = '';
  let lastY: number | null = null;
  for (const object of elements(content, 'TextObject')) {
    const y = Number(attribute(object.attributes, 'Boundary')?.split(/\s+/u)[1] ?? NaN);
    const codes = elements(object.body, 'TextCode').map((code) => decodeXml(code.body.replace(/<[^>]*>/gu, '')));
    if (lastY !== null && !(Math.abs(y - lastY) < 1)) text += '\n';
    text += codes.join('');
    lastY = y;
  }
  return text;
}

/**
 * The text of every page of an OFD (GB/T 33190): OFD.xml names the document root, whose Pages list
 * each page's content file in page order.
 */
export async function extractOfd(bytes: Uint8Array): Promise<string[]> {
  const files = await unzipAll(bytes);
  const read = (name: string) => files.get(name)?.toString('utf8');
  const root = elements(read('OFD.xml') ?? '', 'DocRoot')[0]?.body;
  if (!root) throw new ReaderFailure('invalid', 'OFD.xml names no DocRoot');
  const documentPath = resolveIn('OFD.xml', decodeXml(root));
  const document = read(documentPath);
  if (document === undefined) throw new ReaderFailure('invalid', `no ${documentPath}`);
  const pages = elements(document, 'Page').map((page) => attribute(page.attributes, 'BaseLoc'));
  if (pages.length === 0) throw new ReaderFailure('invalid', 'the OFD document has no pages');
  return pages.map((location) => {
    const content = location === undefined ? undefined : read(resolveIn(documentPath, decodeXml(location)));
    return content === undefined ? '' : ofdPageText(content);
  });
}

interface WordExtractorClass {
  new (): { extract(source: Buffer): Promise<{ getBody(): string }> };
}
const WordExtractor = createRequire(import.meta.url)('word-extractor') as WordExtractorClass;

/** The body text of a Word 97–2003 (.doc) or WPS (.wps) file: both are OLE compound files with a WordDocument stream. */
export async function extractWordBinary(bytes: Uint8Array): Promise<string[]> {
  try {
    const document = await new WordExtractor().extract(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return [document.getBody()];
  } catch (error) {
    // A truncated file makes the reader index past its buffer (a RangeError too): that is a broken
    // file, not the memory limit.
    if (error instanceof Error && OUT_OF_MEMORY.test(error.message)) throw error;
    throw new ReaderFailure('invalid', error instanceof Error ? error.message : String(error));
  }
}
