import { describe, expect, it } from 'vitest';
import {
  DECISION_COLUMNS,
  FEE_COLUMNS,
  amountCellText,
  decisionNumberKey,
  excelSerialToIsoDate,
  isBlankRow,
  mapColumns,
  parseDecisionKind,
  parseDecisionRow,
  parseFeeRow,
  parseImportDate,
} from '../../src/features/article20/article20-import.js';
import type { CellValue } from '../../src/platform/table-reader.js';

const TODAY = '2024-03-15';

describe('parseImportDate', () => {
  it.each<[CellValue, string]>([
    ['2023-05-12', '2023-05-12'],
    ['2023/5/12', '2023-05-12'],
    ['2023/05/12', '2023-05-12'],
    ['2023.5.12', '2023-05-12'],
    ['2023年5月12日', '2023-05-12'],
    ['2023 年 5 月 12 日', '2023-05-12'],
    ['２０２３年５月１２日', '2023-05-12'], // full-width digits
    ['20230512', '2023-05-12'],
    ['2023/5/12 0:00', '2023-05-12'], // Excel's CSV export of a date cell
    ['2023-05-12 14:30:00', '2023-05-12'],
    ['2023-05-12T08:00:00', '2023-05-12'],
    [45058, '2023-05-12'], // an XLSX date cell read without styles is its serial
    [45058.75, '2023-05-12'], // the time of day is dropped
    ['45058', '2023-05-12'], // a serial written into a CSV
    [20230512, '2023-05-12'], // a number cell holding yyyymmdd
    ['2024-02-29', '2024-02-29'],
    [TODAY, TODAY],
  ])('%j → %s', (value, expected) => {
    expect(parseImportDate(value, TODAY, '决定日期')).toBe(expected);
  });

  it.each<[CellValue, RegExp]>([
    ['', /不能为空/],
    [null, /不能为空/],
    ['2023-02-30', /不是真实存在的日期/],
    ['2023-13-01', /不是真实存在的日期/],
    ['2023年2月29日', /不是真实存在的日期/],
    ['20230230', /不是真实存在的日期/],
    ['12/05/2023', /无法识别/], // day-first is ambiguous: refused, not guessed
    ['昨天', /无法识别/],
    ['2023', /早于 1950 年/], // a bare year read as a serial would be 1905
    [0, /不是有效的日期/],
    [-5, /无法识别|不是有效的日期/],
    ['2024-03-16', /晚于今天/],
    [45367 + 1, /晚于今天/], // 2024-03-16
  ])('rejects %j', (value, message) => {
    expect(() => parseImportDate(value, TODAY, '决定日期')).toThrow(RangeError);
    expect(() => parseImportDate(value, TODAY, '决定日期')).toThrow(message);
  });
});

describe('excelSerialToIsoDate', () => {
  it.each([
    [1, false, '1900-01-01'],
    [59, false, '1900-02-28'],
    [61, false, '1900-03-01'], // 60 is Excel's phantom 29 February 1900
    [25569, false, '1970-01-01'],
    [43831, false, '2020-01-01'],
    [45291, false, '2023-12-31'],
    [2958465, false, '9999-12-31'],
    [1, true, '1904-01-02'],
    [43830 - 1462, true, '2019-12-31'], // the 1904 system is 1462 days behind
  ])('%d (1904: %s) → %s', (serial, date1904, expected) => {
    expect(excelSerialToIsoDate(serial, date1904)).toBe(expected);
  });

  it.each([[0], [-1], [2958466], [Number.NaN]])('rejects %d', (serial) => {
    expect(() => excelSerialToIsoDate(serial)).toThrow(RangeError);
  });
});

describe('mapColumns', () => {
  it('reads English headers', () => {
    expect(mapColumns(['kind', 'decision_number', 'decided_on', 'organ'], DECISION_COLUMNS)).toEqual({
      columns: { kind: 0, decision_number: 1, decided_on: 2, organ: 3 },
    });
  });

  it('reads Chinese headers in any order, with a BOM, spaces, asterisks and extra columns', () => {
    expect(mapColumns(['\uFEFF实施机关', '备注', '* 类别', '决定日期 ', '决定书文号'], DECISION_COLUMNS)).toEqual({
      columns: { kind: 2, decision_number: 4, decided_on: 3, organ: 0 },
    });
  });

  it('treats half- and full-width parentheses alike and the receipt column as optional', () => {
    expect(mapColumns(['实施机关', '收费项目', '金额(元)', '收费日期'], FEE_COLUMNS)).toEqual({
      columns: { organ: 0, item: 1, amount_yuan: 2, collected_on: 3, receipt_number: undefined },
    });
    expect(mapColumns(['ORGAN', 'Item', 'amount_yuan', 'collected_on', '票据号'], FEE_COLUMNS)).toMatchObject({
      columns: { receipt_number: 4 },
    });
  });

  it('names every missing and repeated column', () => {
    const result = mapColumns(['类别', 'kind', '实施机关'], DECISION_COLUMNS);
    expect(result).toHaveProperty('error');
    const error = (result as { error: string }).error;
    expect(error).toContain('缺少列：决定书文号（decision_number）、决定日期（decided_on）');
    expect(error).toContain('列重复：类别');
  });
});

describe('parseDecisionKind', () => {
  it.each([
    ['行政许可', 'licensing'],
    ['行政处罚', 'penalty'],
    [' 行政强制 ', 'enforcement'],
    ['licensing', 'licensing'],
    ['Penalty', 'penalty'],
    ['ENFORCEMENT', 'enforcement'],
  ])('%j → %s', (text, kind) => {
    expect(parseDecisionKind(text)).toBe(kind);
  });

  it.each([[''], ['行政确认'], ['处罚决定'], ['fine']])('rejects %j', (text) => {
    expect(() => parseDecisionKind(text)).toThrow(RangeError);
  });
});

describe('decisionNumberKey', () => {
  it('is the same for every spelling of one 文号', () => {
    const keys = ['静市监罚〔2023〕5号', '静市监罚[2023]5号', '静市监罚（2023）005号', '静市监罚【２０２３】５号', '静市监罚 (2023) 5 号'].map(decisionNumberKey);
    expect(new Set(keys).size).toBe(1);
  });

  it('folds width, spaces, brackets and case of other numbers', () => {
    expect(decisionNumberKey('jy1 1409 280012345')).toBe(decisionNumberKey('JY11409280012345'));
    expect(decisionNumberKey('晋0926市监罚(2023)12号')).toBe(decisionNumberKey('晋０９２６市监罚〔2023〕12号'));
  });

  it('keeps different numbers apart', () => {
    expect(decisionNumberKey('静市监罚〔2023〕5号')).not.toBe(decisionNumberKey('静市监罚〔2023〕6号'));
    expect(decisionNumberKey('静市监罚〔2023〕5号')).not.toBe(decisionNumberKey('静市监罚〔2022〕5号'));
  });
});

describe('amountCellText', () => {
  it.each<[CellValue, string]>([
    [1234.56, '1234.56'],
    [0.1 + 0.2, '0.30'], // formula noise, not a sub-fen amount
    [100, '100.00'],
    [0.001, '0.001'], // a real third decimal is kept, for yuanToFen to refuse
    ['1,234.5', '1,234.5'],
    [null, ''],
  ])('%j → %j', (value, text) => {
    expect(amountCellText(value)).toBe(text);
  });
});

describe('rows', () => {
  const decisionColumns = { kind: 0, decision_number: 1, decided_on: 2, organ: 3 };
  const feeColumns = { organ: 0, item: 1, amount_yuan: 2, collected_on: 3, receipt_number: 4 };

  it('parses a decision row', () => {
    expect(parseDecisionRow(['行政处罚', ' 静市监罚〔2023〕5号 ', '2023/5/12', ' 静乐县市场监督管理局 '], decisionColumns, TODAY)).toEqual({
      ok: true,
      value: {
        kind: 'penalty',
        decision_number: '静市监罚〔2023〕5号',
        decision_number_key: decisionNumberKey('静市监罚〔2023〕5号'),
        decided_on: '2023-05-12',
        organ: '静乐县市场监督管理局',
      },
    });
  });

  it('reports every problem of a row in one message', () => {
    const result = parseDecisionRow(['行政确认', '', '2023-02-30', ''], decisionColumns, TODAY);
    expect(result.ok).toBe(false);
    const message = (result as { message: string }).message;
    for (const part of ['类别“行政确认”', '决定书文号不能为空', '不是真实存在的日期', '实施机关不能为空']) expect(message).toContain(part);
  });

  it('parses a fee row exactly, in fen', () => {
    expect(parseFeeRow(['静乐县自然资源局', '不动产登记费', '0.29', '2023年7月1日', ''], feeColumns, TODAY)).toEqual({
      ok: true,
      value: { organ: '静乐县自然资源局', item: '不动产登记费', amount_fen: 29n, collected_on: '2023-07-01', receipt_number: null },
    });
    expect(parseFeeRow(['机关', '工本费', 80, 45108, 'NO.0001'], feeColumns, TODAY)).toMatchObject({
      ok: true,
      value: { amount_fen: 8000n, collected_on: '2023-07-01', receipt_number: 'NO.0001' },
    });
  });

  it('refuses an amount finer than a fen', () => {
    expect(parseFeeRow(['机关', '工本费', '1.234', '2023-07-01', ''], feeColumns, TODAY)).toMatchObject({ ok: false, message: expect.stringContaining('两位小数') });
  });

  it('knows a blank row', () => {
    expect(isBlankRow(['', null, '  '])).toBe(true);
    expect(isBlankRow(['', '0'])).toBe(false);
  });
});
