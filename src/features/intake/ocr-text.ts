/**
 * Mends the confusions Tesseract's Simplified Chinese model typically makes on a 红头文件, before the
 * text becomes a body and before metadata is suggested from it (the suggestion rules stay those of a
 * text layer). Pure: text in, text out.
 *
 * What OCR does to a 公文 (seen on the tests' scans and on real ones):
 * - spaces between Han characters and around digits: 静政发 (2023] 12号, 2023 年 5 月;
 * - the hexagonal brackets of a 文号 read as [] or () in any mix, or as their full-width forms;
 * - full-width digits and Latin letters;
 * - 〇 of a year in Chinese numerals read as 0, O or o: 二0二三年;
 * - l, I, | and O inside a number read for 1 and 0: 2O23, l2号.
 */
import { foldFullWidth } from '../../shared/doc-number.js';

const HAN = '\\p{Script=Han}';
const CN_DIGIT = '〇零一二三四五六七八九十';

/** Spaces OCR puts between two characters of a Chinese line, none of which the author wrote. */
function dropSpacesInChinese(line: string): string {
  const joinable = `[${HAN}\\d，。、；：？！“”（）《》〔〕【】]`;
  const between = new RegExp(`(${joinable})[ \\t\\u3000]+(?=${joinable})`, 'gu');
  // Twice: each pass consumes the left character, so 1 2 3 needs a second pass for the middle one.
  return line.replace(between, '$1').replace(between, '$1');
}

/** Letters read for digits, only where they sit between or beside digits. */
function mendDigits(line: string): string {
  const lookalike = (c: string) => (/[lI|]/u.test(c) ? '1' : '0');
  let out = line;
  for (let pass = 0; pass < 2; pass++) {
    out = out
      .replace(/(?<=\d)[lI|Oo](?=[\d号年月日〕\]）)])/gu, lookalike)
      .replace(/(?:(?<=[〔〕\[\]（）()]\s*)|(?<=\d))[lI|Oo](?=\d)/gu, lookalike);
  }
  return out;
}

/** 二0二三年 → 二〇二三年: a Latin zero among Chinese numerals of a date is 〇. */
function mendChineseYear(line: string): string {
  const year = new RegExp(`[${CN_DIGIT}0Oo]{4}(?=年)`, 'gu');
  return line.replace(year, (digits) => (/[一二三四五六七八九]/u.test(digits) ? digits.replace(/[0Oo]/gu, '〇') : digits));
}

/**
 * The year of a 文号 in whatever brackets OCR saw (〔2023〕, [2023], (2023], （2023）) as 〔2023〕: only
 * a four-digit year followed by a number and 号, so a bracketed aside in prose is left alone.
 */
function mendDocNumberBrackets(line: string): string {
  return line.replace(/[〔\[(（［【{]\s*((?:19|20)\d{2})\s*[〕\])）］】}](?=\s*\d{1,5}\s*号)/gu, '〔$1〕');
}

const FULL_WIDTH_PUNCTUATION: Record<string, string> = { ',': '，', ':': '：', ';': '；', '!': '！', '?': '？' };

/** Half-width punctuation after a Han character is Chinese punctuation the model read narrow. */
function mendPunctuation(line: string): string {
  return line.replace(new RegExp(`(?<=${HAN})\\s*([,:;!?])\\s*`, 'gu'), (_, p: string) => FULL_WIDTH_PUNCTUATION[p] ?? p);
}

export function normalizeOcrText(text: string): string {
  return text
    .split('\n')
    .map((raw) => {
      let line = foldFullWidth(raw.replace(/\f/gu, ''));
      line = mendDigits(line);
      line = mendChineseYear(line);
      line = dropSpacesInChinese(line);
      line = mendDocNumberBrackets(line);
      line = mendPunctuation(line);
      // Brackets around a 文号's year may have been the last thing OCR got wrong; the spaces before
      // 号 go only now that the year is bracketed again.
      return dropSpacesInChinese(line).trimEnd();
    })
    .join('\n');
}
