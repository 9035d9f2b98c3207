export type CsvCell = string | number | null | undefined;

/**
 * One field per RFC 4180: quoted when it holds a quote, comma or line break, quotes doubled. Text
 * that a spreadsheet would run as a formula (= + - @ at the start) gets a leading apostrophe, the
 * usual guard against CSV injection; numbers, and text that is just a number, are written as they are.
 */
function csvField(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = /^[=+\-@\t\r]/.test(value) && !/^-\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** UTF-8 with a BOM and CRLF line ends, which Excel on Chinese Windows needs to read it right. */
export function toCsv(rows: readonly (readonly CsvCell[])[]): Buffer {
  return Buffer.from(`\uFEFF${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`, 'utf8');
}
