/**
 * Working days (工作日) on the official calendar: Monday to Friday, minus the statutory holidays
 * (法定节假日), plus the weekend days the State Council turns into workdays (调休上班日).
 *
 * The holidays and make-up workdays come from the `chinese-days` package. We read its data file rather
 * than call its functions: those parse and format days in the process's local time zone, so on a
 * server west of UTC every day shifts by one (its isWorkday('2024-09-28') is true in New York).
 *
 * The arrangement for a year is announced each November; weekdays alone cannot stand in for it. A
 * question that needs a year the package does not list gets an explicit "unknown" answer naming
 * the missing year, never a guess.
 */
import calendarData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { addDays, daysBetween, yearOf, type IsoDate } from './dates.js';

const HOLIDAYS: Readonly<Record<string, string>> = calendarData.holidays;
const MAKE_UP_WORKDAYS: Readonly<Record<string, string>> = calendarData.workdays;

/** Years whose arrangement the package lists (every announced year names at least 元旦). */
const KNOWN_YEARS: ReadonlySet<number> = new Set(Object.keys(HOLIDAYS).map((day) => yearOf(day)));

export const CALENDAR_YEARS: Readonly<{ first: number; last: number }> = Object.freeze({
  first: Math.min(...KNOWN_YEARS),
  last: Math.max(...KNOWN_YEARS),
});

/**
 * From this day of December on, a day also depends on the next year's 元旦 arrangement, which has
 * made late-December weekends workdays before (2006-12-30/31, 2007-12-29, 2011-12-31, 2018-12-29).
 */
const NEXT_YEAR_REACHES_BACK_TO = '12-25';

/** The year whose arrangement is missing to decide `day`, or null when the package decides it. */
export function missingCalendarYear(day: IsoDate): number | null {
  const year = yearOf(day);
  if (!KNOWN_YEARS.has(year)) return year;
  if (day.slice(5) >= NEXT_YEAR_REACHES_BACK_TO && !KNOWN_YEARS.has(year + 1)) return year + 1;
  return null;
}

export type DayKind = 'workday' | 'rest' | 'unknown';

const EPOCH_THURSDAY = '1970-01-01';

/** 0 = Sunday … 6 = Saturday, from whole-day arithmetic so no time zone can shift it. */
export function weekdayOf(day: IsoDate): number {
  return (((daysBetween(EPOCH_THURSDAY, day) + 4) % 7) + 7) % 7;
}

export function dayKind(day: IsoDate): DayKind {
  if (missingCalendarYear(day) !== null) return 'unknown';
  if (MAKE_UP_WORKDAYS[day] !== undefined) return 'workday';
  if (HOLIDAYS[day] !== undefined) return 'rest';
  const weekday = weekdayOf(day);
  return weekday === 0 || weekday === 6 ? 'rest' : 'workday';
}

/** The package's name for a holiday or make-up workday ('国庆节'), or null for an ordinary day. */
export function arrangementOf(day: IsoDate): string | null {
  const entry = MAKE_UP_WORKDAYS[day] ?? HOLIDAYS[day];
  // Entries read "National Day,国庆节,3": English name, Chinese name, length of the break.
  return entry === undefined ? null : (entry.split(',')[1] ?? null);
}

/** Either the answer, or the years whose arrangement would be needed for it (ascending). */
export type CalendarAnswer<T> = { known: true; value: T } | { known: false; missingYears: number[] };

const unknown = (years: Iterable<number>): { known: false; missingYears: number[] } => ({
  known: false,
  missingYears: [...new Set(years)].sort((a, b) => a - b),
});

/**
 * Working days d with `after` < d ≤ `through`: the day an act happens is not counted, as periods are
 * counted in Chinese law. 0 when `through` is not after `after`.
 */
export function countWorkingDays(after: IsoDate, through: IsoDate): CalendarAnswer<number> {
  const span = daysBetween(after, through);
  let count = 0;
  const missing: number[] = [];
  for (let i = 1; i <= span; i++) {
    const day = addDays(after, i);
    const kind = dayKind(day);
    if (kind === 'unknown') missing.push(missingCalendarYear(day)!);
    else if (kind === 'workday') count++;
  }
  return missing.length ? unknown(missing) : { known: true, value: count };
}

/** The `n`-th working day after `day` (n ≥ 1; `day` itself is not counted). */
export function addWorkingDays(day: IsoDate, n: number): CalendarAnswer<IsoDate> {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`工作日数应为正整数：${n}`);
  let current = day;
  for (let left = n; left > 0; ) {
    current = addDays(current, 1);
    const kind = dayKind(current);
    if (kind === 'unknown') return unknown([missingCalendarYear(current)!]);
    if (kind === 'workday') left--;
  }
  return { known: true, value: current };
}

/** `day` when it is a working day, else the first working day after it. */
export function workingDayOnOrAfter(day: IsoDate): CalendarAnswer<IsoDate> {
  const kind = dayKind(day);
  if (kind === 'unknown') return unknown([missingCalendarYear(day)!]);
  return kind === 'workday' ? { known: true, value: day } : addWorkingDays(day, 1);
}
