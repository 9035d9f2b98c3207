import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { AppError, ValidationError } from '../errors.js';

/** A spreadsheet cell as read: text, a number (XLSX), or empty. */
export type CellValue = string | number | null;

/** One row of an uploaded table, numbered as the spreadsheet shows it (the header is row 1). */
export interface TableRow {
  number: number;
  cells: CellValue[];
  /** Serial dates count from 1904 (old Mac Excel workbooks). */
  date1904: boolean;
}

export type TableFormat = 'csv' | 'xlsx';

const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE2 = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);
const CHUNK = 64 * 1024;

/** The format from the bytes, never from the file name. */
function sniffTableFormat(bytes: Buffer): TableFormat {
  if (bytes.length === 0) throw new ValidationError('上传的文件是空的', { file: '文件为空' });
  if (bytes.subarray(0, 4).equals(ZIP)) {
    // Entry names sit uncompressed in the zip's local headers.
    if (bytes.includes('xl/workbook.xml')) return 'xlsx';
    throw new AppError(415, 'unsupported_media_type', '该压缩文件不是 Excel 工作簿，请上传 .xlsx 或 .csv 文件');
  }
  if (bytes.subarray(0, 4).equals(OLE2)) {
    throw new AppError(415, 'unsupported_media_type', '不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后再上传');
  }
  if (!hasUtf16Bom(bytes) && bytes.includes(0)) {
    throw new AppError(415, 'unsupported_media_type', '只支持 CSV（UTF-8 或 GBK 编码）和 Excel（.xlsx）文件');
  }
  return 'csv';
}

function hasUtf16Bom(bytes: Buffer): boolean {
  return (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
}

/**
 * UTF-8 when the bytes are valid UTF-8 (with or without a BOM), else GB18030, the superset of the
 * GBK that Excel writes on Chinese Windows; UTF-16 with a BOM is Excel's "Unicode text".
 */
export type TextEncoding = 'utf8' | 'utf16' | 'gb18030';

export function sniffTextEncoding(bytes: Buffer): TextEncoding {
  if (hasUtf16Bom(bytes)) return 'utf16';
  return isUtf8(bytes) ? 'utf8' : 'gb18030';
}

function* decodeChunks(bytes: Buffer, encoding: string): Generator<string> {
  const decoder = iconv.getDecoder(encoding);
  for (let i = 0; i < bytes.length; i += CHUNK) {
    const text = decoder.write(bytes.subarray(i, i + CHUNK));
    if (text) yield text;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

/** Excel's "Unicode text" and some ledger exports separate with tabs; the header line tells. */
function sniffDelimiter(bytes: Buffer, encoding: string): ',' | '\t' {
  const firstLine = iconv.decode(bytes.subarray(0, 8192), encoding).split(/\r?\n/, 1)[0] ?? '';
  const count = (c: string) => firstLine.split(c).length - 1;
  return count('\t') > count(',') ? '\t' : ',';
}

const CSV_MESSAGES: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: '引号没有闭合',
  CSV_INVALID_CLOSING_QUOTE: '引号位置不正确',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: '引号后有多余的字符',
  CSV_MAX_RECORD_SIZE: '单行内容过长',
};

async function* readCsv(bytes: Buffer, encoding: TextEncoding): AsyncGenerator<TableRow> {
  const parser = Readable.from(decodeChunks(bytes, encoding)).pipe(
    parse({
      delimiter: sniffDelimiter(bytes, encoding),
      bom: true,
      trim: true,
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: false,
      max_record_size: 1024 * 1024,
    }),
  );
  let number = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      number++;
      yield { number, cells: record, date1904: false };
    }
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const where = (error as CsvError & { lines?: number }).lines;
    throw new ValidationError(`CSV 文件格式有误${where ? `（约第 ${where} 行）` : ''}：${CSV_MESSAGES[error.code] ?? '无法解析'}`, {
      file: 'CSV 格式有误',
    });
  } finally {
    parser.destroy();
  }
}

type ExcelValue = ExcelJS.CellValue | undefined;

/** A cell of the streaming reader (rich text, formulas, links, dates) to plain text or a number. */
function excelCell(value: ExcelValue): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString().slice(0, 10);
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('formula' in value || 'sharedFormula' in value) return excelCell(value.result as ExcelValue);
  if ('text' in value) return excelCell(value.text as ExcelValue);
  if ('error' in value) return String(value.error);
  return null;
}

async function* readXlsx(bytes: Buffer): AsyncGenerator<TableRow> {
  // Styles are not read: a date cell then arrives as its serial number, which parseImportDate reads
  // whatever number format the sheet gave it.
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([bytes]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'ignore',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  let sheets = 0;
  try {
    for await (const sheet of reader) {
      // Only the first sheet is data; later ones (notes, dictionaries) are drained, or the zip stalls.
      const first = sheets++ === 0;
      const date1904 = (reader as unknown as { properties?: { model?: { date1904?: boolean } } }).properties?.model?.date1904 === true;
      for await (const row of sheet) {
        if (!first) continue;
        const values = row.values as ExcelValue[];
        yield { number: row.number, cells: values.slice(1).map(excelCell), date1904 };
      }
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new ValidationError('Excel 文件已损坏或无法读取，请在 Excel 中重新保存为 .xlsx 后再上传', { file: '无法读取' });
  }
}

/** Rows of a CSV or XLSX upload, streamed: the file is never expanded into one big string or sheet. */
export function readTable(bytes: Buffer): { format: TableFormat; encoding: TextEncoding | null; rows: AsyncGenerator<TableRow> } {
  const format = sniffTableFormat(bytes);
  if (format === 'xlsx') return { format, encoding: null, rows: readXlsx(bytes) };
  const encoding = sniffTextEncoding(bytes);
  return { format, encoding, rows: readCsv(bytes, encoding) };
}
