/**
 * Imported by the extraction child before pdf-parse: stands in for @napi-rs/canvas, which pdf.js
 * loads at import time for rendering. Extracting text never renders, and Skia's allocator reserves
 * about 1 GB of writable address space on load, which counts against the child's RLIMIT_DATA and
 * left too little of it for parsing (sporadic V8 out-of-memory on ordinary PDFs). pdf.js needs a
 * DOMMatrix class to evaluate its rendering module; nothing in text extraction constructs one.
 */
import { createRequire } from 'node:module';

const fromPdfjs = createRequire(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const canvasModule = fromPdfjs.resolve('@napi-rs/canvas');
fromPdfjs.cache[canvasModule] = {
  id: canvasModule,
  filename: canvasModule,
  loaded: true,
  exports: { DOMMatrix: class DOMMatrix {} },
} as unknown as NodeJS.Module;
