/**
 * Real files for the upload and extraction tests (and the ingest benchmark), made on the fly:
 * Chinese PDFs typeset by pdfkit with a CJK font, a PDF that relies on a predefined CMap and a
 * non-embedded font, an image-only "scan", an encrypted PDF, a flate bomb, DOCX files and a DOCX
 * zip bomb. Nothing here is a mock: each file is what the parsers meet in the wild.
 */
import { execFile } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { promisify } from 'node:util';
import CFB from 'cfb';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import readline from 'node:readline';
import zlib from 'node:zlib';
import { Document, Packer, Paragraph } from 'docx';
import iconv from 'iconv-lite';
import PDFDocument from 'pdfkit';
import type { CorpusRecord } from '../../src/features/intake/catalog-row.js';
import { projectRoot } from '../../src/paths.js';

/** CJK fonts from Debian packages (fonts-wqy-zenhei, fonts-noto-cjk), with the face to use in a TTC. */
const CJK_FONTS = [
  { path: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', family: 'WenQuanYiZenHei' },
  { path: '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc', family: 'NotoSerifCJKsc-Regular' },
  { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
];

export function cjkFont(): { path: string; family: string } {
  const font = CJK_FONTS.find((f) => existsSync(f.path));
  if (!font) {
    throw new Error('没有中文字体：请安装 fonts-wqy-zenhei 或 fonts-noto-cjk（apt-get install fonts-wqy-zenhei）');
  }
  return font;
}

/** A PDF with an embedded CJK font (Identity-H with ToUnicode, as most generators write them). */
export function chinesePdf(pages: readonly string[][], info: { Title?: string } = {}, fontSize = 12): Promise<Buffer> {
  const font = cjkFont();
  const doc = new PDFDocument({ size: 'A4', margin: 72, autoFirstPage: false, info });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.registerFont('cjk', font.path, font.family);
  for (const lines of pages) {
    doc.addPage();
    doc.font('cjk').fontSize(fontSize);
    for (const line of lines) doc.text(line);
  }
  doc.end();
  return done;
}

/** A realistic 公文 body, `count` articles long, for many-page PDFs. */
export function articleLines(count: number): string[] {
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) {
    lines.push(
      `第${i}条 为进一步加强行政规范性文件制定和监督管理工作，根据《中华人民共和国立法法》和国务院有关规定，结合本区实际，制定本办法。行政规范性文件应当经过合法性审核，未经合法性审核或者经审核不合法的，不得提交集体审议。`,
    );
  }
  return lines;
}

/** A document of `pageCount` pages, about 1,000 Han characters each. */
export function manyPagePdf(pageCount: number): Promise<Buffer> {
  return chinesePdf(Array.from({ length: pageCount }, (_, p) => [`— ${p + 1} —`, ...articleLines(8)]));
}

/** Assembles objects into a PDF with a correct xref table; `trailer` adds keys to the trailer. */
function assemblePdf(objects: (string | Buffer)[], trailer = ''): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let length = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(length);
    const part = Buffer.concat([
      Buffer.from(`${i + 1} 0 obj\n`, 'latin1'),
      typeof body === 'string' ? Buffer.from(body, 'latin1') : body,
      Buffer.from('\nendobj\n', 'latin1'),
    ]);
    parts.push(part);
    length += part.length;
  });
  let xref = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) xref += `${String(offset).padStart(10, '0')} 00000 n \n`;
  xref += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailer}>>\nstartxref\n${length}\n%%EOF\n`;
  parts.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(parts);
}

function streamObject(dict: string, data: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`, 'latin1'),
    data,
    Buffer.from('\nendstream', 'latin1'),
  ]);
}

/**
 * The classic iText "Asian font pack" output: STSong-Light, not embedded, Adobe-GB1, text encoded
 * with the predefined CMap UniGB-UCS2-H and no ToUnicode. pdf.js can only read it with the CMap
 * files configured (cMapUrl/cMapPacked); without them the text is silently empty. One page per
 * entry of `pages`, each content stream deflated; `damagedPage` (1-based) gets a corrupt stream.
 */
export function predefinedCmapPdf(pages: readonly (readonly string[])[], options: { damagedPage?: number } = {}): Buffer {
  const ucs2 = (s: string) => Buffer.from(s, 'utf16le').swap16().toString('hex');
  const fontObject = 3 + 2 * pages.length;
  const pageObjects = pages.map(
    (_, i) =>
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 ${fontObject} 0 R >> >> /Contents ${3 + pages.length + i} 0 R >>`,
  );
  const contents = pages.map((lines, i) => {
    const text = ['BT', '/F1 14 Tf', '16 TL', '72 770 Td', ...lines.map((l) => `<${ucs2(l)}> Tj T*`), 'ET'].join('\n');
    const data = zlib.deflateSync(Buffer.from(text, 'latin1'));
    // Past the zlib header, garbage: "Bad encoding in flate stream", as in a damaged download.
    if (options.damagedPage === i + 1) for (let j = 2; j < data.length; j++) data[j] = (data[j]! * 31 + 7) & 0xff;
    return streamObject('/Filter /FlateDecode', data);
  });
  const kids = pages.map((_, i) => `${3 + i} 0 R`).join(' ');
  return assemblePdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`,
    ...pageObjects,
    ...contents,
    `<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-UniGB-UCS2-H /Encoding /UniGB-UCS2-H /DescendantFonts [${fontObject + 1} 0 R] >>`,
    `<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor ${fontObject + 2} 0 R /DW 1000 >>`,
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>',
  ]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer, previous = 0): number {
  let c = ~previous >>> 0;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** A grey PNG of `width`×`height`, as a scanner would deliver a page (without the text on it). */
function greyPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8);
  const rows = Buffer.alloc((width + 1) * height, 0xc8);
  for (let y = 0; y < height; y++) rows[y * (width + 1)] = 0;
  return Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** An image-only PDF: what a scanned document is. */
export function scannedPdf(): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 0 });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.image(greyPng(200, 280), 0, 0, { width: 595 });
  doc.end();
  return done;
}

/**
 * A PDF under the Standard security handler whose user password is not empty: opening it needs a
 * password (the /U entry does not match the empty one), which is what PasswordException means.
 */
export function encryptedPdf(): Buffer {
  const hex = (n: number) => randomBytes(n).toString('hex');
  return assemblePdf(
    [
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
      `<< /Filter /Standard /V 1 /R 2 /O <${hex(32)}> /U <${hex(32)}> /P -44 >>`,
    ],
    `/Encrypt 4 0 R /ID [<${hex(16)}> <${hex(16)}>] `,
  );
}

/** Deflates `size` zero bytes without holding them: 1 MiB at a time. */
async function deflatedZeros(size: number, raw: boolean): Promise<{ data: Buffer; crc: number }> {
  const deflate = raw ? zlib.createDeflateRaw({ level: 9 }) : zlib.createDeflate({ level: 9 });
  const chunks: Buffer[] = [];
  deflate.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve) => deflate.on('end', resolve));
  const zero = Buffer.alloc(1 << 20);
  let crc = 0;
  for (let written = 0; written < size; written += zero.length) {
    const part = zero.subarray(0, Math.min(zero.length, size - written));
    if (raw) crc = crc32(part, crc);
    if (!deflate.write(part)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await ended;
  return { data: Buffer.concat(chunks), crc };
}

/** About 520 kB that inflates to 512 MiB in one content stream (notes §1.5: 630 MB RSS unbounded). */
export async function flateBombPdf(): Promise<Buffer> {
  const { data } = await deflatedZeros(512 * 1024 * 1024, false);
  return assemblePdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>',
    streamObject('/Filter /FlateDecode', data),
  ]);
}

/** A DOCX written by the `docx` package, one paragraph per line. */
export function docxFile(paragraphs: readonly string[]): Promise<Buffer> {
  const doc = new Document({ sections: [{ children: paragraphs.map((p) => new Paragraph(p)) }] });
  return Packer.toBuffer(doc);
}

interface ZipEntry {
  name: string;
  data: Buffer;
  crc: number;
  size: number;
}

/** A zip of deflated entries with local headers, central directory and end record. */
function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(e.crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(e.crc, 16);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(e.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.data);
    centrals.push(central, name);
    offset += local.length + name.length + e.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

function deflatedEntry(name: string, text: string): ZipEntry {
  const data = Buffer.from(text, 'utf8');
  return { name, data: zlib.deflateRawSync(data), crc: crc32(data), size: data.length };
}

/** A DOCX-shaped zip whose word/document.xml inflates to 128 MiB from about 130 kB. */
export async function docxZipBomb(): Promise<Buffer> {
  const size = 128 * 1024 * 1024;
  const { data, crc } = await deflatedZeros(size, true);
  return zip([
    deflatedEntry('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
    { name: 'word/document.xml', data, crc, size },
  ]);
}

/** A zip that is not a Word document (an Excel-like package). */
export function plainZip(): Buffer {
  return zip([deflatedEntry('xl/workbook.xml', '<workbook/>')]);
}

export function gbkText(text: string): Buffer {
  return iconv.encode(text, 'gbk');
}

/** The shared corpus of real laws and regulations (read in place, never copied into the repo). */
export const CORPUS_FILE = path.resolve(projectRoot, '../shared/corpus/corpus.jsonl.gz');

export type { CorpusRecord };

/** The corpus records with these ids, streamed out of the gzip. */
export async function corpusRecords(ids: readonly string[]): Promise<Map<string, CorpusRecord>> {
  const wanted = new Set(ids);
  const found = new Map<string, CorpusRecord>();
  for await (const record of corpusStream()) {
    if (wanted.has(record.id)) found.set(record.id, record);
    if (found.size === wanted.size) break;
  }
  return found;
}

/** Every corpus record, in file order. */
export async function* corpusStream(): AsyncGenerator<CorpusRecord> {
  const lines = readline.createInterface({ input: createReadStream(CORPUS_FILE).pipe(zlib.createGunzip()), crlfDelay: Infinity });
  try {
    for await (const line of lines) yield JSON.parse(line) as CorpusRecord;
  } finally {
    lines.close();
  }
}

/** The first `count` corpus records as a JSON Lines file (gzipped when the name ends in .gz). */
export async function corpusSample(file: string, count: number, extraLines: string[] = []): Promise<CorpusRecord[]> {
  const records: CorpusRecord[] = [];
  for await (const record of corpusStream()) {
    records.push(record);
    if (records.length === count) break;
  }
  const text = [...records.map((r) => JSON.stringify(r)), ...extraLines].join('\n') + '\n';
  await writeFile(file, file.endsWith('.gz') ? zlib.gzipSync(text) : text);
  return records;
}

/** A 红头文件's first page as the tests' scans show it: what OCR must read and the suggestions find. */
export const RED_HEAD_LINES = [
  '静安区人民政府文件',
  '静政发〔2023〕12号',
  '关于进一步加强行政规范性文件管理的通知',
  '各街道办事处，区政府各委、办、局：',
  '行政规范性文件应当经过合法性审核，未经合法性审核或者经审核不合法的，不得提交集体审议。',
  '本通知自2023年6月1日起施行。',
  '静安区人民政府',
  '2023年5月10日',
];

export type ScanFormat = 'png' | 'jpeg' | 'tiff';

/**
 * Pages of text drawn with the CJK font (16 pt, the 三号 of a 公文) and rasterized by poppler at
 * `dpi`, as a scanner delivers them: one image file per page, no text anywhere in the bytes.
 */
export async function scanImages(pages: readonly string[][], format: ScanFormat = 'png', dpi = 150): Promise<Buffer[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gfwj-scan-'));
  try {
    await writeFile(path.join(dir, 'text.pdf'), await chinesePdf([...pages], {}, 16));
    await promisify(execFile)('pdftoppm', ['-r', String(dpi), '-gray', `-${format}`, path.join(dir, 'text.pdf'), path.join(dir, 'page')]);
    const files = (await readdir(dir)).filter((f) => f.startsWith('page-')).sort((a, b) => pageNumber(a) - pageNumber(b));
    return await Promise.all(files.map((f) => readFile(path.join(dir, f))));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const pageNumber = (file: string) => Number(/-(\d+)\./u.exec(file)?.[1] ?? 0);

/** A scanned document: each page an image of drawn text, wrapped in a PDF with no text layer. */
export async function scannedTextPdf(pages: readonly string[][], dpi = 150): Promise<Buffer> {
  const images = await scanImages(pages, 'png', dpi);
  const doc = new PDFDocument({ size: 'A4', margin: 0, autoFirstPage: false });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  for (const image of images) {
    doc.addPage();
    doc.image(image, 0, 0, { width: 595, height: 842 });
  }
  doc.end();
  return done;
}

/** A scanner's page with nothing on it: grey, no text. */
export function blankScanPng(): Buffer {
  return greyPng(400, 560);
}

/** Share of the drawn characters OCR got right: 1 − edit distance / length, spaces and line breaks ignored. */
export function characterAccuracy(drawn: string, read: string): number {
  const a = [...drawn.replace(/\s/gu, '')];
  const b = [...read.replace(/\s/gu, '')];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return a.length === 0 ? 1 : Math.max(0, 1 - previous[b.length]! / a.length);
}

const escapeXml = (s: string) => s.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;');
const OFD_NS = 'xmlns:ofd="http://www.ofdspec.org/2016"';

/** One OFD page: a TextObject per line, its TextCode holding the line, baselines 10 mm apart. */
function ofdContent(lines: readonly string[]): string {
  const objects = lines.map(
    (line, i) =>
      `<ofd:TextObject ID="${100 + i}" Boundary="25 ${30 + 10 * i} 160 8" Font="3" Size="5.6"><ofd:TextCode X="0" Y="6">${escapeXml(line)}</ofd:TextCode></ofd:TextObject>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?><ofd:Page ${OFD_NS}><ofd:Content><ofd:Layer ID="2">${objects.join('')}</ofd:Layer></ofd:Content></ofd:Page>`;
}

/** The parts of an OFD package (GB/T 33190): entry file, document root, one content file per page. */
function ofdParts(pages: readonly (readonly string[])[]): ZipEntry[] {
  const pageList = pages.map((_, i) => `<ofd:Page ID="${10 + i}" BaseLoc="Pages/Page_${i}/Content.xml"/>`).join('');
  return [
    deflatedEntry(
      'OFD.xml',
      `<?xml version="1.0" encoding="UTF-8"?><ofd:OFD ${OFD_NS} DocType="OFD" Version="1.0"><ofd:DocBody><ofd:DocInfo><ofd:DocID>a1</ofd:DocID></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>`,
    ),
    deflatedEntry(
      'Doc_0/Document.xml',
      `<?xml version="1.0" encoding="UTF-8"?><ofd:Document ${OFD_NS}><ofd:CommonData><ofd:MaxUnitID>999</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData><ofd:Pages>${pageList}</ofd:Pages></ofd:Document>`,
    ),
    ...pages.map((lines, i) => deflatedEntry(`Doc_0/Pages/Page_${i}/Content.xml`, ofdContent(lines))),
  ];
}

/** A valid OFD whose pages hold these lines. */
export function ofdFile(pages: readonly (readonly string[])[]): Buffer {
  return zip(ofdParts(pages));
}

/** An OFD package whose one page's content inflates to 128 MiB from about 130 kB. */
export async function ofdZipBomb(): Promise<Buffer> {
  const size = 128 * 1024 * 1024;
  const { data, crc } = await deflatedZeros(size, true);
  const [entry, root] = ofdParts([['封面']]);
  return zip([entry!, root!, { name: 'Doc_0/Pages/Page_0/Content.xml', data, crc, size }]);
}

/**
 * A Word 97–2003 binary file (the format WPS Office also writes for .wps): an OLE compound file
 * whose WordDocument stream has a FIB and the text as one UTF-16 piece, and whose 1Table stream has
 * the piece table. `wps` adds the WpsCustomData stream WPS Office writes.
 */
export function wordBinaryFile(paragraphs: readonly string[], options: { wps?: boolean } = {}): Buffer {
  const text = Buffer.from(paragraphs.join('\r') + '\r', 'utf16le');
  const textStart = 0x800;
  const fib = Buffer.alloc(textStart);
  fib.writeUInt16LE(0xa5ec, 0); // wIdent
  fib.writeUInt16LE(0x00c1, 2); // nFib: Word 97
  fib.writeUInt16LE(0x0200, 0x0a); // fWhichTblStm: the table is 1Table
  fib.writeUInt32LE(textStart, 0x18); // fcMin
  fib.writeUInt32LE(textStart + text.length, 0x1c); // fcMac
  fib.writeUInt32LE(text.length / 2, 0x4c); // ccpText
  fib.writeUInt32LE(0, 0x1a2); // fcClx
  const clx = Buffer.alloc(1 + 4 + 8 + 8);
  clx.writeUInt8(2, 0); // Pcdt
  clx.writeUInt32LE(16, 1); // lcb of the PlcPcd: two CPs and one PCD
  clx.writeUInt32LE(0, 5);
  clx.writeUInt32LE(text.length / 2, 9);
  clx.writeUInt32LE(textStart, 15); // fc without the "compressed" bit: UTF-16 text at this offset
  fib.writeUInt32LE(clx.length, 0x1a6); // lcbClx
  const file = CFB.utils.cfb_new();
  CFB.utils.cfb_add(file, '/WordDocument', Buffer.concat([fib, text]));
  CFB.utils.cfb_add(file, '/1Table', Buffer.concat([clx, Buffer.alloc(512 - clx.length)]));
  if (options.wps) CFB.utils.cfb_add(file, '/WpsCustomData', Buffer.alloc(64));
  return Buffer.from(CFB.write(file, { type: 'buffer' }) as Uint8Array);
}
