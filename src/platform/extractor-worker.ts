/**
 * The extraction child process (see extractor.ts): reads one job at a time from IPC, answers with the
 * text of each page or a failure reason. It runs under an OS memory limit, so a hostile file costs
 * this process, never the server.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import mammoth from 'mammoth';
import './extractor-canvas-stub.js';
import type { ExtractableKind, ExtractorFailure, RawExtraction, WorkerReply, WorkerRequest } from './extractor.js';
import { extractOfd, extractWordBinary, ocrImage, ocrPdf, OUT_OF_MEMORY, pdftotextPages, ReaderFailure } from './extractor-readers.js';

// Imported only now, after the stand-in for pdf.js's rendering backend is in place (a bundler hoists
// static imports above the stub's code). Loaded before the child reports ready, so that a warm
// child parses its first file at full speed.
const { PDFParse, VerbosityLevel } = await import('pdf-parse');

const pdfjsDir = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
// Filesystem paths with a trailing slash: pdf.js reads these with fs in Node, and a file:// URL
// silently yields no CMaps, so PDFs with non-embedded Adobe-GB1 fonts would come out empty.
const CMAP_DIR = path.join(pdfjsDir, 'cmaps') + path.sep;
const STANDARD_FONT_DIR = path.join(pdfjsDir, 'standard_fonts') + path.sep;

class Failure extends Error {
  constructor(
    readonly reason: ExtractorFailure,
    message: string,
  ) {
    super(message);
  }
}

function failureOf(error: unknown): Failure {
  if (error instanceof Failure) return error;
  if (error instanceof ReaderFailure) return new Failure(error.reason, error.message);
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (OUT_OF_MEMORY.test(message) || error instanceof RangeError) return new Failure('memory', message);
  if (name === 'PasswordException') return new Failure('encrypted', message);
  if (name === 'InvalidPDFException' || name === 'FormatError') return new Failure('invalid', message);
  return new Failure('damaged', `${name}: ${message}`);
}

async function extractPdf(bytes: Uint8Array): Promise<{ pages: string[]; failedPages: number[] }> {
  const parser = new PDFParse({
    data: bytes,
    cMapUrl: CMAP_DIR,
    cMapPacked: true,
    standardFontDataUrl: STANDARD_FONT_DIR,
    verbosity: VerbosityLevel.ERRORS,
  });
  try {
    try {
      const result = await parser.getText({ pageJoiner: '' });
      return { pages: result.pages.map((p) => p.text), failedPages: [] };
    } catch (error) {
      // One damaged stream fails the whole document; page by page most of the text survives.
      // By name: pdf.js's error classes are not the ones pdf-parse re-exports, so instanceof fails.
      if (!(error instanceof Error) || error.name !== 'UnknownErrorException' || OUT_OF_MEMORY.test(error.message)) throw error;
      const { total } = await parser.getInfo();
      const pages: string[] = [];
      const failedPages: number[] = [];
      for (let page = 1; page <= total; page++) {
        try {
          const result = await parser.getText({ partial: [page], pageJoiner: '' });
          pages.push(result.pages.map((p) => p.text).join('\n'));
        } catch (pageError) {
          if (pageError instanceof Error && OUT_OF_MEMORY.test(pageError.message)) throw pageError;
          pages.push('');
          failedPages.push(page);
        }
      }
      if (failedPages.length === total) throw error;
      return { pages, failedPages };
    }
  } finally {
    await parser.destroy().catch(() => undefined);
  }
}

async function extractDocx(bytes: Uint8Array): Promise<{ pages: string[]; failedPages: number[] }> {
  try {
    const result = await mammoth.extractRawText({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
    return { pages: [result.value], failedPages: [] };
  } catch (error) {
    if (error instanceof Error && OUT_OF_MEMORY.test(error.message)) throw error;
    throw new Failure('invalid', error instanceof Error ? error.message : String(error));
  }
}

const send = (reply: WorkerReply) =>
  new Promise<void>((resolve) => {
    if (!process.send) return resolve();
    process.send(reply, undefined, undefined, () => resolve());
  });

const onlyPages =
  (read: (bytes: Uint8Array) => Promise<string[]>): Reader =>
  async (bytes) => ({ pages: await read(bytes), failedPages: [] });

type Reader = (bytes: Uint8Array) => Promise<RawExtraction>;

function readerFor(request: WorkerRequest): Reader {
  const readers: Record<ExtractableKind, Reader> = {
    pdf: async (bytes) => {
      const pages = request.pdftotext ? await pdftotextPages(bytes) : null;
      return pages ? { pages, failedPages: [] } : extractPdf(bytes);
    },
    docx: extractDocx,
    // Each page done is told to the parent, which shows staff how far the recognition is.
    scan: onlyPages((bytes) => ocrPdf(bytes, (page, pages) => void send({ id: request.id, progress: { page, pages } }))),
    image: onlyPages(ocrImage),
    ofd: onlyPages(extractOfd),
    doc: onlyPages(extractWordBinary),
  };
  return readers[request.kind];
}

process.on('message', (request: WorkerRequest) => {
  void (async () => {
    try {
      const result = await readerFor(request)(request.bytes);
      await send({ id: request.id, ok: true, ...result });
    } catch (error) {
      const failure = failureOf(error);
      await send({ id: request.id, ok: false, reason: failure.reason, detail: failure.message.slice(0, 500) });
    }
  })();
});
// The parent went away (closed the pool, or died): nothing more will come.
process.on('disconnect', () => process.exit(0));
void send({ ready: true });
