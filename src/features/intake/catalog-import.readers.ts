import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { mapHeaders, type CatalogField } from './catalog-row.js';
import { excelSerialToIsoDate } from '../article20/article20-import.js';
import { ValidationError } from '../../errors.js';
import type { ImportRecord } from './catalog-import.service.js';
import { sniffTextEncoding, type TextEncoding } from '../../platform/table-reader.js';

/*
 * Streaming readers for the bulk import: one record at a time, so memory stays flat whatever the
 * size of the catalog. Each yields the record's line in the file for the error report.
 */

export type CatalogFormat = 'csv' | 'xlsx' | 'jsonl';

export function formatOf(file: string): CatalogFormat {
  const name = file.toLowerCase();
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.xlsx')) return 'xlsx';
  if (name.endsWith('.jsonl') || name.endsWith('.jsonl.gz') || name.endsWith('.ndjson')) return 'jsonl';
  throw new ValidationError(`不支持的目录文件“${file}”：应为 .csv、.xlsx 或 JSON Lines（.jsonl / .jsonl.gz）`);
}

function headerError(error: unknown): ValidationError {
  return new ValidationError(error instanceof Error ? error.message : String(error));
}

function cellsOf(values: readonly string[], columns: Map<number, CatalogField>): Partial<Record<CatalogField, string>> {
  const cells: Partial<Record<CatalogField, string>> = {};
  for (const [index, field] of columns) {
    const value = values[index];
    if (value !== undefined && value !== '') cells[field] = value;
  }
  return cells;
}

/** The encoding of a catalog file, judged on its first 64 kB by the same rule as uploaded imports. */
async function csvEncoding(file: string): Promise<TextEncoding> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const sample = head.subarray(0, bytesRead);
    // Cut after the last line feed: a multi-byte character never contains one.
    const cut = bytesRead === head.length ? sample.subarray(0, sample.lastIndexOf(0x0a) + 1) : sample;
    return sniffTextEncoding(cut);
  } finally {
    await handle.close();
  }
}

async function* readCsv(file: string): AsyncGenerator<ImportRecord> {
  const encoding = await csvEncoding(file);
  const parser = createReadStream(file)
    .pipe(iconv.decodeStream(encoding))
    .pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, info: true }));
  let columns: Map<number, CatalogField> | undefined;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (!columns) {
      try {
        columns = mapHeaders(record).columns;
      } catch (error) {
        throw headerError(error);
      }
      continue;
    }
    yield { line: info.lines, cells: cellsOf(record, columns) };
  }
}

const DATE_FIELDS = new Set<CatalogField>(['signed_on', 'published_on', 'effective_on', 'expires_on', 'repealed_on']);

/** A cell as text: dates as YYYY-MM-DD, rich text and hyperlinks as their text, formulas as their result. */
function cellText(value: ExcelJS.CellValue, field: CatalogField | undefined): string {
  if (value === null || value === undefined) return '';
  // A date cell: ExcelJS gives the day at UTC midnight.
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  // A date typed as a plain number (no date format): Excel's serial day.
  if (typeof value === 'number') {
    return field && DATE_FIELDS.has(field) && Number.isInteger(value) && value > 0 && value < 200_000
      ? excelSerialToIsoDate(value)
      : String(value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return String(value);
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('text' in value && typeof value.text === 'string') return value.text;
  if ('result' in value) return cellText(value.result as ExcelJS.CellValue, field);
  if ('error' in value) return '';
  return '';
}

async function* readXlsx(file: string): AsyncGenerator<ImportRecord> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  // The first worksheet is the catalog.
  for await (const worksheet of workbook) {
    let columns: Map<number, CatalogField> | undefined;
    for await (const row of worksheet as AsyncIterable<ExcelJS.Row>) {
      const raw = (row.values as ExcelJS.CellValue[]).slice(1);
      if (!columns) {
        try {
          columns = mapHeaders(raw.map((v) => cellText(v, undefined))).columns;
        } catch (error) {
          throw headerError(error);
        }
        continue;
      }
      const texts = raw.map((v, i) => cellText(v, columns!.get(i)).trim());
      if (texts.every((t) => t === '')) continue;
      yield { line: row.number, cells: cellsOf(texts, columns) };
    }
    if (!columns) throw new ValidationError('工作表为空：第一行应为表头');
    return;
  }
  throw new ValidationError('工作簿中没有工作表');
}

function lines(file: string): readline.Interface {
  let input: Readable = createReadStream(file);
  if (file.toLowerCase().endsWith('.gz')) input = input.pipe(zlib.createGunzip());
  return readline.createInterface({ input, crlfDelay: Infinity });
}

async function* readJsonLines(file: string): AsyncGenerator<ImportRecord> {
  let line = 0;
  for await (const text of lines(file)) {
    line++;
    if (text.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      yield { line, unreadable: '不是合法的 JSON' };
      continue;
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      yield { line, unreadable: '应为 JSON 对象' };
      continue;
    }
    yield { line, corpus: record as Extract<ImportRecord, { corpus: unknown }>['corpus'] };
  }
}

/** The records of a catalog (CSV/XLSX) or of a corpus (JSON Lines, optionally gzipped). */
export function readRecords(file: string): AsyncGenerator<ImportRecord> {
  switch (formatOf(file)) {
    case 'csv':
      return readCsv(file);
    case 'xlsx':
      return readXlsx(file);
    case 'jsonl':
      return readJsonLines(file);
  }
}

/** How many records the file holds (for the progress bar): a first pass as cheap as the format allows. */
export async function countRecords(file: string): Promise<number> {
  let n = 0;
  if (formatOf(file) === 'jsonl') {
    for await (const text of lines(file)) if (text.trim() !== '') n++;
    return n;
  }
  for await (const _record of readRecords(file)) n++;
  return n;
}
