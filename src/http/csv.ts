import type { Response } from 'express';
import { toCsv, type CsvCell } from '../shared/csv.js';

/** Sends rows as a download; attachment() writes filename* (RFC 5987) so a Chinese name survives. */
export function sendCsv(res: Response, fileName: string, rows: readonly (readonly CsvCell[])[]): void {
  res.attachment(fileName);
  res.type('text/csv; charset=utf-8');
  res.send(toCsv(rows));
}
