import { describe, expect, it } from 'vitest';
import {
  docNumberKey,
  docNumberSearchForm,
  findDocNumbers,
  foldFullWidth,
  formatDocNumber,
  normalizeDocNumber,
  parseDocNumber,
  type DocNumber,
} from '../../src/shared/doc-number.js';

const JING_2023_5: DocNumber = { prefix: '静政发', year: 2023, serial: 5 };

describe('foldFullWidth', () => {
  it.each([
    ['０１２３４５６７８９', '0123456789'],
    ['ＡＢＣＸＹＺ', 'ABCXYZ'],
    ['ａｂｃｘｙｚ', 'abcxyz'],
    ['静政发\u3000２０２３', '静政发 2023'],
    // Chinese punctuation stays as it is displayed.
    ['〔（），：；。！？［］【】', '〔（），：；。！？［］【】'],
    // Neighbours of the folded ranges are not letters or digits.
    ['＠｛｀／', '＠｛｀／'],
    ['静政发〔2023〕5号', '静政发〔2023〕5号'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(foldFullWidth(input)).toBe(expected);
  });
});

describe('parseDocNumber: every spelling of 静政发〔2023〕5号', () => {
  it.each([
    ['静政发〔2023〕5号', '〔〕 (the official form)'],
    ['静政发[2023]5号', '[] half-width'],
    ['静政发【2023】5号', '【】'],
    ['静政发(2023)5号', '() half-width'],
    ['静政发（2023）5号', '（） full-width'],
    ['静政发［2023］5号', '［］ full-width'],
    ['静政发﹝2023﹞5号', '﹝﹞ small tortoise shell'],
    ['静政发〖2023〗5号', '〖〗'],
    ['静政发〔2023)5号', 'mismatched brackets'],
    ['静政发20235号', 'no separators'],
    ['静政发2023 5号', 'space instead of brackets'],
    ['静政发〔２０２３〕５号', 'full-width digits'],
    ['静政发（２０２３）５號', 'full-width digits and 號'],
    ['静政发〔2023〕005号', 'leading zeros'],
    ['静政发2023005号', 'leading zeros, no separators'],
    ['静政发〔2023〕第5号', '第 before the serial'],
    ['静政发〔2023〕第005号', '第 and leading zeros'],
    ['静政发〔2023〕5號', '號 (traditional)'],
    ['静政发〔2023〕5', 'no 号 after a bracketed year'],
    [' 静政发 〔 2023 〕 5 号 ', 'spaces anywhere'],
    ['静 政 发〔2023〕5号', 'spaces inside the prefix'],
    ['静政发\u3000〔2023〕\u30005号', 'ideographic spaces'],
    ['静政发〔2023〕5 号', 'pdf-style space before 号'],
    ['\t静政发〔2023〕5号\n', 'tabs and newlines'],
  ])('%j (%s)', (input) => {
    expect(parseDocNumber(input)).toEqual(JING_2023_5);
  });
});

describe('parseDocNumber: other doc numbers and order numbers', () => {
  it.each<[string, DocNumber]>([
    ['静政发202312号', { prefix: '静政发', year: 2023, serial: 12 }],
    ['静政发〔2023〕120号', { prefix: '静政发', year: 2023, serial: 120 }],
    ['静政发〔1949〕1号', { prefix: '静政发', year: 1949, serial: 1 }],
    ['静政发〔2100〕1号', { prefix: '静政发', year: 2100, serial: 1 }],
    ['法〔1996〕83号', { prefix: '法', year: 1996, serial: 83 }],
    ['国办公开办函〔2021〕30号', { prefix: '国办公开办函', year: 2021, serial: 30 }],
    ['京高法〔1990〕第208号', { prefix: '京高法', year: 1990, serial: 208 }],
    ['国发［１９９９］２３号', { prefix: '国发', year: 1999, serial: 23 }],
    ['静政发〔2023〕123456号', { prefix: '静政发', year: 2023, serial: 123456 }],
    // order numbers (令号)
    ['山西省人民政府令第274号', { prefix: '山西省人民政府令', year: null, serial: 274 }],
    ['山西省人民政府令第２７４号', { prefix: '山西省人民政府令', year: null, serial: 274 }],
    ['山西省人民政府令 第 274 號', { prefix: '山西省人民政府令', year: null, serial: 274 }],
    ['山西省人民政府令274号', { prefix: '山西省人民政府令', year: null, serial: 274 }],
    ['山西省人民政府令第274', { prefix: '山西省人民政府令', year: null, serial: 274 }],
    ['中华人民共和国国务院令第306号', { prefix: '中华人民共和国国务院令', year: null, serial: 306 }],
    ['国务院令第2023号', { prefix: '国务院令', year: null, serial: 2023 }], // serial, not a year
    ['国务院令第20235号', { prefix: '国务院令', year: null, serial: 20235 }],
    ['交通运输部令2022年第19号', { prefix: '交通运输部令', year: 2022, serial: 19 }],
    ['交通运输部令 2022 年 第 19 号', { prefix: '交通运输部令', year: 2022, serial: 19 }],
    ['农业部令[2013]第2号', { prefix: '农业部令', year: 2013, serial: 2 }],
    ['北京市人民政府第14号令', { prefix: '北京市人民政府令', year: null, serial: 14 }],
    ['国务院、中央军事委员会令第22号', { prefix: '国务院、中央军事委员会令', year: null, serial: 22 }],
    ['中华人民共和国主席令第七十三号', { prefix: '中华人民共和国主席令', year: null, serial: 73 }],
    ['全国人民代表大会常务委员会委员长令第三号', { prefix: '全国人民代表大会常务委员会委员长令', year: null, serial: 3 }],
    ['国务院令第一百零五号', { prefix: '国务院令', year: null, serial: 105 }],
    ['国务院令第十号', { prefix: '国务院令', year: null, serial: 10 }],
    ['国家税务总局公告2018年第31号', { prefix: '国家税务总局公告', year: 2018, serial: 31 }],
  ])('%j', (input, expected) => {
    expect(parseDocNumber(input)).toEqual(expected);
  });
});

describe('parseDocNumber: not a doc number', () => {
  it.each([
    ['', 'empty'],
    ['   ', 'blank'],
    ['关于加强管理的通知', 'a title'],
    ['2023', 'a year'],
    ['5号', 'a serial'],
    ['〔2023〕5号', 'no prefix'],
    ['静政发', 'prefix only'],
    ['静政发〔2023〕', 'no serial'],
    ['静政发〔2023〕0号', 'serial 0'],
    ['静政发〔2023〕1234567号', 'serial of 7 digits'],
    ['静政发〔23〕5号', 'two-digit year'],
    ['静政发〔1948〕5号', 'year before 1949'],
    ['静政发〔2101〕5号', 'year after 2100'],
    ['静政发19485号', 'glued year before 1949'],
    ['静政发20235', 'glued without 号: too ambiguous'],
    ['规划20212025', 'a span of years'],
    ['京高法第208号', 'no year and not an order'],
    ['第5号', 'no prefix before 第'],
    ['令第5号', 'bare 令'],
    ['公告第5号', 'bare 公告'],
    ['静政发〔2023〕5号文', 'trailing text'],
    ['印发静政发〔2023〕5号的通知', 'embedded in a sentence'],
    ['根据静政发〔2023〕5号文件精神执行', 'embedded in a sentence'],
    ['ABC〔2023〕5号', 'no Chinese prefix'],
    ['、卫生部令第1号', 'starts with 、'],
    ['国务院令第二十十号', 'malformed Chinese numeral'],
    ['国务院令七十三号', 'Chinese numeral without 第'],
    ['静政发〔2023〕五号', 'Chinese numeral without 第'],
    ['国务院令', 'order prefix only'],
  ])('%j (%s)', (input) => {
    expect(parseDocNumber(input)).toBeNull();
  });
});

describe('formatDocNumber, docNumberKey, docNumberSearchForm', () => {
  it.each<[DocNumber, string, string, string]>([
    [JING_2023_5, '静政发〔2023〕5号', '静政发-2023-5', '静政发 2023 5'],
    [{ prefix: '静政发', year: 2023, serial: 12 }, '静政发〔2023〕12号', '静政发-2023-12', '静政发 2023 12'],
    [{ prefix: '山西省人民政府令', year: null, serial: 274 }, '山西省人民政府令第274号', '山西省人民政府令-0-274', '山西省人民政府令 274'],
    [{ prefix: '交通运输部令', year: 2022, serial: 19 }, '交通运输部令2022年第19号', '交通运输部令-2022-19', '交通运输部令 2022 19'],
    [{ prefix: '国家税务总局公告', year: 2018, serial: 31 }, '国家税务总局公告2018年第31号', '国家税务总局公告-2018-31', '国家税务总局公告 2018 31'],
  ])('%j', (n, display, key, search) => {
    expect(formatDocNumber(n)).toBe(display);
    expect(docNumberKey(n)).toBe(key);
    expect(docNumberSearchForm(n)).toBe(search);
  });

  // The search form must never glue year and serial: Meilisearch splits 202312 into 2/0/2/3/12.
  it.each([JING_2023_5, { prefix: '交通运输部令', year: 2022, serial: 19 }])('search form keeps tokens apart: %j', (n) => {
    expect(docNumberSearchForm(n)).not.toMatch(/\d{5,}/);
  });

  it.each([
    '静政发〔2023〕5号',
    '静政发202312号',
    '山西省人民政府令第274号',
    '交通运输部令2022年第19号',
    '北京市人民政府第14号令',
    '中华人民共和国主席令第七十三号',
    '农业部令[2013]第2号',
    '国家税务总局公告2018年第31号',
  ])('display form of %j parses back to the same number', (input) => {
    const n = parseDocNumber(input);
    expect(n).not.toBeNull();
    expect(parseDocNumber(formatDocNumber(n as DocNumber))).toEqual(n);
  });

  it.each([
    ['静政发[２０２３]００５號', '静政发〔2023〕5号'],
    ['北京市人民政府第14号令', '北京市人民政府令第14号'],
    ['农业部令[2013]第2号', '农业部令2013年第2号'],
    ['关于加强管理的通知', null],
  ])('normalizeDocNumber(%j) = %j', (input, expected) => {
    expect(normalizeDocNumber(input)).toBe(expected);
  });

  it('gives one key for every spelling and different keys for different numbers', () => {
    const keys = ['静政发〔2023〕5号', '静政发(2023)005號', '静政发20235号', '静政发［２０２３］第5号'].map((s) =>
      docNumberKey(parseDocNumber(s) as DocNumber),
    );
    expect(new Set(keys)).toEqual(new Set(['静政发-2023-5']));
    const others = ['静政发〔2023〕50号', '静政发〔2022〕5号', '静政办发〔2023〕5号'].map((s) => docNumberKey(parseDocNumber(s) as DocNumber));
    expect(others).not.toContain('静政发-2023-5');
  });
});

describe('findDocNumbers', () => {
  it.each<[string, string, string[]]>([
    [
      'a doc number and an order number in a sentence',
      '根据《静安区规范性文件管理办法》（静政发〔2023〕12号）和国务院令第711号的规定',
      ['静政发-2023-12', '国务院令-0-711'],
    ],
    ['pdf spacing and full-width digits', '静政发〔２０２３〕12 号', ['静政发-2023-12']],
    ['spaced order number', '《条例》（国务院令 第 711 号）', ['国务院令-0-711']],
    ['lead-in word before the prefix', '按照国办发(1985)49号执行', ['国办发-1985-49']],
    ['addressee before the prefix', '你院京高法〔2001〕271号请示收悉', ['京高法-2001-271']],
    ['date before an order number', '2023年1月1日交通部令第10号公布', ['交通部令-0-10']],
    ['order number with year', '交通运输部令2022年第19号', ['交通运输部令-2022-19']],
    ['inverted order number', '北京市人民政府第14号令发布', ['北京市人民政府令-0-14']],
    ['joint order', '国家发展改革委、建设部令第2号', ['国家发展改革委、建设部令-0-2']],
    ['repeated number listed once', '静政发〔2023〕5号。又见静政发〔2023〕5号', ['静政发-2023-5']],
    ['in order of appearance', '国务院令第711号，静政发〔2023〕5号', ['国务院令-0-711', '静政发-2023-5']],
    ['no doc number', '无文号的一段话，2023年12月。', []],
    ['empty', '', []],
  ])('%s', (_label, text, keys) => {
    expect(findDocNumbers(text).map(docNumberKey)).toEqual(keys);
  });

  it.each<[string, string[], string[]]>([
    ['县政府静政发〔2023〕5号', ['政发', '静政发'], ['静政发-2023-5']],
    ['市政府山西省人民政府令第274号', ['山西省人民政府令'], ['山西省人民政府令-0-274']],
    ['首都北京市人民政府第14号令', ['北京市人民政府令'], ['北京市人民政府令-0-14']],
  ])('known prefixes decide where the prefix starts: %j', (text, knownPrefixes, keys) => {
    expect(findDocNumbers(text, { knownPrefixes }).map(docNumberKey)).toEqual(keys);
  });
});
