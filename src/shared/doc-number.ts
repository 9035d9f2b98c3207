/**
 * 文号 (doc numbers, 静政发〔2023〕5号) and 令号 (order numbers, 山西省人民政府令第274号).
 *
 * People type a doc number with any of half a dozen bracket kinds, full-width digits, leading zeros,
 * spaces, or no separators at all, and pdf text adds spaces of its own (`12 号`). Every spelling is
 * reduced to one {prefix, year, serial} so that lookup is an exact key match; search indexes a spaced
 * form because Meilisearch splits a glued `202312` into `2/0/2/3/12` and prefix-matches `12` to `120`
 * (notes/pdf-and-chinese-search.md §2.2).
 */

export interface DocNumber {
  /** Issuer's abbreviation and type marker: 静政发, 法释, 山西省人民政府令, 国家税务总局公告. */
  prefix: string;
  /** null only for order numbers that carry no year (…令第274号). */
  year: number | null;
  serial: number;
}

export const MIN_DOC_YEAR = 1949;
export const MAX_DOC_YEAR = 2100;

/**
 * Full-width ASCII digits and letters and the ideographic space to ASCII. Deliberately not NFKC:
 * that would also turn （），： into ASCII and change the displayed text.
 */
export function foldFullWidth(s: string): string {
  return s.replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\u3000]/g, (c) =>
    c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0),
  );
}

// ﹝﹞ (small tortoise shell) and 〖〗 are not in DESIGN.md's list but turn up in real documents
// typed by people looking for 〔〕 in their input method.
const OPEN = '〔\\[【(（［﹝〖';
const CLOSE = '〕\\]】)）］﹞〗';
const PREFIX_CHAR = '[\\p{Script=Han}A-Za-z、]';
const CN_NUMERAL = '[〇零一二两三四五六七八九十百千]';
const SERIAL = `(?<serial>\\d{1,6}|${CN_NUMERAL}+)`;
const MAX_PREFIX_LENGTH = 64;

// The year is glued to the prefix or bracketed; 年 closes it in the order style (…令2022年第19号).
// The prefix may not end in 第, or 国务院令第20235号 would read as year 2023.
const WITH_YEAR = new RegExp(
  `^(?<prefix>${PREFIX_CHAR}+?)(?<!第)(?<open>[${OPEN}])?(?<year>\\d{4})(?<close>[${CLOSE}]|年)?(?<di>第)?${SERIAL}(?<hao>号)?$`,
  'u',
);
const ORDER_WITHOUT_YEAR = new RegExp(`^(?<prefix>${PREFIX_CHAR}*(?:令|公告))(?<di>第)?${SERIAL}(?<hao>号)?$`, 'u');
// 北京市人民政府第14号令: the same order number as 北京市人民政府令第14号.
const ORDER_INVERTED = new RegExp(`^(?<prefix>${PREFIX_CHAR}+?)(?<!第|令)第${SERIAL}号令$`, 'u');

/** Prefixes numbered by year and 第N号 rather than 〔year〕N号. */
function isOrderStyle(prefix: string): boolean {
  return prefix.endsWith('令') || prefix.endsWith('公告');
}

const CN_DIGITS: Record<string, number> = {
  〇: 0, 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};
const CN_UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };

/** 七十三 → 73, 一百零五 → 105, 一〇五 → 105; null when malformed. Old 主席令 use these. */
function parseChineseNumeral(s: string): number | null {
  const chars = [...s];
  if (!chars.some((c) => c in CN_UNITS)) {
    // Positional, as in 一〇五.
    let n = 0;
    for (const c of chars) {
      const d = CN_DIGITS[c];
      if (d === undefined) return null;
      n = n * 10 + d;
    }
    return n;
  }
  let total = 0;
  let digit: number | null = null;
  let lastUnit = Infinity;
  for (const c of chars) {
    const d = CN_DIGITS[c];
    if (d !== undefined) {
      if (digit !== null && digit !== 0 && d !== 0) return null;
      digit = d;
      continue;
    }
    const unit = CN_UNITS[c];
    if (unit === undefined || unit >= lastUnit) return null;
    // 十四 means 14: a leading 十 has an implied 一.
    total += (digit === null ? 1 : digit) * unit;
    if (digit === 0) return null;
    digit = null;
    lastUnit = unit;
  }
  return total + (digit ?? 0);
}

function parseSerial(raw: string): number | null {
  const n = /^\d+$/.test(raw) ? Number.parseInt(raw, 10) : parseChineseNumeral(raw);
  return n !== null && n >= 1 ? n : null;
}

function isValidPrefix(prefix: string): boolean {
  return (
    prefix.length <= MAX_PREFIX_LENGTH &&
    /\p{Script=Han}/u.test(prefix) &&
    !prefix.startsWith('、') &&
    // A bare type marker names no issuer: 令第5号 is a fragment, not an order number.
    prefix !== '令' &&
    prefix !== '公告'
  );
}

function normalizeInput(input: string): string {
  return foldFullWidth(input).replace(/\s+/gu, '').replace(/號/gu, '号');
}

function fromWithYear(g: Record<string, string | undefined>): DocNumber | null {
  const prefix = g.prefix ?? '';
  const year = Number(g.year);
  const serialText = g.serial ?? '';
  const bracketed = g.open !== undefined && g.close !== undefined && g.close !== '年';
  const numeric = /^\d+$/.test(serialText);
  // Without 号 only a bracketed year keeps 规划20212025 from reading as a doc number.
  if (g.hao === undefined && !bracketed) return null;
  if (!numeric && g.di === undefined) return null;
  if (year < MIN_DOC_YEAR || year > MAX_DOC_YEAR) return null;
  const serial = parseSerial(serialText);
  if (serial === null || !isValidPrefix(prefix)) return null;
  return { prefix, year, serial };
}

function fromOrder(g: Record<string, string | undefined>, prefix: string, needsMarker: boolean): DocNumber | null {
  const serialText = g.serial ?? '';
  const numeric = /^\d+$/.test(serialText);
  if (needsMarker && g.di === undefined && g.hao === undefined) return null;
  if (!numeric && g.di === undefined && needsMarker) return null;
  const serial = parseSerial(serialText);
  if (serial === null || !isValidPrefix(prefix)) return null;
  return { prefix, year: null, serial };
}

/**
 * The doc number that the whole input (trimmed) spells, or null. Text that merely contains a doc
 * number is not one: use findDocNumbers for free text.
 */
export function parseDocNumber(input: string): DocNumber | null {
  const s = normalizeInput(input);
  if (s === '') return null;

  const withYear = WITH_YEAR.exec(s);
  if (withYear?.groups !== undefined) {
    const n = fromWithYear(withYear.groups);
    if (n !== null) return n;
  }
  const order = ORDER_WITHOUT_YEAR.exec(s);
  if (order?.groups !== undefined) {
    const n = fromOrder(order.groups, order.groups.prefix ?? '', true);
    if (n !== null) return n;
  }
  const inverted = ORDER_INVERTED.exec(s);
  if (inverted?.groups !== undefined) {
    const n = fromOrder(inverted.groups, `${inverted.groups.prefix ?? ''}令`, false);
    if (n !== null) return n;
  }
  return null;
}

/** Display form: 静政发〔2023〕5号, 交通运输部令2022年第19号, 山西省人民政府令第274号. */
export function formatDocNumber(n: DocNumber): string {
  if (n.year === null) return `${n.prefix}第${n.serial}号`;
  if (isOrderStyle(n.prefix)) return `${n.prefix}${n.year}年第${n.serial}号`;
  return `${n.prefix}〔${n.year}〕${n.serial}号`;
}

/** Exact lookup key, the same for every spelling: 静政发-2023-5, 山西省人民政府令-0-274. */
export function docNumberKey(n: DocNumber): string {
  return `${n.prefix}-${n.year ?? 0}-${n.serial}`;
}

/** Spaced form for the search index: separate tokens, never glued year+serial (see module note). */
export function docNumberSearchForm(n: DocNumber): string {
  return n.year === null ? `${n.prefix} ${n.serial}` : `${n.prefix} ${n.year} ${n.serial}`;
}

/** Parse then re-format, for cleaning user input; null when the input is not a doc number. */
export function normalizeDocNumber(input: string): string | null {
  const n = parseDocNumber(input);
  return n === null ? null : formatDocNumber(n);
}

// Free-text scanning. The number part is unambiguous, the prefix is not: it is the run of Han
// characters before it, from which lead-in words (根据, 你院, …的) are cut. Good enough for metadata
// suggestions that staff confirm, not for anything counted; known prefixes make it exact.
interface ScanAnchor {
  re: RegExp;
  /** Characters a prefix may contain; 、 only where joint orders use it. */
  prefixChar: RegExp;
  maxPrefix: number;
  /** Single characters that end a lead-in; unsafe in long organ names (对外贸易经济合作部令). */
  cutChars: string;
  /** Conjunctions dropped from the start: only where no issuer begins with one (和行署发 does). */
  leadInChars: string;
}
const SCAN_ANCHORS: ScanAnchor[] = [
  {
    re: new RegExp(`[${OPEN}]\\s*\\d{4}\\s*[${CLOSE}]\\s*第?\\s*(?:\\d{1,6}|${CN_NUMERAL}+)\\s*[号號]`, 'gu'),
    prefixChar: /[\p{Script=Han}A-Za-z]/u,
    maxPrefix: 16,
    cutChars: '以在对将按依据见即由',
    leadInChars: '',
  },
  {
    re: new RegExp(`(?:令|公告)\\s*(?:\\d{4}\\s*年\\s*)?第\\s*(?:\\d{1,6}|${CN_NUMERAL}+)\\s*[号號]`, 'gu'),
    prefixChar: new RegExp(PREFIX_CHAR, 'u'),
    maxPrefix: MAX_PREFIX_LENGTH,
    cutChars: '',
    leadInChars: '和及与并或',
  },
  {
    re: /第\s*\d{1,6}\s*[号號]令/gu,
    prefixChar: new RegExp(PREFIX_CHAR, 'u'),
    maxPrefix: MAX_PREFIX_LENGTH,
    cutChars: '',
    leadInChars: '和及与并或',
  },
];
const CUT_AFTER = /的|根据|依据|按照|依照|参照|遵照|关于|印发|转发|报送|执行|贯彻|落实|适用|属于|对于|[你我本贵][院部厅局委办省市区县府会]|^[一二三四五六七八九十]+、/gu;
const LEAD_IN_CHARS = '按依据将见即、';

function trimLeadIn(run: string, anchor: ScanAnchor, afterDigit: boolean): string {
  const { cutChars, leadInChars } = anchor;
  let start = 0;
  for (const m of run.matchAll(CUT_AFTER)) start = Math.max(start, m.index + m[0].length);
  for (let i = run.length - 1; i >= start; i--) {
    if (cutChars.includes(run[i] ?? '')) {
      start = i + 1;
      break;
    }
  }
  let prefix = run.slice(start);
  // 2023年1月1日交通部令…: the date's last character is not part of the prefix.
  if (afterDigit && start === 0 && /^[年月日号]/u.test(prefix)) prefix = prefix.slice(1);
  const leadIn = LEAD_IN_CHARS + leadInChars;
  while (prefix.length > 1 && leadIn.includes(prefix[0] ?? '')) prefix = prefix.slice(1);
  return prefix;
}

/**
 * The known prefix that ends `run`, as it must be cut to sit before `match`: an order anchor starts
 * with its own 令 (or ends in 号令), so 山西省人民政府令 matches the run 山西省人民政府.
 */
function knownPrefixBefore(run: string, match: string, known: readonly string[]): string | undefined {
  for (const p of known) {
    if (run.endsWith(p)) return p;
    const marker = /(?:令|公告)$/u.exec(p)?.[0];
    if (marker === undefined) continue;
    const core = p.slice(0, -marker.length);
    if (core !== '' && run.endsWith(core) && (match.startsWith(marker) || match.endsWith('号令'))) return core;
  }
  return undefined;
}

export interface FindDocNumbersOptions {
  /** Prefixes known to be real (the organs' doc_prefixes): the longest one ending a run wins. */
  knownPrefixes?: readonly string[];
}

/** Doc numbers mentioned in free text, in order of first appearance, each once. */
export function findDocNumbers(text: string, options: FindDocNumbersOptions = {}): DocNumber[] {
  // foldFullWidth maps one UTF-16 unit to one, so match indexes stay valid in the folded text.
  const folded = foldFullWidth(text);
  const known = [...(options.knownPrefixes ?? [])].filter((p) => p !== '').sort((a, b) => b.length - a.length);
  const found: { at: number; n: DocNumber }[] = [];
  for (const anchor of SCAN_ANCHORS) {
    const { re, prefixChar, maxPrefix } = anchor;
    for (const m of folded.matchAll(re)) {
      const at = m.index;
      let start = at;
      while (start > 0 && at - start < maxPrefix && prefixChar.test(folded[start - 1] ?? '')) start--;
      const run = folded.slice(start, at);
      const prefix =
        knownPrefixBefore(run, m[0], known) ?? trimLeadIn(run, anchor, /\d/.test(folded[start - 1] ?? ''));
      if (prefix === '') continue;
      const n = parseDocNumber(prefix + m[0]);
      if (n !== null) found.push({ at: at - prefix.length, n });
    }
  }
  found.sort((a, b) => a.at - b.at);
  const seen = new Set<string>();
  const result: DocNumber[] = [];
  for (const { n } of found) {
    const key = docNumberKey(n);
    if (!seen.has(key)) {
      seen.add(key);
      result.push(n);
    }
  }
  return result;
}

/** A 文号's prefix and year (`示政发-2023`), for listing one year of one prefix; null without a year. */
export function docNumberSeries(n: DocNumber): string | null {
  return n.year === null ? null : `${n.prefix}-${n.year}`;
}

/**
 * A 令号 without its organ (`令-0-41`): a rule is often cited as 市政府令第41号 or 令第41号, without
 * the organ's full name; null for other 文号.
 */
export function orderSerialKey(n: DocNumber): string | null {
  return isOrderStyle(n.prefix) ? `令-${n.year ?? 0}-${n.serial}` : null;
}

/** A prefix and year alone (`示政发〔2023〕`), as docNumberSeries writes it; null for anything else. */
export function parseDocNumberSeries(input: string): string | null {
  // The year in brackets closes it: 某某2023年第1234 is a cut fragment, not a series.
  if (!/\d{4}\s*[〕\]）)】]\s*$/u.test(foldFullWidth(input)) || parseDocNumber(input) !== null) return null;
  const n = parseDocNumber(`${input.trim()}1号`);
  return n && !isOrderStyle(n.prefix) ? docNumberSeries(n) : null;
}

/** Whether a 令 prefix as typed (`市政府令`) is a shortening of a full one (`示例市人民政府令`): its characters in order. */
export function shortensOrderPrefix(typed: string, full: string): boolean {
  let at = 0;
  for (const c of full) if (c === typed[at]) at += 1;
  return at === typed.length && isOrderStyle(full);
}

const BARE_ORDER = /^令(?:(\d{4})年)?第(\d+)号$/u;

/**
 * The 令号 a query names, with or without its organ: its orderSerialKey and the prefix as typed
 * ('令' when none); null when the query is no 令号.
 */
export function parseOrderSerial(input: string): { key: string; typedPrefix: string } | null {
  const parsed = parseDocNumber(input);
  const key = parsed && orderSerialKey(parsed);
  if (parsed && key) return { key, typedPrefix: parsed.prefix };
  const bare = BARE_ORDER.exec(foldFullWidth(input).replace(/\s+/gu, ''));
  return bare ? { key: `令-${bare[1] ?? 0}-${Number(bare[2])}`, typedPrefix: '令' } : null;
}
