import { afterEach, describe, expect, it } from 'vitest';
import { addDays } from '../../src/shared/dates.js';
import {
  CALENDAR_YEARS,
  addWorkingDays,
  arrangementOf,
  countWorkingDays,
  dayKind,
  missingCalendarYear,
  weekdayOf,
  workingDayOnOrAfter,
} from '../../src/shared/working-days.js';

describe('the official calendar', () => {
  it('covers the years the chinese-days package lists, 2004 to 2026 in version 1.5.7', () => {
    expect(CALENDAR_YEARS).toEqual({ first: 2004, last: 2026 });
  });

  it.each([
    // 2024 国庆节: 1–7 October off; Sunday 29 September and Saturday 12 October are make-up workdays.
    ['2024-09-28', 'rest'], // Saturday
    ['2024-09-29', 'workday'], // Sunday, make-up
    ['2024-09-30', 'workday'],
    ['2024-10-01', 'rest'],
    ['2024-10-04', 'rest'], // a Friday inside the break
    ['2024-10-07', 'rest'], // a Monday inside the break
    ['2024-10-08', 'workday'],
    ['2024-10-12', 'workday'], // Saturday, make-up
    ['2024-10-13', 'rest'],
    // 2024 春节: 10–17 February off; Sundays 4 and 18 February are make-up workdays.
    ['2024-02-04', 'workday'],
    ['2024-02-09', 'workday'], // 除夕 was a working Friday in 2024
    ['2024-02-10', 'rest'],
    ['2024-02-15', 'rest'], // a Thursday inside the break
    ['2024-02-18', 'workday'],
    // 2026 元旦: 1–3 January off, Sunday 4 January a make-up workday.
    ['2026-01-02', 'rest'],
    ['2026-01-04', 'workday'],
    // An ordinary week.
    ['2024-03-13', 'workday'],
    ['2024-03-16', 'rest'],
  ] as const)('%s is a %s', (day, kind) => {
    expect(dayKind(day)).toBe(kind);
  });

  it('names the arrangement a day belongs to', () => {
    expect(arrangementOf('2024-10-12')).toBe('国庆节');
    expect(arrangementOf('2024-02-18')).toBe('春节');
    expect(arrangementOf('2024-03-13')).toBeNull();
  });

  it.each([
    ['1969-12-31', 3],
    ['1970-01-01', 4],
    ['2024-02-29', 4],
    ['2024-10-01', 2],
    ['2026-11-29', 0],
  ])('weekday of %s is %i', (day, weekday) => {
    expect(weekdayOf(day)).toBe(weekday);
  });
});

describe('counting working days (the starting day is not counted)', () => {
  it.each([
    // Friday before 国庆 through the make-up Saturday after it: 29 Sep, 30 Sep, 8–11 Oct, 12 Oct.
    ['2024-09-27', '2024-10-12', 7],
    // The last day before the break to the first day after it.
    ['2024-09-30', '2024-10-08', 1],
    // Across 春节: 9 Feb, make-up Sunday 18 Feb, 19 Feb.
    ['2024-02-08', '2024-02-19', 3],
    // Across 元旦 2026 with its make-up Sunday: 29–31 Dec, 4–6 Jan.
    ['2025-12-26', '2026-01-06', 6],
    // The same day, and a span of rest days only.
    ['2024-10-03', '2024-10-03', 0],
    ['2024-10-01', '2024-10-07', 0],
    // The end before the start counts nothing.
    ['2024-10-10', '2024-10-08', 0],
  ])('from %s through %s: %i', (after, through, expected) => {
    expect(countWorkingDays(after, through)).toEqual({ known: true, value: expected });
  });

  it.each([
    // Plain weekdays would give 25 October; the seven days off and two make-up days move it to the 30th.
    ['2024-09-27', 20, '2024-10-30'],
    // 春节 2024: from Friday 2 February, the make-up Sunday is the first working day.
    ['2024-02-02', 20, '2024-03-06'],
    ['2024-02-02', 1, '2024-02-04'],
    ['2024-09-30', 1, '2024-10-08'],
  ])('the working day %s + %i is %s', (day, n, expected) => {
    expect(addWorkingDays(day, n)).toEqual({ known: true, value: expected });
  });

  it('moves a rest day to the next working day, and keeps a working day', () => {
    expect(workingDayOnOrAfter('2024-10-05')).toEqual({ known: true, value: '2024-10-08' });
    expect(workingDayOnOrAfter('2024-10-12')).toEqual({ known: true, value: '2024-10-12' });
  });

  it('rejects a count that is not a positive integer', () => {
    expect(() => addWorkingDays('2024-01-02', 0)).toThrow(RangeError);
    expect(() => addWorkingDays('2024-01-02', 1.5)).toThrow(RangeError);
  });
});

describe('years the calendar does not know are flagged, never guessed', () => {
  it.each([
    ['2003-06-02', 2003],
    ['2027-03-01', 2027],
    // Late December depends on the next year's 元旦 arrangement, which is not announced yet.
    ['2026-12-25', 2027],
    ['2026-12-31', 2027],
  ])('%s needs the arrangement of %i', (day, year) => {
    expect(dayKind(day)).toBe('unknown');
    expect(missingCalendarYear(day)).toBe(year);
  });

  it('knows late December when the next year is known, and December of the last year up to the 24th', () => {
    expect(missingCalendarYear('2025-12-31')).toBeNull();
    expect(missingCalendarYear('2026-12-24')).toBeNull();
    expect(dayKind('2026-12-24')).toBe('workday');
  });

  it('reports every missing year of a span', () => {
    expect(countWorkingDays('2026-12-20', '2027-01-10')).toEqual({ known: false, missingYears: [2027] });
    expect(countWorkingDays('2002-12-20', '2004-01-05')).toEqual({ known: false, missingYears: [2002, 2003] });
  });

  it('gives no deadline that runs into an unknown year', () => {
    expect(addWorkingDays('2026-12-01', 20)).toEqual({ known: false, missingYears: [2027] });
    // 27 November 2026: 19 working days up to Thursday 24 December, then the unknown days begin.
    expect(addWorkingDays('2026-11-27', 20)).toEqual({ known: false, missingYears: [2027] });
    expect(addWorkingDays('2026-11-20', 20)).toEqual({ known: true, value: '2026-12-18' });
    expect(addWorkingDays('2026-11-10', 20)).toEqual({ known: true, value: '2026-12-08' });
    expect(workingDayOnOrAfter('2027-01-01')).toEqual({ known: false, missingYears: [2027] });
  });
});

describe('independence from the server time zone', () => {
  const original = process.env['TZ'];
  afterEach(() => {
    process.env['TZ'] = original;
  });

  it('answers the same in New York, where the package functions shift days by one', () => {
    process.env['TZ'] = 'America/New_York';
    expect(dayKind('2024-09-28')).toBe('rest');
    expect(dayKind('2024-09-29')).toBe('workday');
    expect(countWorkingDays('2024-09-27', '2024-10-12')).toEqual({ known: true, value: 7 });
  });

  it('agrees with the package itself, run in UTC, on every day it knows', async () => {
    process.env['TZ'] = 'UTC';
    // Loaded only now: the package builds its tables in the zone of the moment it is loaded.
    const { default: chineseDays } = await import('chinese-days');
    const disagreements: string[] = [];
    for (let day = `${CALENDAR_YEARS.first}-01-01`; day <= `${CALENDAR_YEARS.last}-12-24`; day = addDays(day, 1)) {
      if ((dayKind(day) === 'workday') !== chineseDays.isWorkday(day)) disagreements.push(day);
    }
    expect(disagreements).toEqual([]);
  });
});
