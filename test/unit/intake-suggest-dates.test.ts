import { describe, expect, it } from 'vitest';
import { findDates, parseDateText, termEnd } from '../../src/shared/chinese-dates.js';

describe('parseDateText: every form a Chinese document or catalog writes a date in', () => {
  it.each([
    ['2023年5月12日', '2023-05-12'],
    ['2023 年 5 月 12 日', '2023-05-12'],
    ['2023年05月02日', '2023-05-02'],
    ['二〇二三年五月十二日', '2023-05-12'],
    ['二○二三年十二月三十一日', '2023-12-31'],
    ['二〇二〇年二月二十九日', '2020-02-29'],
    ['一九九九年十月一日', '1999-10-01'],
    ['二〇二三年十月十日', '2023-10-10'],
    ['2023-05-12', '2023-05-12'],
    ['2023.5.12', '2023-05-12'],
    ['2023/5/12', '2023-05-12'],
    ['20230512', '2023-05-12'],
    ['  2023-5-1 ', '2023-05-01'],
  ])('%s → %s', (text, iso) => {
    expect(parseDateText(text)).toBe(iso);
  });

  it.each([
    ['2023年2月30日'],
    ['二〇二一年二月二十九日'],
    ['2023-13-01'],
    ['2023.5'],
    ['2023年5月'],
    ['20231301'],
    ['二〇二三年十三月一日'],
    ['二〇二三年五月三十二日'],
    ['二〇二三年五月十十日'],
    ['2023年5月12日施行'],
    ['1.2.3.4'],
    [''],
  ])('%s is no date', (text) => {
    expect(parseDateText(text)).toBeNull();
  });
});

describe('findDates', () => {
  it('finds each date with its position, and not a version number or a long digit run', () => {
    const text = '本办法自2023年6月1日起施行，二〇二三年五月十二日印发。版本 1.2023.5.12.3 与 12023-05-12 不是日期。';
    const found = findDates(text);
    expect(found.map((d) => d.date)).toEqual(['2023-06-01', '2023-05-12']);
    expect(text.slice(found[0]!.index, found[0]!.index + found[0]!.length)).toBe('2023年6月1日');
  });
});

describe('termEnd: the last day of a term of validity', () => {
  it.each([
    ['2023-06-01', 5, 0, '2028-05-31'],
    ['2023-01-01', 2, 0, '2024-12-31'],
    ['2024-02-29', 1, 0, '2025-02-27'],
    ['2023-01-31', 0, 1, '2023-02-27'],
    ['2023-03-15', 0, 6, '2023-09-14'],
  ])('%s + %i years %i months', (start, years, months, end) => {
    expect(termEnd(start, years, months)).toBe(end);
  });
});
