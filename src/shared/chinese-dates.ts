/**
 * Dates as Chinese documents print them: 2023年5月12日, 二〇二三年五月十二日 (the 成文日期 of a
 * 公文 is written this way), 2023-05-12, 2023.5.12, 2023/5/12, and in catalogs 20230512.
 */
import { addDays, isValidIsoDate, type IsoDate } from './dates.js';

const CN_DIGIT: Record<string, number> = {
  〇: 0, '○': 0, 零: 0, O: 0, 'Ｏ': 0, o: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};
const CN_YEAR_DIGIT = '〇○零OＯo一二三四五六七八九';
const CN_SMALL = '一二三四五六七八九十';

/** 一 … 三十一; null for anything else. */
function smallNumber(s: string): number | null {
  if (/^\d{1,2}$/.test(s)) return Number(s);
  if (s.length === 1 && s !== '十') return CN_DIGIT[s] || null;
  const m = /^([二三])?(十)?([一二三四五六七八九])?$/u.exec(s);
  if (!m || s === '') return null;
  const [, tens, ten, ones] = m;
  if (tens && !ten) return null;
  const value = (ten ? (tens ? CN_DIGIT[tens]! : 1) * 10 : 0) + (ones ? CN_DIGIT[ones]! : 0);
  return value > 0 ? value : null;
}

function yearNumber(s: string): number | null {
  if (/^\d{4}$/.test(s)) return Number(s);
  if ([...s].length !== 4) return null;
  let n = 0;
  for (const c of s) {
    const d = CN_DIGIT[c];
    if (d === undefined) return null;
    n = n * 10 + d;
  }
  return n;
}

function toIso(y: number | null, m: number | null, d: number | null): IsoDate | null {
  if (y === null || m === null || d === null || y < 1900 || y > 2200) return null;
  const iso = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return isValidIsoDate(iso) ? iso : null;
}

// Digits may arrive full-width; callers fold them (foldFullWidth) first.
const S = '[ \\t\\u3000]*';
const ARABIC = `(?<!\\d)(\\d{4})${S}年${S}(\\d{1,2})${S}月${S}(\\d{1,2})${S}日`;
const CHINESE = `([${CN_YEAR_DIGIT}]{4})${S}年${S}([${CN_SMALL}]{1,3})${S}月${S}([${CN_SMALL}]{1,3})${S}日`;
const NUMERIC = '(?<![\\d.])(\\d{4})(?<separator>[-./])(\\d{1,2})\\k<separator>(\\d{1,2})(?![\\d.])';
const DATE = new RegExp(`${ARABIC}|${CHINESE}|${NUMERIC}`, 'gu');

export interface FoundDate {
  date: IsoDate;
  index: number;
  length: number;
}

function fromMatch(m: RegExpExecArray): IsoDate | null {
  if (m[1] !== undefined) return toIso(Number(m[1]), Number(m[2]), Number(m[3]));
  if (m[4] !== undefined) return toIso(yearNumber(m[4]), smallNumber(m[5]!), smallNumber(m[6]!));
  return toIso(Number(m[7]), Number(m[9]), Number(m[10]));
}

/** Every real date written in the text, in order. */
export function findDates(text: string): FoundDate[] {
  const found: FoundDate[] = [];
  for (const m of text.matchAll(DATE)) {
    const date = fromMatch(m);
    if (date !== null) found.push({ date, index: m.index, length: m[0].length });
  }
  return found;
}

/** The date that the whole (trimmed) text spells, in any of the forms above or as 20230512. */
export function parseDateText(text: string): IsoDate | null {
  const s = text.trim();
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (compact) return toIso(Number(compact[1]), Number(compact[2]), Number(compact[3]));
  const found = findDates(s);
  return found.length === 1 && found[0]!.index === 0 && found[0]!.length === s.length ? found[0]!.date : null;
}

/** `date` plus whole years and months, minus one day: the last day of a term that starts on `date`. */
export function termEnd(date: IsoDate, years: number, months = 0): IsoDate | null {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + years * 12 + months;
  const ty = Math.floor(total / 12);
  const tm = (total % 12) + 1;
  // The same day-of-month in the target month, or its last day (a term from 29 Feb, or the 31st).
  let day = d;
  while (day > 28 && toIso(ty, tm, day) === null) day--;
  const start = toIso(ty, tm, day);
  return start === null ? null : addDays(start, -1);
}
