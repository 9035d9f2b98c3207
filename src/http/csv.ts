import type { Response } from 'express';

export type CsvCell = string | number | null | undefined;

/**
 * One field per RFC 4180: quoted when it holds a quote, comma or line break, quotes doubled. Text
 * that a spreadsheet would run as a formula (= + - @ at the start) gets a leading apostrophe, the
 * usual guard against CSV injection; numbers are written as they are.
 */
export function csvField(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** UTF-8 with a BOM and CRLF line ends, which Excel on Chinese Windows needs to read it right. */
export function toCsv(rows: readonly (readonly CsvCell[])[]): Buffer {
  return Buffer.from(`\uFEFF${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`, 'utf8');
}

/** Sends rows as a download; attachment() writes filename* (RFC 5987) so a Chinese name survives. */
export function sendCsv(res: Response, fileName: string, rows: readonly (readonly CsvCell[])[]): void {
  res.attachment(fileName);
  res.type('text/csv; charset=utf-8');
  res.send(toCsv(rows));
}
