/**
 * Text handling for the search index and its answers: normalization before indexing, splitting of long
 * texts, and snippets as safe HTML. Pure functions, no I/O.
 */
import { foldFullWidth } from '../../shared/doc-number.js';
import { normalizeExtractedText } from '../../shared/extracted-text.js';

/**
 * Highlight tags that cannot occur in indexed text: two private-use characters, removed from every
 * text before it is indexed. The text is HTML-escaped first and only then are these turned into
 * <mark>, so nothing from a document can ever become markup.
 */
export const HIGHLIGHT_PRE = '\uE000';
export const HIGHLIGHT_POST = '\uE001';
const MARKERS = /[\uE000\uE001]/g;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Highlighted text from the index as HTML: everything escaped, then only our <mark> added, balanced. */
export function highlightedToHtml(text: string): string {
  let open = false;
  let html = '';
  for (const part of escapeHtml(text).split(/([\uE000\uE001])/)) {
    if (part === HIGHLIGHT_PRE) {
      if (!open) html += '<mark>';
      open = true;
    } else if (part === HIGHLIGHT_POST) {
      if (open) html += '</mark>';
      open = false;
    } else {
      html += part;
    }
  }
  return open ? `${html}</mark>` : html;
}

const HAN = '\\p{Script=Han}';
const CJK_PUNCT = '\\u3000-\\u303F\\uFF00-\\uFFEF';
/**
 * What the index receives for a text: no highlight markers, and the layout cleaning that extracted
 * file text gets (`12 号` → `12号`, full-width digits folded), also for bodies typed in by hand.
 * Re-flowing wrapped lines is left to extraction, which knows whether the text came from a PDF.
 */
export function normalizeForIndex(text: string): string {
  return normalizeExtractedText([text.replace(MARKERS, '')], { reflow: false });
}

const DIGITS_BESIDE_HAN = new RegExp(`(?<=${HAN})(?=[0-9])|(?<=[0-9])(?=${HAN})`, 'gu');

/**
 * Digits set apart from Han characters by a space, for what Meilisearch searches (texts and queries
 * alike, never what is shown): its Chinese segmentation cuts digits glued to Han characters into
 * single digits, so `编号31415926的` was not found by 31415926, and 2023年第12345号 also found 12346号
 * (measured on Meilisearch 1.21); a digit run standing alone stays one word.
 */
export function spaceDigits(text: string): string {
  return text.replace(DIGITS_BESIDE_HAN, ' ');
}

const BREAK_AFTER = /[\n。！？；]/u;

/**
 * Splits a text into pieces of at most `max` characters, cut after a line or sentence end where one
 * falls in the last third of the piece. Meilisearch indexes only the first 65,535 positions of an
 * attribute and crops in time proportional to the attribute's length, so long texts go in as pieces.
 */
export function splitIntoChunks(text: string, max: number): string[] {
  const chunks: string[] = [];
  let start = 0;
  while (text.length - start > max) {
    let end = start + max;
    for (let i = end - 1; i > start + Math.floor((max * 2) / 3); i--) {
      if (BREAK_AFTER.test(text[i]!)) {
        end = i + 1;
        break;
      }
    }
    // Never cut a surrogate pair in half.
    if (/[\uD800-\uDBFF]/.test(text[end - 1]!)) end -= 1;
    chunks.push(text.slice(start, end));
    start = end;
  }
  chunks.push(text.slice(start));
  return chunks;
}

/** Meilisearch considers only the first 10 words of a query; so do the snippets and the simple search. */
const MAX_QUERY_WORDS = 10;
const MAX_WORD_CHARS = 20;
const WORD = /[\p{L}\p{N}]+/gu;
const HAN_ONLY = new RegExp(`^[${HAN}]+$`, 'u');

/**
 * The terms of the simple search: the query split at spaces, as typed (punctuation included), with
 * full-width digits and letters folded as in stored texts.
 */
export function queryTerms(q: string): string[] {
  const terms = new Set<string>();
  for (const term of foldFullWidth(q).split(/\s+/u)) {
    if (term) terms.add(term.slice(0, 50));
    if (terms.size === MAX_QUERY_WORDS) break;
  }
  return [...terms];
}

/** The words of a query: runs of letters, digits or Han characters (punctuation and spaces separate). */
export function queryWords(q: string): string[] {
  const words = new Set<string>();
  for (const [word] of q.normalize('NFKC').matchAll(WORD)) {
    words.add(word.slice(0, MAX_WORD_CHARS));
    if (words.size === MAX_QUERY_WORDS) break;
  }
  return [...words];
}

/**
 * The pieces of the query words that occur in `text`. Chinese is written without spaces, so a Han
 * word that does not occur whole is matched greedily by its longest pieces of two or more characters
 * (营商环境 → 营商 … 环境), much as Meilisearch's segmentation matches its parts.
 */
export function matchedTerms(text: string, words: string[]): string[] {
  const lower = text.toLowerCase();
  const found = new Set<string>();
  for (const typed of words) {
    const word = typed.toLowerCase();
    if (lower.includes(word)) {
      found.add(word);
      continue;
    }
    if (!HAN_ONLY.test(word)) continue;
    for (let i = 0; i < word.length - 1; ) {
      let length = word.length - i;
      while (length >= 2 && !lower.includes(word.slice(i, i + length))) length--;
      if (length >= 2) {
        found.add(word.slice(i, i + length));
        i += length;
      } else {
        i += 1;
      }
    }
  }
  return [...found].sort((a, b) => b.length - a.length);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `text` as safe HTML with every occurrence of the terms in <mark>. */
export function markTerms(text: string, terms: string[]): string {
  const clean = text.replace(MARKERS, '');
  if (terms.length === 0) return escapeHtml(clean);
  const pattern = new RegExp(terms.map(escapeRegExp).join('|'), 'giu');
  return highlightedToHtml(clean.replace(pattern, (m) => `${HIGHLIGHT_PRE}${m}${HIGHLIGHT_POST}`));
}

/**
 * What to look for in a text to place its snippet, most wanted first: each word whole, then, for
 * Han words, their pieces from the longest down to two characters (营商环境 → 营商环 … 营商, 商环, 环境).
 */
export function snippetCandidates(words: string[]): string[] {
  const candidates = new Set<string>();
  // The text is searched case-sensitively: the word as typed, then in lower and upper case.
  for (const word of words) for (const form of [word, word.toLowerCase(), word.toUpperCase()]) candidates.add(form);
  for (const word of words) {
    if (!HAN_ONLY.test(word)) continue;
    for (let length = word.length - 1; length >= 2; length--) {
      for (let i = 0; i + length <= word.length; i++) candidates.add(word.slice(i, i + length));
    }
  }
  return [...candidates];
}

const CJK_CHAR = `[${HAN}${CJK_PUNCT}]`;
const WRAPPED_CJK = new RegExp(`(?<=${CJK_CHAR})\\s+(?=${CJK_CHAR})`, 'gu');

export interface SnippetSource {
  /** The piece of the text around the best match (see SNIPPET_CHARS). */
  text: string;
  cutStart: boolean;
  cutEnd: boolean;
}

/** Characters of a snippet, and how many of them come before the match. */
export const SNIPPET_CHARS = 120;
export const SNIPPET_LEAD = 30;

/**
 * The snippet piece of a text from its start (`head`, cut at `headLimit` characters when the text is
 * longer), by the same rule as the database's (search.repository.ts): the first candidate found,
 * `lead` characters before it, or the start when it is near. Null when no candidate is in the head.
 */
export function snippetFromHead(
  head: string,
  candidates: string[],
  window: { width: number; lead: number; headLimit: number },
): SnippetSource | null {
  let found = -1;
  for (const candidate of candidates) {
    found = head.indexOf(candidate);
    if (found >= 0) break;
  }
  if (found < 0 && candidates.length > 0) return null;
  const start = found <= window.width - 2 * window.lead ? 0 : found - window.lead;
  const piece = head.slice(start, start + window.width + 1);
  // A head (nearly) as long as the limit may be cut from a longer text.
  const more = piece.length > window.width || (start + window.width >= head.length && head.length >= window.headLimit - 1);
  return { text: piece.slice(0, window.width), cutStart: start > 0, cutEnd: more };
}

/** A snippet as safe HTML: the piece with the query's words marked, … where the text goes on. */
export function buildSnippet(source: SnippetSource, words: string[]): string {
  const piece = foldFullWidth(source.text).replace(WRAPPED_CJK, '').replace(/\s+/g, ' ').trim();
  if (piece === '') return '';
  return `${source.cutStart ? '…' : ''}${markTerms(piece, matchedTerms(piece, words))}${source.cutEnd ? '…' : ''}`;
}

/** A value inside a Meilisearch filter expression: always quoted, quotes and backslashes escaped. */
export function filterValue(value: string | number): string {
  return `"${String(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{N}]+/gu;

/**
 * A text as the verbatim search compares it, the same for stored texts and queries: NFKC (full-width
 * digits and letters folded), lower case, and nothing but letters and digits, so that a paste matches
 * whatever its spaces, line breaks (PDF wraps) and punctuation (`,` for `，`, or none).
 */
export function normalizeFragment(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(NOT_LETTER_OR_DIGIT, '');
}

const QUOTED = /^\s*["“”](.*?)["“”]\s*$/su;

/** A query in quotes (`"…"`, `“…”`) asks for verbatim matches only: its text without the quotes, and whether it was quoted. */
export function readQuoted(q: string): { text: string; quoted: boolean } {
  const quoted = QUOTED.exec(q);
  return quoted ? { text: quoted[1]!, quoted: true } : { text: q, quoted: false };
}
