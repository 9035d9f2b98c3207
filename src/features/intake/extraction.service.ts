import { hasHanText, normalizeExtractedText } from '../../shared/extracted-text.js';
import { AppError } from '../../errors.js';
import { ExtractorError, type ExtractableKind, type Extractor, type ExtractorFailure } from '../../platform/extractor.js';
import { ocrAvailable, OCR_PACKAGES } from '../../platform/ocr-tools.js';
import { decodeText, listZipEntries, type FileKind, type TextEncoding } from './file-type.js';
import { normalizeOcrText } from './ocr-text.js';

/** The largest body a document may have (the same bound the API puts on a typed-in body). */
const MAX_BODY_CHARS = 5_000_000;

// A DOCX or OFD is deflated XML, typically 5–10× smaller than what it inflates to. Far beyond that,
// or beyond a size no real document reaches, it is a zip bomb: refused before anything inflates it.
const ZIP_MAX_UNCOMPRESSED = 100 * 1024 * 1024;
const ZIP_MAX_RATIO = 100;

// OCR runs at a few seconds a page on a busy core: the limit grows with the pages, up to a bound
// past which a scan should be split (a 300-page scan is hours of one core's work).
const OCR_BASE_MS = 60_000;
const OCR_PAGE_MS = 60_000;
const OCR_MAX_MS = 2 * 3600_000;

export interface ExtractableFile {
  kind: FileKind;
  encoding?: TextEncoding | undefined;
  bytes: Buffer;
}

export interface ExtractedText {
  /** Normalized text; empty when there is no text layer. */
  text: string;
  /** False for scans and for PDFs whose fonts yield no Chinese: the body needs OCR or typing. */
  textLayer: boolean;
  /** The text was read from the page images by OCR (a scan or an image upload): staff should check it. */
  ocr: boolean;
  /** Pages of a PDF, OFD or image; null for Word and text. */
  pages: number | null;
  /** PDF pages whose content was damaged and left out. */
  failedPages: number[];
}

/** How each kind of file is named in a message. */
const KIND_LABELS: Record<ExtractableKind, string> = {
  pdf: 'PDF',
  scan: '扫描 PDF',
  docx: 'Word（DOCX）',
  doc: 'Word（DOC）或 WPS',
  ofd: 'OFD',
  image: '图片',
};

const FAILURE_MESSAGES: Record<ExtractorFailure, (kind: ExtractableKind) => string> = {
  encrypted: () => 'PDF 文件已加密，需要密码才能打开。请上传未加密的版本（在阅读器中“另存为”或“打印为 PDF”即可去除打开密码）',
  invalid: (kind) =>
    kind === 'pdf' || kind === 'scan'
      ? 'PDF 文件已损坏或不完整（可能是下载中断），无法读取'
      : `${KIND_LABELS[kind]}文件已损坏、不完整或不是有效的${KIND_LABELS[kind]}文件，无法读取`,
  damaged: (kind) => `${KIND_LABELS[kind]}文件内容已损坏，任何一页都无法读取`,
  memory: () => '文件解析超出内存上限，文件可能已损坏或是异常构造的文件',
  timeout: () => '文件解析超时，文件可能过大或已损坏',
  crashed: () => '文件解析进程异常退出，文件可能已损坏；如反复出现请联系管理员',
};

function unprocessable(message: string): AppError {
  return new AppError(422, 'validation_failed', message, { file: message });
}

async function assertNotZipBomb(kind: 'docx' | 'ofd', bytes: Buffer) {
  const entries = await listZipEntries(bytes);
  if (!entries) throw unprocessable(FAILURE_MESSAGES.invalid(kind));
  const uncompressed = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
  const compressed = entries.reduce((sum, e) => sum + e.compressedSize, 0);
  if (uncompressed > ZIP_MAX_UNCOMPRESSED || uncompressed > Math.max(compressed, 1) * ZIP_MAX_RATIO) {
    const label = kind === 'docx' ? 'Word' : 'OFD';
    throw unprocessable(
      `${label} 文件解压后达 ${Math.round(uncompressed / 1048576)} MB（压缩比 ${Math.round(uncompressed / Math.max(compressed, 1))} 倍），疑似压缩炸弹，已拒绝`,
    );
  }
}

function checkedLength(text: string): string {
  if (text.length > MAX_BODY_CHARS) throw unprocessable(`文件正文超过 ${MAX_BODY_CHARS / 10000} 万字的上限，请拆分后再上传`);
  return text;
}

export interface ExtractionSettings {
  /** Whether Tesseract and poppler are installed (detected when not given; tests turn it off). */
  ocr?: boolean;
}

export interface ExtractCall {
  /** Hears of each OCR page done. */
  onProgress?: (progress: { page: number; pages: number }) => void;
}

export function createExtractionService(extractor: Extractor, settings: ExtractionSettings = {}) {
  const ocrEnabled = settings.ocr ?? ocrAvailable();

  async function read(kind: ExtractableKind, bytes: Buffer, call: ExtractCall & { timeoutMs?: number } = {}) {
    try {
      return await extractor.extract(kind, bytes, call);
    } catch (error) {
      if (error instanceof ExtractorError) throw unprocessable(FAILURE_MESSAGES[error.reason](kind));
      throw error;
    }
  }

  /** OCR of a scan (PDF pages or image frames): text only if it holds Chinese, normalized for the suggestion rules. */
  async function recognize(kind: 'scan' | 'image', bytes: Buffer, pages: number, call: ExtractCall) {
    const timeoutMs = Math.min(OCR_MAX_MS, OCR_BASE_MS + OCR_PAGE_MS * pages);
    const raw = await read(kind, bytes, { ...call, timeoutMs });
    const text = checkedLength(normalizeExtractedText(raw.pages.map(normalizeOcrText), { reflow: true }));
    return { text: hasHanText(text) ? text : '', pages: raw.pages.length };
  }

  async function extractImage(bytes: Buffer, call: ExtractCall): Promise<ExtractedText> {
    if (!ocrEnabled) {
      throw new AppError(415, 'unsupported_media_type', `服务器未安装文字识别（OCR）组件，暂不能读取扫描图片；请上传 PDF，或请管理员安装 ${OCR_PACKAGES}`, {
        file: '服务器未启用文字识别（OCR）',
      });
    }
    // An image holds no page count of its own; a multi-page TIFF is bounded by the base limit's share.
    const { text, pages } = await recognize('image', bytes, 1, call);
    if (!text) throw unprocessable('图片中没有识别出中文文字：请上传清晰的文件扫描件（建议 200–300 dpi），或直接上传 PDF、Word 原件');
    return { text, textLayer: false, ocr: true, pages, failedPages: [] };
  }

  async function extractPdf(bytes: Buffer, call: ExtractCall): Promise<ExtractedText> {
    const { pages, failedPages } = await read('pdf', bytes);
    const text = checkedLength(normalizeExtractedText(pages, { reflow: true }));
    if (hasHanText(text)) return { text, textLayer: true, ocr: false, pages: pages.length, failedPages };
    // No text layer: a scan. Without OCR it stays flagged for typing, as before.
    const scanned = ocrEnabled ? await recognize('scan', bytes, pages.length, call) : { text: '' };
    return { text: scanned.text, textLayer: false, ocr: scanned.text !== '', pages: pages.length, failedPages };
  }

  async function extractDocument(kind: 'docx' | 'ofd' | 'doc', bytes: Buffer): Promise<ExtractedText> {
    if (kind !== 'doc') await assertNotZipBomb(kind, bytes);
    const { pages } = await read(kind, bytes);
    const text = checkedLength(normalizeExtractedText(pages, { reflow: kind === 'ofd' }));
    return { text, textLayer: text !== '', ocr: false, pages: kind === 'ofd' ? pages.length : null, failedPages: [] };
  }

  return {
    /** Whether scans and images are read by OCR on this server. */
    ocrEnabled,
    /**
     * The text of an uploaded file, or a 4xx with a Chinese message saying why there is none
     * (encrypted, corrupt, zip bomb, too big to parse, an image with no text). Everything but plain
     * text runs in the extractor pool's child processes, OCR included.
     */
    async extract(file: ExtractableFile, call: ExtractCall = {}): Promise<ExtractedText> {
      switch (file.kind) {
        case 'text': {
          const decoded = decodeText(file.bytes, file.encoding ?? 'utf-8');
          if (decoded === null) throw unprocessable('文本文件含有无法识别的字符，请另存为 UTF-8 编码后再上传');
          const text = checkedLength(normalizeExtractedText([decoded], { reflow: false }));
          return { text, textLayer: text !== '', ocr: false, pages: null, failedPages: [] };
        }
        case 'pdf':
          return extractPdf(file.bytes, call);
        case 'image':
          return extractImage(file.bytes, call);
        default:
          return extractDocument(file.kind, file.bytes);
      }
    },
  };
}

export type ExtractionService = ReturnType<typeof createExtractionService>;
