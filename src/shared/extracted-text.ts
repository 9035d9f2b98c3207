/**
 * Cleaning text that came out of a PDF, DOCX or text file before it becomes a searchable body
 * (notes/pdf-and-chinese-search.md §2.2). PDF text keeps the printed line breaks, so 规范性文\n件
 * is no phrase for the search engine and jieba segments 规\n范性 wrongly; digits in another font run
 * come out as `12 号`; full-width digits defeat the 文号 parser.
 */
import { foldFullWidth } from './doc-number.js';

const HAN = /\p{Script=Han}/u;
const CJK_PUNCTUATION = '，、。；：？！“”‘’（）《》〈〉【】〔〕「」『』—…·';
// A line ending like this ends its sentence, so the break after it is real.
const SENTENCE_END = /[。！？；：”」』）)]$/u;
// Page numbers printed in the header or footer: "- 3 -", "— 3 —", "第 3 页", "3/12", "3".
const PAGE_NUMBER = /^(?:[-—–－\s]*\d{1,4}[-—–－\s]*|第\s*\d{1,4}\s*页(?:\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*\/\s*\d{1,4})$/u;
// What pdf-parse appends to every page unless told not to.
const PARSER_PAGE_MARKER = /^--\s*\d+\s+of\s+\d+\s*--$/u;

function isJoinable(char: string | undefined): boolean {
  return char !== undefined && (HAN.test(char) || /\d/.test(char) || CJK_PUNCTUATION.includes(char));
}

/** Characters that count towards a line's printed width (spaces are layout, not content). */
function width(line: string): number {
  return line.replace(/\s/gu, '').length;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/**
 * Joins lines that the page width broke, not the author: a line joins the next when it is about as
 * long as the body lines (the 90th percentile of line widths, less 2), does not end a sentence, and
 * both sides of the break are Han, digits or CJK punctuation. Joining every CJK break would also glue
 * the short heading lines (…人民政府文件 / 静政发〔2023〕12号 / 关于…) into one.
 */
export function reflowLines(lines: string[]): string[] {
  const widths = lines.map(width).filter((w) => w > 0).sort((a, b) => a - b);
  const full = percentile(widths, 0.9) - 2;
  // Short texts have no body width to measure against.
  if (widths.length < 5 || full < 10) return lines;
  const out: string[] = [];
  let current: string | null = null;
  let currentLastWidth = 0;
  for (const line of lines) {
    if (current === null) {
      current = line;
      currentLastWidth = width(line);
      continue;
    }
    const end = current.trimEnd();
    const start = line.trimStart();
    if (
      currentLastWidth >= full &&
      !SENTENCE_END.test(end) &&
      isJoinable(end.at(-1)) &&
      isJoinable(start[0])
    ) {
      current = end + start;
      currentLastWidth = width(line);
      continue;
    }
    out.push(current);
    current = line;
    currentLastWidth = width(line);
  }
  if (current !== null) out.push(current);
  return out;
}

/** `12 号`, `〔 2023 〕`, `第 3 条` as printed: spaces that only the font runs put there. */
function removeLayoutSpaces(line: string): string {
  return line
    .replace(/(\p{Script=Han})[ \t\u00a0]+(?=\d)/gu, '$1')
    .replace(/(\d)[ \t\u00a0]+(?=\p{Script=Han})/gu, '$1')
    .replace(new RegExp(`([${CJK_PUNCTUATION}])[ \\t\\u00a0]+(?=[\\p{Script=Han}\\d])`, 'gu'), '$1')
    .replace(new RegExp(`([\\p{Script=Han}\\d])[ \\t\\u00a0]+(?=[${CJK_PUNCTUATION}])`, 'gu'), '$1');
}

export interface NormalizeOptions {
  /** Re-join hard-wrapped lines: for PDF text, whose line breaks are the page's, not the author's. */
  reflow: boolean;
}

/**
 * One body text from the pages of a file: page numbers and parser markers dropped, wrapped lines
 * re-joined (PDF), layout spaces removed, full-width letters and digits folded, blank lines collapsed.
 */
export function normalizeExtractedText(pages: readonly string[], options: NormalizeOptions): string {
  const lines: string[] = [];
  for (const page of pages) {
    const pageLines = page
      .replace(/\r\n?/gu, '\n')
      .split('\n')
      .map((l) => foldFullWidth(l).replace(/[ \t\u00a0]+$/u, ''))
      .filter((l) => !PARSER_PAGE_MARKER.test(l.trim()));
    // Only the first and last lines of a page are header or footer; a bare number inside is content.
    while (pageLines.length && (pageLines[0]!.trim() === '' || (options.reflow && PAGE_NUMBER.test(pageLines[0]!.trim())))) {
      pageLines.shift();
    }
    while (pageLines.length && (pageLines.at(-1)!.trim() === '' || (options.reflow && PAGE_NUMBER.test(pageLines.at(-1)!.trim())))) {
      pageLines.pop();
    }
    lines.push(...pageLines);
  }
  const cleaned = lines.map((l) => removeLayoutSpaces(l).trimStart()).filter((l) => l.trim() !== '');
  return (options.reflow ? reflowLines(cleaned) : cleaned).join('\n').trim();
}

/** A PDF whose text has no Han character at all is a scan (or lost its fonts): it needs OCR. */
export function hasHanText(text: string): boolean {
  return HAN.test(text);
}
