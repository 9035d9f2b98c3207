import { hasHanText, normalizeExtractedText } from '../../shared/extracted-text.js';
import { AppError } from '../../errors.js';
import { ExtractorError, type Extractor, type ExtractorFailure } from '../../platform/extractor.js';
import { decodeText, listZipEntries, type FileKind, type TextEncoding } from './file-type.js';

/** The largest body a document may have (the same bound the API puts on a typed-in body). */
const MAX_BODY_CHARS = 5_000_000;

// A DOCX is deflated XML, typically 5–10× smaller than what it inflates to. Far beyond that, or
// beyond a size no real document reaches, it is a zip bomb: refused before mammoth inflates it.
const DOCX_MAX_UNCOMPRESSED = 100 * 1024 * 1024;
const DOCX_MAX_RATIO = 100;

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
  /** Pages of a PDF; null for DOCX and text. */
  pages: number | null;
  /** PDF pages whose content was damaged and left out. */
  failedPages: number[];
}

const FAILURE_MESSAGES: Record<ExtractorFailure, (kind: 'pdf' | 'docx') => string> = {
  encrypted: () => 'PDF 文件已加密，需要密码才能打开。请上传未加密的版本（在阅读器中“另存为”或“打印为 PDF”即可去除打开密码）',
  invalid: (kind) =>
    kind === 'pdf' ? 'PDF 文件已损坏或不完整（可能是下载中断），无法读取' : 'Word（DOCX）文件已损坏或不是有效的 Word 文档，无法读取',
  damaged: (kind) => `${kind === 'pdf' ? 'PDF' : 'Word'} 文件内容已损坏，任何一页都无法读取`,
  memory: () => '文件解析超出内存上限，文件可能已损坏或是异常构造的文件',
  timeout: () => '文件解析超时，文件可能过大或已损坏',
  crashed: () => '文件解析进程异常退出，文件可能已损坏；如反复出现请联系管理员',
};

function unprocessable(message: string): AppError {
  return new AppError(422, 'validation_failed', message, { file: message });
}

export function createExtractionService(extractor: Extractor) {
  async function assertNotZipBomb(bytes: Buffer) {
    const entries = await listZipEntries(bytes);
    if (!entries) throw unprocessable(FAILURE_MESSAGES.invalid('docx'));
    const uncompressed = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
    const compressed = entries.reduce((sum, e) => sum + e.compressedSize, 0);
    if (uncompressed > DOCX_MAX_UNCOMPRESSED || uncompressed > Math.max(compressed, 1) * DOCX_MAX_RATIO) {
      throw unprocessable(
        `Word 文件解压后达 ${Math.round(uncompressed / 1048576)} MB（压缩比 ${Math.round(uncompressed / Math.max(compressed, 1))} 倍），疑似压缩炸弹，已拒绝`,
      );
    }
  }

  return {
    /**
     * The text of an uploaded file, or a 422 with a Chinese message saying why there is none
     * (encrypted, corrupt, zip bomb, too big to parse). Runs PDF and DOCX in the extractor pool.
     */
    async extract(file: ExtractableFile): Promise<ExtractedText> {
      let pages: string[];
      let failedPages: number[] = [];
      if (file.kind === 'text') {
        const decoded = decodeText(file.bytes, file.encoding ?? 'utf-8');
        if (decoded === null) throw unprocessable('文本文件含有无法识别的字符，请另存为 UTF-8 编码后再上传');
        pages = [decoded];
      } else {
        if (file.kind === 'docx') await assertNotZipBomb(file.bytes);
        try {
          ({ pages, failedPages } = await extractor.extract(file.kind, file.bytes));
        } catch (error) {
          if (error instanceof ExtractorError) throw unprocessable(FAILURE_MESSAGES[error.reason](file.kind));
          throw error;
        }
      }
      const text = normalizeExtractedText(pages, { reflow: file.kind === 'pdf' });
      if (text.length > MAX_BODY_CHARS) {
        throw unprocessable(`文件正文超过 ${MAX_BODY_CHARS / 10000} 万字的上限，请拆分后再上传`);
      }
      const textLayer = file.kind === 'pdf' ? hasHanText(text) : text !== '';
      return {
        text: textLayer ? text : '',
        textLayer,
        pages: file.kind === 'pdf' ? pages.length : null,
        failedPages,
      };
    },
  };
}

export type ExtractionService = ReturnType<typeof createExtractionService>;
