/**
 * Rows of a decision or fee import (CSV or XLSX, as exported by the ledgers of Chinese agencies) to
 * typed records, or to the message that tells the uploader what is wrong with the row. Pure: the
 * reader hands in cells, the caller hands in today and resolves organ names.
 */
import { DECISION_KINDS, DECISION_KIND_LABELS, yuanToFen, type DecisionKind } from './article20.js';
import { addDays, isValidIsoDate, type IsoDate } from '../../shared/dates.js';
import { docNumberKey, foldFullWidth, parseDocNumber } from '../../shared/doc-number.js';
import type { CellValue } from '../../platform/table-reader.js';

export interface ColumnSpec {
  /** English header, then the Chinese header of DESIGN.md, then accepted variants. */
  names: readonly string[];
  required: boolean;
}

export const DECISION_COLUMNS = {
  kind: { names: ['kind', '类别'], required: true },
  decision_number: { names: ['decision_number', '决定书文号', '决定文书号', '文书号'], required: true },
  decided_on: { names: ['decided_on', '决定日期'], required: true },
  organ: { names: ['organ', '实施机关'], required: true },
} as const satisfies Record<string, ColumnSpec>;

export const FEE_COLUMNS = {
  organ: { names: ['organ', '实施机关'], required: true },
  item: { names: ['item', '收费项目'], required: true },
  amount_yuan: { names: ['amount_yuan', '金额（元）', '金额'], required: true },
  collected_on: { names: ['collected_on', '收费日期'], required: true },
  receipt_number: { names: ['receipt_number', '票据号', '票据号码'], required: false },
} as const satisfies Record<string, ColumnSpec>;

export type ColumnMap<K extends string> = Record<K, number | undefined>;

/**
 * Headers compare without case, spaces, full-width forms, a required-marker asterisk or the kind of
 * parentheses: 金额（元）, 金额(元) and ＊金额 (元) are one header.
 */
function headerKey(value: CellValue): string {
  return foldFullWidth(String(value ?? ''))
    .replace(/[\s\uFEFF*＊]/g, '')
    .replace(/（/g, '(')
    .replace(/）/g, ')')
    .toLowerCase();
}

/** Finds each column by its header; unknown columns are ignored, missing or repeated ones refused. */
export function mapColumns<K extends string>(header: readonly CellValue[], spec: Record<K, ColumnSpec>): { columns: ColumnMap<K> } | { error: string } {
  const keys = header.map(headerKey);
  const columns = {} as ColumnMap<K>;
  const missing: string[] = [];
  const repeated: string[] = [];
  for (const [field, column] of Object.entries(spec) as [K, ColumnSpec][]) {
    const wanted = new Set(column.names.map(headerKey));
    const found = keys.flatMap((k, i) => (wanted.has(k) ? [i] : []));
    if (found.length > 1) repeated.push(column.names[1] ?? field);
    if (found.length === 0 && column.required) missing.push(`${column.names[1]}（${column.names[0]}）`);
    columns[field] = found[0];
  }
  if (missing.length || repeated.length) {
    const parts = [
      ...(missing.length ? [`缺少列：${missing.join('、')}`] : []),
      ...(repeated.length ? [`列重复：${repeated.join('、')}`] : []),
    ];
    return { error: `表头有误，${parts.join('；')}。第一行应为列名，如 ${Object.values<ColumnSpec>(spec).filter((c) => c.required).map((c) => c.names[1]).join(',')}` };
  }
  return { columns };
}

export function cellText(value: CellValue): string {
  if (value === null) return '';
  return typeof value === 'number' ? String(value) : value.trim();
}

export function isBlankRow(cells: readonly CellValue[]): boolean {
  return cells.every((c) => cellText(c) === '');
}

/** Decisions and fees of the PRC: nothing is dated before its founding year's records began. */
export const MIN_IMPORT_YEAR = 1950;
// Excel's last day (9999-12-31) is serial 2958465.
const MAX_EXCEL_SERIAL = 2_958_465;

/**
 * An Excel serial day to a calendar day. In the 1900 system serial 1 is 1900-01-01 and serial 60
 * the 29 February 1900 that never was, so every later serial counts from 1899-12-30; the time of
 * day (the fraction) is dropped.
 */
export function excelSerialToIsoDate(serial: number, date1904 = false): IsoDate {
  if (!Number.isFinite(serial) || serial < 1 || serial > MAX_EXCEL_SERIAL) throw new RangeError(`不是有效的 Excel 日期序号：${serial}`);
  const days = Math.floor(serial);
  if (date1904) return addDays('1904-01-01', days);
  return days < 60 ? addDays('1899-12-31', days) : addDays('1899-12-30', days);
}

const TEXT_DATE = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const SERIAL_TEXT = /^\d{1,7}(?:\.\d+)?$/;

/**
 * A date as people and spreadsheets write it: 2023-05-12, 2023/5/12, 2023.5.12, 2023年5月12日,
 * 20230512 (each optionally with a time), full-width digits, or an Excel serial (a number cell, or
 * its digits in a CSV written from one). Throws a RangeError with the Chinese reason.
 */
export function parseImportDate(value: CellValue, today: IsoDate, label: string, date1904 = false): IsoDate {
  const text = foldFullWidth(cellText(value));
  if (text === '') throw new RangeError(`${label}不能为空`);
  let day: IsoDate;
  const m = TEXT_DATE.exec(text) ?? COMPACT_DATE.exec(text);
  if (m) {
    day = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
    if (!isValidIsoDate(day)) throw new RangeError(`${label}“${text}”不是真实存在的日期`);
  } else if (typeof value === 'number' || SERIAL_TEXT.test(text)) {
    const serial = Number(text);
    if (!(serial >= 1 && serial <= MAX_EXCEL_SERIAL)) throw new RangeError(`${label}“${text}”不是有效的日期`);
    day = excelSerialToIsoDate(serial, date1904);
  } else {
    throw new RangeError(`${label}“${text}”无法识别，应形如 2023-05-12、2023/5/12 或 2023年5月12日`);
  }
  if (Number(day.slice(0, 4)) < MIN_IMPORT_YEAR) throw new RangeError(`${label}“${text}”早于 ${MIN_IMPORT_YEAR} 年，请检查`);
  if (day > today) throw new RangeError(`${label}“${text}”晚于今天（${today}）`);
  return day;
}

const KIND_WORDS = new Map<string, DecisionKind>(
  DECISION_KINDS.flatMap((k) => [
    [k, k],
    [DECISION_KIND_LABELS[k], k],
  ]),
);

export function parseDecisionKind(value: CellValue): DecisionKind {
  const text = foldFullWidth(cellText(value)).replace(/\s/g, '');
  if (text === '') throw new RangeError('类别不能为空');
  const kind = KIND_WORDS.get(text) ?? KIND_WORDS.get(text.toLowerCase());
  if (!kind) throw new RangeError(`类别“${text}”应为 行政许可、行政处罚 或 行政强制（或 licensing、penalty、enforcement）`);
  return kind;
}

const BRACKET_OPEN = /[[【(（［﹝〖]/g;
const BRACKET_CLOSE = /[\]】)）］﹞〗]/g;

/**
 * What makes two spellings of one decision number the same: a number in 文号 form reduces to its
 * {prefix, year, serial} (brackets, zeros); any other (许可证编号 and the like) loses spaces, width
 * and bracket differences and letter case.
 */
export function decisionNumberKey(text: string): string {
  const parsed = parseDocNumber(text);
  if (parsed) return docNumberKey(parsed);
  return foldFullWidth(text).replace(/\s/g, '').replace(BRACKET_OPEN, '〔').replace(BRACKET_CLOSE, '〕').toUpperCase();
}

/** Names of organs and fee items as compared: trimmed, inner spaces collapsed, full-width folded. */
export function normalizeName(text: string): string {
  return foldFullWidth(text).replace(/\s+/g, ' ').trim();
}

export function boundedText(value: CellValue, label: string, max: number): string {
  const text = normalizeName(cellText(value));
  if (text === '') throw new RangeError(`${label}不能为空`);
  if (text.length > max) throw new RangeError(`${label}不能超过 ${max} 个字符`);
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(text)) throw new RangeError(`${label}含有非法字符`);
  return text;
}

/**
 * A spreadsheet amount to text for `yuanToFen`. A formula result such as 0.1 + 0.2 carries float
 * noise (0.30000000000000004) that is not a real sub-fen amount; a genuine third decimal is kept
 * so that yuanToFen refuses it.
 */
export function amountCellText(value: CellValue): string {
  if (typeof value !== 'number') return cellText(value);
  const cents = value * 100;
  return Math.abs(cents - Math.round(cents)) < 1e-6 ? value.toFixed(2) : String(value);
}

export interface ParsedDecision {
  kind: DecisionKind;
  decision_number: string;
  decision_number_key: string;
  decided_on: IsoDate;
  organ: string;
}

export interface ParsedFee {
  organ: string;
  item: string;
  amount_fen: bigint;
  collected_on: IsoDate;
  receipt_number: string | null;
}

export type RowResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Runs each field's parser and gathers every problem of the row into one message. */
export function collect<T>(parsers: { [K in keyof T]: () => T[K] }): RowResult<T> {
  const value = {} as T;
  const problems: string[] = [];
  for (const key of Object.keys(parsers) as (keyof T)[]) {
    try {
      value[key] = parsers[key]();
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      problems.push(error.message);
    }
  }
  return problems.length ? { ok: false, message: problems.join('；') } : { ok: true, value };
}

export const at = <K extends string>(cells: readonly CellValue[], columns: ColumnMap<K>, field: K): CellValue =>
  columns[field] === undefined ? null : (cells[columns[field]] ?? null);

/** A data row's cells, found by the header's column map, to a typed record. */
export type RowParser<K extends string, T> = (cells: readonly CellValue[], columns: ColumnMap<K>, today: IsoDate, date1904?: boolean) => RowResult<T>;

export const parseDecisionRow: RowParser<keyof typeof DECISION_COLUMNS, ParsedDecision> = (cells, columns, today, date1904 = false) => {
  const result = collect<Omit<ParsedDecision, 'decision_number_key'>>({
    kind: () => parseDecisionKind(at(cells, columns, 'kind')),
    decision_number: () => boundedText(at(cells, columns, 'decision_number'), '决定书文号', 200),
    decided_on: () => parseImportDate(at(cells, columns, 'decided_on'), today, '决定日期', date1904),
    organ: () => boundedText(at(cells, columns, 'organ'), '实施机关', 100),
  });
  if (!result.ok) return result;
  return { ok: true, value: { ...result.value, decision_number_key: decisionNumberKey(result.value.decision_number) } };
};

export const parseFeeRow: RowParser<keyof typeof FEE_COLUMNS, ParsedFee> = (cells, columns, today, date1904 = false) =>
  collect<ParsedFee>({
    organ: () => boundedText(at(cells, columns, 'organ'), '实施机关', 100),
    item: () => boundedText(at(cells, columns, 'item'), '收费项目', 200),
    amount_fen: () => yuanToFen(amountCellText(at(cells, columns, 'amount_yuan'))),
    collected_on: () => parseImportDate(at(cells, columns, 'collected_on'), today, '收费日期', date1904),
    receipt_number: () => {
      const text = normalizeName(cellText(at(cells, columns, 'receipt_number')));
      if (text.length > 100) throw new RangeError('票据号不能超过 100 个字符');
      return text === '' ? null : text;
    },
  });
