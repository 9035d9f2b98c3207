import iconv from 'iconv-lite';
import yauzl from 'yauzl';
import { AppError } from '../../errors.js';

/** `image` is a scanned page (PNG, JPEG, TIFF) read by OCR; `doc` an OLE Word 97–2003 or WPS file. */
export type FileKind = 'pdf' | 'docx' | 'text' | 'image' | 'ofd' | 'doc';
export type TextEncoding = 'utf-8' | 'gb18030';

/** What an upload is, decided from its bytes, never from its name: a .pdf that is a PNG is a PNG. */
export interface SniffedFile {
  kind: FileKind;
  /** The Content-Type it is stored and served with. */
  mime: string;
  extension: string;
  /** Only for text: Chinese Windows editors still save GB18030/GBK by default. */
  encoding?: TextEncoding;
}

const PDF: SniffedFile = { kind: 'pdf', mime: 'application/pdf', extension: '.pdf' };
const DOCX: SniffedFile = {
  kind: 'docx',
  mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  extension: '.docx',
};
const OFD: SniffedFile = { kind: 'ofd', mime: 'application/ofd', extension: '.ofd' };
const DOC: SniffedFile = { kind: 'doc', mime: 'application/msword', extension: '.doc' };
const WPS: SniffedFile = { kind: 'doc', mime: 'application/vnd.ms-works', extension: '.wps' };
const IMAGES: { magic: Buffer; file: SniffedFile }[] = [
  { magic: Buffer.from('89504e470d0a1a0a', 'hex'), file: { kind: 'image', mime: 'image/png', extension: '.png' } },
  { magic: Buffer.from('ffd8ff', 'hex'), file: { kind: 'image', mime: 'image/jpeg', extension: '.jpg' } },
  { magic: Buffer.from('49492a00', 'hex'), file: { kind: 'image', mime: 'image/tiff', extension: '.tif' } },
  { magic: Buffer.from('4d4d002a', 'hex'), file: { kind: 'image', mime: 'image/tiff', extension: '.tif' } },
];
const OLE_MAGIC = Buffer.from('d0cf11e0a1b11ae1', 'hex');
// Names in an OLE directory are UTF-16LE: a Word or WPS file has a WordDocument stream, and WPS
// Office adds its own WpsCustomData one. Found by bytes, without parsing a file that may be hostile
// (the reader in the extraction child does that).
const oleName = (name: string) => Buffer.from(name, 'utf16le');

const text = (encoding: TextEncoding): SniffedFile => ({
  kind: 'text',
  mime: `text/plain; charset=${encoding}`,
  extension: '.txt',
  encoding,
});

const SUPPORTED_TYPES_LABEL = 'PDF、OFD、Word（DOCX、DOC）、WPS、扫描图片（PNG、JPEG、TIFF）和纯文本（UTF-8 或 GBK 编码）';

// Formats people upload by mistake, named so the message says what the file really is.
const OTHER_FORMATS: { magic: Buffer; label: string }[] = [
  { magic: Buffer.from('GIF8'), label: 'GIF 图片' },
  // Checked after the Word and WPS files: an OLE file without their stream is another Office file,
  // or one cut off before its directory (which comes last).
  { magic: OLE_MAGIC, label: '旧版 Office 文件（如 .xls、.ppt），或是不完整的 .doc/.wps 文件' },
  { magic: Buffer.from('{\\rtf'), label: 'RTF 文档，请另存为 DOCX 或 PDF' },
  { magic: Buffer.from('Rar!'), label: 'RAR 压缩包' },
  { magic: Buffer.from('377abcaf271c', 'hex'), label: '7z 压缩包' },
  { magic: Buffer.from('1f8b', 'hex'), label: 'gzip 压缩包' },
];

export interface ZipEntryInfo {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
}

/** A zip with more entries than this is no DOCX anyone writes; reading its directory is work enough. */
const MAX_ZIP_ENTRIES = 5000;

/**
 * The entries of a zip as its central directory declares them (names and sizes, nothing inflated),
 * or null when the bytes are not a readable zip.
 */
export function listZipEntries(bytes: Buffer): Promise<ZipEntryInfo[] | null> {
  return new Promise((resolve) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true, decodeStrings: true }, (error, zip) => {
      if (error || !zip) return resolve(null);
      const entries: ZipEntryInfo[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        entries.push({ name: entry.fileName, compressedSize: entry.compressedSize, uncompressedSize: entry.uncompressedSize });
        if (entries.length > MAX_ZIP_ENTRIES) {
          zip.close();
          resolve(null);
          return;
        }
        zip.readEntry();
      });
      zip.once('end', () => resolve(entries));
      zip.once('error', () => resolve(null));
      zip.readEntry();
    });
  });
}

function zipLabel(names: string[]): string {
  if (names.some((n) => n.startsWith('xl/'))) return 'Excel 表格';
  if (names.some((n) => n.startsWith('ppt/'))) return 'PowerPoint 演示文稿';
  if (names.includes('content.xml')) return 'OpenDocument 文档，请另存为 DOCX 或 PDF';
  return 'ZIP 压缩包';
}

const CONTROL = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/u;
// What Chinese prose is made of; random bytes that happen to decode as GB18030 are mostly rare
// ideographs from the extension blocks, private-use and box-drawing characters instead.
const PLAIN_CHINESE_TEXT = /[\s\u0020-\u007e\u00b7\u2010-\u206f\u2460-\u24ff\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/gu;

function isCleanText(decoded: string): boolean {
  return decoded.length > 0 && !CONTROL.test(decoded);
}

function looksLikeChinese(decoded: string): boolean {
  // iconv-lite decodes invalid sequences to U+FFFD.
  if (!isCleanText(decoded) || decoded.includes('\ufffd')) return false;
  const plain = decoded.match(PLAIN_CHINESE_TEXT)?.length ?? 0;
  return plain / decoded.length >= 0.95;
}

/** Enough of a GB18030 file to judge it; cut after a line feed, which never sits inside a character. */
const TEXT_SAMPLE_BYTES = 256 * 1024;

function decodeSample(bytes: Buffer): string {
  if (bytes.length <= TEXT_SAMPLE_BYTES) return iconv.decode(bytes, 'gb18030');
  const cut = bytes.lastIndexOf(0x0a, TEXT_SAMPLE_BYTES);
  if (cut > 0) return iconv.decode(bytes.subarray(0, cut + 1), 'gb18030');
  // No line break to cut at: the last character may be split, which decodes to one U+FFFD.
  return iconv.decode(bytes.subarray(0, TEXT_SAMPLE_BYTES), 'gb18030').replace(/\ufffd$/u, '');
}

function unsupported(message: string): AppError {
  return new AppError(415, 'unsupported_media_type', message, { file: message });
}

/**
 * Sniffs an upload, or throws a 4xx whose Chinese message says what is wrong with it: empty, an
 * image, a zip that is no Word document, binary data.
 */
export async function sniffFile(bytes: Buffer): Promise<SniffedFile> {
  if (bytes.length === 0) {
    throw new AppError(400, 'validation_failed', '文件为空（0 字节），请重新选择文件', { file: '文件为空' });
  }
  if (bytes.subarray(0, 1024).includes('%PDF-')) return PDF;
  if (bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    const entries = await listZipEntries(bytes);
    if (!entries) throw unsupported('文件是损坏的 ZIP/DOCX 压缩包，无法读取');
    const names = entries.map((e) => e.name);
    // A DOCX is a zip whose package holds the main document part; anything else zipped is not one.
    if (names.includes('word/document.xml')) return DOCX;
    if (names.includes('OFD.xml')) return OFD;
    throw unsupported(`文件内容是${zipLabel(names)}，只支持${SUPPORTED_TYPES_LABEL}文件`);
  }
  const image = IMAGES.find((f) => bytes.subarray(0, f.magic.length).equals(f.magic));
  if (image) return image.file;
  if (bytes.subarray(0, OLE_MAGIC.length).equals(OLE_MAGIC) && bytes.includes(oleName('WordDocument'))) {
    return bytes.includes(oleName('WpsCustomData')) ? WPS : DOC;
  }
  const other = OTHER_FORMATS.find((f) => bytes.subarray(0, f.magic.length).equals(f.magic));
  if (other) throw unsupported(`文件内容是${other.label}，只支持${SUPPORTED_TYPES_LABEL}文件`);
  const encoding = textEncodingOf(bytes);
  if (encoding) return text(encoding);
  throw unsupported(`无法识别的文件格式，只支持${SUPPORTED_TYPES_LABEL}文件`);
}

/** UTF-8 (with or without BOM) when the bytes are valid UTF-8, else GB18030 when they read as Chinese. */
export function textEncodingOf(bytes: Buffer): TextEncoding | null {
  try {
    const decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return isCleanText(decoded) ? 'utf-8' : null;
  } catch {
    return looksLikeChinese(decodeSample(bytes)) ? 'gb18030' : null;
  }
}

/** The text of a file sniffed as text; null if GB18030 bytes past the sniffed sample are not text. */
export function decodeText(bytes: Buffer, encoding: TextEncoding): string | null {
  // Both decoders drop a leading byte-order mark.
  if (encoding === 'utf-8') return new TextDecoder('utf-8').decode(bytes);
  const decoded = iconv.decode(bytes, 'gb18030');
  return decoded.includes('\ufffd') || CONTROL.test(decoded) ? null : decoded;
}

// The extensions an upload may wrongly carry: replaced by the one its bytes call for.
const DOCUMENT_EXTENSION = /\.(?:pdf|ofd|docx?|wps|txt|text|png|jpe?g|tiff?)$/i;

/**
 * Keeps the Chinese name; drops any path, characters that break headers or file systems, and
 * bidirectional controls that would show `txt.exe` as `exe.txt`; ends it with the real extension.
 */
/**
 * A client's file name made safe to show, log and send back: no path, no control or direction-changing
 * characters (which can disguise an extension), none that break headers or file systems, bounded.
 */
export function cleanFileName(original: string): string {
  const base = original.split(/[\\/]/).pop() ?? '';
  return base
    .replace(/[\u0000-\u001f\u007f"<>|:*?\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, '')
    .trim()
    .replace(/^\.+/u, '')
    .slice(0, 200);
}

export function safeFileName(original: string, extension: string): string {
  const stem = cleanFileName(original).replace(DOCUMENT_EXTENSION, '').trim() || '原件';
  return stem + extension;
}
