/**
 * Calendar days as 'YYYY-MM-DD' strings.
 *
 * A day is a label, not an instant: every rule in this product (status, Article 20 counting) is
 * stated in whole days, so days are kept as strings that compare correctly with `<` and never pass
 * through a local-time Date, where a server in UTC would shift them by the 8 hours of Beijing time.
 */

export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function parts(d: IsoDate): { y: number; m: number; day: number } {
  const match = ISO_DATE.exec(d);
  if (match === null || !isValidIsoDate(d)) throw new RangeError(`日期格式不正确，应为 YYYY-MM-DD：“${d}”`);
  return { y: Number(match[1]), m: Number(match[2]), day: Number(match[3]) };
}

/** Strict 'YYYY-MM-DD' naming a real day of years 0001–9999. */
export function isValidIsoDate(s: string): boolean {
  const match = ISO_DATE.exec(s);
  if (match === null) return false;
  const y = Number(match[1]);
  const m = Number(match[2]);
  const day = Number(match[3]);
  return y >= 1 && m >= 1 && m <= 12 && day >= 1 && day <= daysInMonth(y, m);
}

function toEpochDay(d: IsoDate): number {
  const { y, m, day } = parts(d);
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, day);
  return Math.round(t.getTime() / MS_PER_DAY);
}

function fromEpochDay(n: number): IsoDate {
  const t = new Date(n * MS_PER_DAY);
  const y = t.getUTCFullYear();
  if (y < 1 || y > 9999) throw new RangeError('日期超出可表示的范围（0001–9999 年）');
  return `${pad(y, 4)}-${pad(t.getUTCMonth() + 1, 2)}-${pad(t.getUTCDate(), 2)}`;
}

export function addDays(d: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n)) throw new RangeError(`天数必须是整数：${n}`);
  return fromEpochDay(toEpochDay(d) + n);
}

/** The same day `n` months later, or the month's last day when it has no such day (08-31 + 6 → 02-28). */
export function addMonths(d: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n)) throw new RangeError(`月数必须是整数：${n}`);
  const { y, m, day } = parts(d);
  const index = y * 12 + (m - 1) + n;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  if (year < 1 || year > 9999) throw new RangeError('日期超出可表示的范围（0001–9999 年）');
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(Math.min(day, daysInMonth(year, month)), 2)}`;
}

/** Whole days from `a` to `b` (positive when b is later). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return toEpochDay(b) - toEpochDay(a);
}

export function yearOf(d: IsoDate): number {
  return parts(d).y;
}

function assertYear(y: number): void {
  if (!Number.isInteger(y) || y < 1 || y > 9999) throw new RangeError(`年份不正确：${y}`);
}

export function yearStart(y: number): IsoDate {
  assertYear(y);
  return `${pad(y, 4)}-01-01`;
}

export function yearEnd(y: number): IsoDate {
  assertYear(y);
  return `${pad(y, 4)}-12-31`;
}

/** The earlier of two optional days; a missing day never wins over a known one. */
export function minDate(a: IsoDate | null, b: IsoDate | null): IsoDate | null {
  if (a === null) return b;
  if (b === null) return a;
  return a <= b ? a : b;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The calendar day in `timeZone` at the instant `now`. The caller passes the clock in, so that
 * "today" is decided once at the edge (request, job) and the rules below stay deterministic.
 */
export function todayIn(timeZone: string, now: Date): IsoDate {
  if (Number.isNaN(now.getTime())) throw new RangeError('时间无效');
  let fmt = formatters.get(timeZone);
  if (fmt === undefined) {
    fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, fmt);
  }
  // formatToParts rather than format(): the en-CA pattern has changed between ICU releases.
  const byType = new Map(fmt.formatToParts(now).map((p) => [p.type, p.value]));
  const y = Number(byType.get('year'));
  const m = Number(byType.get('month'));
  const day = Number(byType.get('day'));
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(day, 2)}`;
}
