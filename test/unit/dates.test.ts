import { describe, expect, it } from 'vitest';
import { addDays, addMonths, daysBetween, isValidIsoDate, minDate, todayIn, yearEnd, yearOf, yearStart } from '../../src/shared/dates.js';

describe('isValidIsoDate', () => {
  it.each([
    ['2023-01-01', true],
    ['2023-12-31', true],
    ['2024-02-29', true], // leap year
    ['2000-02-29', true], // divisible by 400
    ['2023-02-28', true],
    ['0001-01-01', true],
    ['2023-02-29', false], // not a leap year
    ['1900-02-29', false], // divisible by 100, not by 400
    ['2023-02-30', false],
    ['2023-04-31', false],
    ['2023-13-01', false],
    ['2023-00-10', false],
    ['2023-01-00', false],
    ['2023-01-32', false],
    ['0000-01-01', false],
    ['2023-1-5', false],
    ['2023/01/05', false],
    ['20230105', false],
    ['2023-01-05T00:00:00Z', false],
    [' 2023-01-05', false],
    ['２０２３-01-05', false],
    ['', false],
  ])('%j → %s', (s, expected) => {
    expect(isValidIsoDate(s)).toBe(expected);
  });
});

describe('addDays', () => {
  it.each([
    ['2023-12-31', 1, '2024-01-01'],
    ['2024-01-01', -1, '2023-12-31'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2024-02-29', 1, '2024-03-01'],
    ['2023-02-28', 1, '2023-03-01'],
    ['2024-03-01', -1, '2024-02-29'],
    ['1900-02-28', 1, '1900-03-01'],
    ['2000-02-28', 1, '2000-02-29'],
    ['2023-01-31', 30, '2023-03-02'],
    ['2023-01-01', 365, '2024-01-01'],
    ['2024-01-01', 366, '2025-01-01'],
    ['2023-03-25', 1, '2023-03-26'], // European DST switch: must not depend on local time
    ['2023-10-29', 1, '2023-10-30'],
    ['2023-06-15', 0, '2023-06-15'],
    ['0050-06-15', 1, '0050-06-16'], // Date.UTC would read year 50 as 1950
  ])('%s %d → %s', (d, n, expected) => {
    expect(addDays(d, n)).toBe(expected);
  });

  it.each([
    ['2023-02-30', 1],
    ['not a date', 1],
    ['2023-01-01', 1.5],
    ['2023-01-01', Number.NaN],
    ['9999-12-31', 1],
  ])('rejects %j %d', (d, n) => {
    expect(() => addDays(d, n)).toThrow(RangeError);
  });
});

describe('daysBetween', () => {
  it.each([
    ['2023-01-01', '2023-12-31', 364],
    ['2024-01-01', '2024-12-31', 365],
    ['2023-03-01', '2023-02-28', -1],
    ['2024-03-01', '2024-02-28', -2],
  ])('%s → %s = %d', (a, b, expected) => {
    expect(daysBetween(a, b)).toBe(expected);
  });
});

describe('year helpers', () => {
  it.each([
    ['2023-12-31', 2023],
    ['2024-01-01', 2024],
    ['0999-05-05', 999],
  ])('yearOf(%s) = %d', (d, expected) => {
    expect(yearOf(d)).toBe(expected);
  });

  it.each([
    [2023, '2023-01-01', '2023-12-31'],
    [999, '0999-01-01', '0999-12-31'],
  ])('year %d spans %s – %s', (y, start, end) => {
    expect(yearStart(y)).toBe(start);
    expect(yearEnd(y)).toBe(end);
  });

  it.each([0, 10000, 2023.5, Number.NaN])('rejects year %s', (y) => {
    expect(() => yearStart(y)).toThrow(RangeError);
    expect(() => yearEnd(y)).toThrow(RangeError);
  });

  it('yearOf rejects a malformed day', () => {
    expect(() => yearOf('2023-02-30')).toThrow(RangeError);
  });
});

describe('minDate', () => {
  it.each([
    [null, null, null],
    ['2023-05-01', null, '2023-05-01'],
    [null, '2023-05-01', '2023-05-01'],
    ['2023-05-01', '2023-04-30', '2023-04-30'],
    ['2023-04-30', '2023-05-01', '2023-04-30'],
    ['2022-12-31', '2023-01-01', '2022-12-31'],
    ['2023-05-01', '2023-05-01', '2023-05-01'],
  ])('min(%s, %s) = %s', (a, b, expected) => {
    expect(minDate(a, b)).toBe(expected);
  });
});

describe('todayIn', () => {
  it.each([
    ['Asia/Shanghai', '2023-12-31T15:59:59.999Z', '2023-12-31'],
    ['Asia/Shanghai', '2023-12-31T16:00:00.000Z', '2024-01-01'], // midnight in Beijing, still 31 Dec in UTC
    ['UTC', '2023-12-31T16:00:00.000Z', '2023-12-31'],
    ['America/New_York', '2024-01-01T04:59:59Z', '2023-12-31'],
    ['America/New_York', '2024-01-01T05:00:00Z', '2024-01-01'],
    ['Asia/Shanghai', '2024-02-28T16:00:00Z', '2024-02-29'],
  ])('%s at %s is %s', (zone, instant, expected) => {
    expect(todayIn(zone, new Date(instant))).toBe(expected);
  });

  it('rejects an unknown time zone', () => {
    expect(() => todayIn('Mars/Olympus_Mons', new Date('2023-01-01T00:00:00Z'))).toThrow(RangeError);
  });

  it('rejects an invalid instant', () => {
    expect(() => todayIn('Asia/Shanghai', new Date('nope'))).toThrow(RangeError);
  });
});

describe('addMonths', () => {
  it.each([
    ['2026-11-29', 6, '2027-05-29'],
    ['2026-08-31', 6, '2027-02-28'],
    ['2027-08-31', 6, '2028-02-29'],
    ['2026-12-31', 2, '2027-02-28'],
    ['2026-01-31', 1, '2026-02-28'],
    ['2026-05-15', -6, '2025-11-15'],
    ['2026-11-29', 12, '2027-11-29'],
    ['2026-03-31', -1, '2026-02-28'],
  ])('%s + %i months = %s', (day, n, expected) => {
    expect(addMonths(day, n)).toBe(expected);
  });

  it.each([
    ['2026-02-30', 1],
    ['2026-01-01', 1.5],
    ['9999-12-01', 1],
  ])('refuses %s + %s', (day, n) => {
    expect(() => addMonths(day, n)).toThrow(RangeError);
  });
});
