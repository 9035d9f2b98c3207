/**
 * One row of an existing catalog (CSV or XLSX, headers in Chinese or English) or one record of the
 * shared JSON Lines corpus, read into the fields of a new document. Pure: names of organs stay names
 * here; the import service looks them up.
 */
import { parseDateText } from '../../shared/chinese-dates.js';
import type { IsoDate } from '../../shared/dates.js';
import { foldFullWidth, parseDocNumber } from '../../shared/doc-number.js';
import type { DocumentKind } from '../../shared/document-status.js';

export type CatalogField =
  | 'title'
  | 'doc_number'
  | 'kind'
  | 'organ'
  | 'co_organs'
  | 'index_number'
  | 'signed_on'
  | 'published_on'
  | 'effective_on'
  | 'expires_on'
  | 'repealed_on'
  | 'topics'
  | 'file'
  | 'body'
  | 'amended_by'
  | 'version_effective_on';

/** The headers a catalog may use for each field: the Chinese of disclosure catalogs, and English. */
const CATALOG_HEADERS: Readonly<Record<CatalogField, readonly string[]>> = {
  title: ['标题', '文件标题', '名称', '文件名称', 'title'],
  doc_number: ['文号', '发文字号', '文件编号', '令号', 'doc_number'],
  kind: ['类别', '文件类别', '类型', 'kind'],
  organ: ['发文机关', '制定机关', '主办机关', '发布机关', 'organ'],
  co_organs: ['联合发文机关', 'co_organs'],
  index_number: ['索引号', 'index_number'],
  signed_on: ['成文日期', 'signed_on'],
  published_on: ['发布日期', '公布日期', 'published_on'],
  effective_on: ['施行日期', '实施日期', '生效日期', 'effective_on'],
  expires_on: ['有效期至', '失效日期', 'expires_on'],
  repealed_on: ['废止日期', 'repealed_on'],
  topics: ['主题分类', '主题', 'topics'],
  file: ['文件名', '原件', '原件文件名', 'file'],
  body: ['正文', 'body'],
  // A row with these two is a later text of the document it names (its 正文 or 原件 the amended text).
  amended_by: ['修改文件文号', '修改文号', 'amended_by'],
  version_effective_on: ['修改后施行日期', '修改施行日期', 'version_effective_on'],
};

const normalizeHeader = (h: string) => foldFullWidth(h).replace(/[\s*＊]/gu, '').toLowerCase();
const HEADER_INDEX = new Map<string, CatalogField>(
  Object.entries(CATALOG_HEADERS).flatMap(([field, names]) => names.map((n) => [normalizeHeader(n), field as CatalogField])),
);

export interface HeaderMapping {
  /** Column index → field. */
  columns: Map<number, CatalogField>;
  /** Headers that name no field: ignored, and reported once. */
  unknown: string[];
}

/** Maps a header row; throws (with a Chinese message) when it cannot be a catalog. */
export function mapHeaders(headers: readonly string[]): HeaderMapping {
  const columns = new Map<number, CatalogField>();
  const unknown: string[] = [];
  const seen = new Set<CatalogField>();
  headers.forEach((header, index) => {
    const field = HEADER_INDEX.get(normalizeHeader(header));
    if (!field) {
      if (header.trim() !== '') unknown.push(header.trim());
      return;
    }
    if (seen.has(field)) throw new Error(`表头“${header}”与前面的列重复（都表示 ${field}）`);
    seen.add(field);
    columns.set(index, field);
  });
  if (!seen.has('title')) throw new Error(`表头缺少“标题”列（可用：${CATALOG_HEADERS.title.join('、')}）`);
  return { columns, unknown };
}

const KIND_WORDS: readonly [RegExp, DocumentKind][] = [
  [/^(?:rule|规章|部门规章|地方政府规章|政府规章)$/u, 'rule'],
  [/^(?:normative|规范性文件|行政规范性文件)$/u, 'normative'],
  [/^(?:law|法律)$/u, 'law'],
  [/^(?:administrative_regulation|行政法规)$/u, 'administrative_regulation'],
  [/^(?:local_regulation|地方性法规)$/u, 'local_regulation'],
  [/^(?:other|其他|其他文件|其他政策文件)$/u, 'other'],
];

/** A catalog's 类别 (Chinese or the API's English value); null when unknown. */
export function kindOfLabel(label: string): DocumentKind | null {
  const s = label.trim().toLowerCase();
  return KIND_WORDS.find(([re]) => re.test(s))?.[1] ?? null;
}

/** The corpus's kinds: what this product catalogs as rules and normative documents, the rest for reference. */
export function kindOfCorpus(kind: string | null): DocumentKind {
  switch (kind) {
    case '部门规章':
    case '地方政府规章':
      return 'rule';
    case '规范性文件':
      return 'normative';
    case '法律':
      return 'law';
    case '行政法规':
      return 'administrative_regulation';
    case '地方性法规':
      return 'local_regulation';
    default:
      return 'other';
  }
}

/** 生态环境、财政信息 / 生态环境;财政信息 / 生态环境，财政信息. */
export function splitList(value: string): string[] {
  return [...new Set(value.split(/[、,，;；|｜\n]+/u).map((v) => v.trim()).filter((v) => v !== ''))];
}

/** A row read and checked, its organs still names. */
export interface CatalogRow {
  title: string;
  kind: DocumentKind;
  doc_number: string | null;
  organ: string | null;
  co_organs: string[];
  index_number: string | null;
  signed_on: IsoDate | null;
  published_on: IsoDate | null;
  effective_on: IsoDate | null;
  expires_on: IsoDate | null;
  repealed_on: IsoDate | null;
  topics: string[];
  file: string | null;
  body: string | null;
  /** A version row: the amending document's 文号 and the day the amended text takes effect. */
  version: { amended_by: string; effective_on: IsoDate } | null;
}

export type RowResult = { ok: true; row: CatalogRow } | { ok: false; errors: string[] };

const DATE_LABELS: Record<'signed_on' | 'published_on' | 'effective_on' | 'expires_on' | 'repealed_on', string> = {
  signed_on: '成文日期',
  published_on: '发布日期',
  effective_on: '施行日期',
  expires_on: '有效期至',
  repealed_on: '废止日期',
};

/**
 * A catalog row (cells by field, as text) as a document's fields, or every problem with it. Checks
 * what only the import knows (a 废止日期 needs a 发布日期); the document service checks the rest.
 */
export function readCatalogRow(cells: Partial<Record<CatalogField, string>>, defaults: { organ: string | null }): RowResult {
  const errors: string[] = [];
  const cell = (field: CatalogField) => {
    const v = cells[field]?.trim() ?? '';
    return v === '' ? null : v;
  };
  const title = cell('title');
  if (!title) errors.push('标题为空');
  else if (title.length > 500) errors.push('标题超过 500 个字符');
  const kindText = cell('kind');
  const kind = kindText === null ? 'normative' : kindOfLabel(kindText);
  if (kind === null) errors.push(`类别“${kindText}”无法识别（可用：规章、行政规范性文件、法律、行政法规、地方性法规、其他）`);
  const docNumber = cell('doc_number');
  if (docNumber !== null && !parseDocNumber(docNumber)) errors.push(`文号“${docNumber}”无法识别`);
  const dates = {} as Record<keyof typeof DATE_LABELS, IsoDate | null>;
  for (const [field, label] of Object.entries(DATE_LABELS) as [keyof typeof DATE_LABELS, string][]) {
    const text = cell(field);
    dates[field] = text === null ? null : parseDateText(foldFullWidth(text));
    if (text !== null && dates[field] === null) errors.push(`${label}“${text}”不是有效日期`);
  }
  if (dates.repealed_on !== null) {
    if (dates.published_on === null) errors.push('有废止日期的文件必须有发布日期');
    else if (dates.repealed_on < dates.published_on) errors.push('废止日期早于发布日期');
  }
  const organ = cell('organ') ?? defaults.organ;
  if (!organ) errors.push('发文机关为空（可用 --organ 指定默认机关）');
  const version = readVersionCells(cell('amended_by'), cell('version_effective_on'), errors);
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    row: {
      title: title!,
      kind: kind!,
      doc_number: docNumber,
      organ,
      co_organs: splitList(cell('co_organs') ?? ''),
      index_number: cell('index_number'),
      ...dates,
      topics: splitList(cell('topics') ?? ''),
      file: cell('file'),
      body: cell('body'),
      version,
    },
  };
}

/** The version columns of a row: both or neither, a readable 文号 and a real day; problems go to `errors`. */
function readVersionCells(amendedBy: string | null, effectiveText: string | null, errors: string[]): CatalogRow['version'] {
  if (amendedBy === null && effectiveText === null) return null;
  if (amendedBy === null || effectiveText === null) {
    errors.push('修改文件文号与修改后施行日期须同时填写');
    return null;
  }
  if (!parseDocNumber(amendedBy)) errors.push(`修改文件文号“${amendedBy}”无法识别`);
  const effectiveOn = parseDateText(foldFullWidth(effectiveText));
  if (effectiveOn === null) errors.push(`修改后施行日期“${effectiveText}”不是有效日期`);
  return effectiveOn === null ? null : { amended_by: amendedBy, effective_on: effectiveOn };
}

/** The fields of the shared corpus that the import uses (see ../shared/corpus/README.md). */
export interface CorpusRecord {
  id: string;
  title: string;
  kind: string | null;
  issuing_organ: string | null;
  doc_number: string | null;
  publish_date: string | null;
  effective_date: string | null;
  body: string;
}

/** An organ name is at most 100 characters (the organs table's check). */
const MAX_ORGAN_NAME = 100;

/**
 * A corpus record as a catalog row: joint issuers (A、B) give the lead organ and co-organs; a 文号
 * the parser cannot read is left out rather than failing a record that is otherwise good reference
 * material. Records without an issuer take the default organ, if one is given.
 */
export function readCorpusRecord(record: CorpusRecord, defaults: { organ: string | null }): RowResult {
  const errors: string[] = [];
  if (!record.title?.trim()) errors.push('标题为空');
  const organs = splitList(record.issuing_organ ?? '').filter((o) => o.length <= MAX_ORGAN_NAME);
  if (organs.length === 0 && defaults.organ) organs.push(defaults.organ);
  if (organs.length === 0) errors.push('没有制定机关（issuing_organ），可用 --organ 指定默认机关');
  if (errors.length) return { ok: false, errors };
  const date = (s: string | null) => (s !== null && parseDateText(s) === s ? s : null);
  return {
    ok: true,
    row: {
      title: record.title.trim().slice(0, 500),
      kind: kindOfCorpus(record.kind),
      doc_number: record.doc_number && parseDocNumber(record.doc_number) ? record.doc_number : null,
      organ: organs[0]!,
      co_organs: organs.slice(1),
      index_number: null,
      signed_on: null,
      published_on: date(record.publish_date),
      effective_on: date(record.effective_date),
      expires_on: null,
      repealed_on: null,
      topics: [],
      file: null,
      body: record.body,
      version: null,
    },
  };
}
