import { describe, expect, it } from 'vitest';
import {
  ARTICLE20_KINDS,
  classifyForArticle20,
  countArticle20,
  fenToWanYuan,
  yuanToFen,
  type Article20Classification,
  type Article20Document,
} from '../../src/features/article20/article20.js';

function doc(overrides: Partial<Article20Document> = {}): Article20Document {
  return {
    kind: 'normative',
    signed_on: null,
    published_on: '2023-03-01',
    effective_on: null,
    expires_on: null,
    repealed_on: null,
    ...overrides,
  };
}

type Case = [label: string, overrides: Partial<Article20Document>, year: number, expected: Article20Classification];

describe('classifyForArticle20', () => {
  it.each<Case>([
    ['issued this year, in force', { signed_on: '2023-02-20' }, 2023, { issued: true, ended: null, inForce: true }],
    ['issued last year, in force', { signed_on: '2022-05-01', published_on: '2022-05-10' }, 2023, { issued: false, ended: null, inForce: true }],
    ['no signed_on: the publication year decides', { published_on: '2023-12-31' }, 2023, { issued: true, ended: null, inForce: true }],
    ['no signed_on, published next year', { published_on: '2024-01-01' }, 2023, { issued: false, ended: null, inForce: false }],
    // signed in one year, published in the next
    ['signed Dec, published Jan: issued in the signing year', { signed_on: '2022-12-28', published_on: '2023-01-05' }, 2022, { issued: true, ended: null, inForce: false }],
    ['signed Dec, published Jan: not issued in the publication year', { signed_on: '2022-12-28', published_on: '2023-01-05' }, 2023, { issued: false, ended: null, inForce: true }],
    // not yet effective on the report date
    ['published this year, effective next year', { published_on: '2023-12-15', effective_on: '2024-01-01' }, 2023, { issued: true, ended: null, inForce: false }],
    ['effective on 31 Dec counts as in force', { published_on: '2023-12-15', effective_on: '2023-12-31' }, 2023, { issued: true, ended: null, inForce: true }],
    // repeal on the year boundary
    ['repealed on 31 Dec: ended this year, not in force', { published_on: '2021-03-01', repealed_on: '2023-12-31' }, 2023, { issued: false, ended: 'repealed', inForce: false }],
    ['repealed on 1 Jan: ended that year', { published_on: '2021-03-01', repealed_on: '2023-01-01' }, 2023, { issued: false, ended: 'repealed', inForce: false }],
    ['repealed 1 Jan next year: still in force on 31 Dec', { published_on: '2021-03-01', repealed_on: '2024-01-01' }, 2023, { issued: false, ended: null, inForce: true }],
    ['repealed last year: neither ended nor in force', { published_on: '2021-03-01', repealed_on: '2022-12-31' }, 2023, { issued: false, ended: null, inForce: false }],
    // expiry on the year boundary: validity ends the day after expires_on
    ['expires 31 Dec: in force on 31 Dec, not ended this year', { published_on: '2021-03-01', expires_on: '2023-12-31' }, 2023, { issued: false, ended: null, inForce: true }],
    ['expires 31 Dec: ended the next year', { published_on: '2021-03-01', expires_on: '2023-12-31' }, 2024, { issued: false, ended: 'expired', inForce: false }],
    ['expires 30 Dec: ended this year', { published_on: '2021-03-01', expires_on: '2023-12-30' }, 2023, { issued: false, ended: 'expired', inForce: false }],
    ['expired 31 Dec last year: ended this year on 1 Jan', { published_on: '2021-03-01', expires_on: '2022-12-31' }, 2023, { issued: false, ended: 'expired', inForce: false }],
    // issued and ended in the same year
    ['issued and repealed in one year', { signed_on: '2023-02-01', published_on: '2023-02-03', repealed_on: '2023-09-01' }, 2023, { issued: true, ended: 'repealed', inForce: false }],
    ['issued and expired in one year', { signed_on: '2023-02-01', published_on: '2023-02-03', expires_on: '2023-08-31' }, 2023, { issued: true, ended: 'expired', inForce: false }],
    // repealed after it had already expired: ended once, as expired, in the expiry year
    ['expired then repealed: the expiry year', { published_on: '2020-01-01', expires_on: '2022-06-30', repealed_on: '2023-03-01' }, 2022, { issued: false, ended: 'expired', inForce: false }],
    ['expired then repealed: the repeal year', { published_on: '2020-01-01', expires_on: '2022-06-30', repealed_on: '2023-03-01' }, 2023, { issued: false, ended: null, inForce: false }],
    ['repealed the day after its last valid day: repeal', { published_on: '2020-01-01', expires_on: '2023-06-30', repealed_on: '2023-07-01' }, 2023, { issued: false, ended: 'repealed', inForce: false }],
    ['repealed before its term ran out', { published_on: '2020-01-01', expires_on: '2025-12-31', repealed_on: '2023-07-01' }, 2023, { issued: false, ended: 'repealed', inForce: false }],
    ['repealed before its term ran out: no expiry later', { published_on: '2020-01-01', expires_on: '2025-12-31', repealed_on: '2023-07-01' }, 2026, { issued: false, ended: null, inForce: false }],
    // leap days
    ['expires 28 Feb 2024: ends on the leap day', { published_on: '2020-01-01', expires_on: '2024-02-28' }, 2024, { issued: false, ended: 'expired', inForce: false }],
    ['signed on a leap day', { signed_on: '2024-02-29', published_on: '2024-03-01' }, 2024, { issued: true, ended: null, inForce: true }],
    // drafts never count
    ['draft signed this year', { signed_on: '2023-04-01', published_on: null }, 2023, { issued: false, ended: null, inForce: false }],
    ['draft with a repeal date', { signed_on: '2022-04-01', published_on: null, repealed_on: '2023-05-01' }, 2023, { issued: false, ended: null, inForce: false }],
    ['draft with an expiry', { published_on: null, effective_on: '2022-01-01', expires_on: '2023-05-01' }, 2023, { issued: false, ended: null, inForce: false }],
  ])('%s (%i)', (_label, overrides, year, expected) => {
    expect(classifyForArticle20(doc(overrides), year)).toEqual(expected);
  });
});

describe('countArticle20', () => {
  const docs: Article20Document[] = [
    // rules
    doc({ kind: 'rule', signed_on: '2023-05-01', published_on: '2023-05-10' }), // issued, in force
    doc({ kind: 'rule', published_on: '2019-01-01', repealed_on: '2023-12-31' }), // ended (repealed)
    doc({ kind: 'rule', published_on: '2019-01-01' }), // in force
    // normative documents
    doc({ signed_on: '2023-01-10', published_on: '2023-01-12' }), // issued, in force
    doc({ signed_on: '2023-02-10', published_on: '2023-02-12', repealed_on: '2023-10-01' }), // issued, ended (repealed)
    doc({ published_on: '2021-06-01', expires_on: '2023-05-31' }), // ended (expired)
    doc({ published_on: '2021-06-01', expires_on: '2022-12-31' }), // ended (expired, on 1 Jan)
    doc({ published_on: '2021-06-01', expires_on: '2023-12-31' }), // in force, ends next year
    doc({ published_on: '2020-01-01', expires_on: '2022-06-30', repealed_on: '2023-03-01' }), // ended last year: nothing
    doc({ signed_on: '2023-12-20', published_on: '2023-12-25', effective_on: '2024-01-01' }), // issued, not in force
    doc({ signed_on: '2023-12-28', published_on: '2024-01-04' }), // issued in 2023
    doc({ signed_on: '2023-06-01', published_on: null }), // draft: nothing
    // other kinds are cataloged, never counted
    doc({ kind: 'law', signed_on: '2023-03-01', published_on: '2023-03-01' }),
    doc({ kind: 'administrative_regulation', published_on: '2020-01-01', repealed_on: '2023-04-01' }),
    doc({ kind: 'local_regulation', published_on: '2020-01-01', expires_on: '2023-04-01' }),
    doc({ kind: 'other', published_on: '2020-01-01' }),
  ];

  it.each([
    ['rule', { issued: 1, ended: 1, ended_repealed: 1, ended_expired: 0, in_force: 2 }],
    ['normative', { issued: 4, ended: 3, ended_repealed: 1, ended_expired: 2, in_force: 2 }],
  ] as const)('%s in 2023', (kind, expected) => {
    expect(countArticle20(docs, 2023)[kind]).toEqual(expected);
  });

  it('returns exactly the two counted kinds', () => {
    expect(Object.keys(countArticle20(docs, 2023)).sort()).toEqual([...ARTICLE20_KINDS].sort());
  });

  it.each([
    [2022, 'normative', { issued: 0, ended: 1, ended_repealed: 0, ended_expired: 1, in_force: 3 }],
    [2024, 'normative', { issued: 0, ended: 1, ended_repealed: 0, ended_expired: 1, in_force: 3 }],
  ] as const)('year %i, %s', (year, kind, expected) => {
    expect(countArticle20(docs, year)[kind]).toEqual(expected);
  });

  it('counts nothing for an empty list', () => {
    const zero = { issued: 0, ended: 0, ended_repealed: 0, ended_expired: 0, in_force: 0 };
    expect(countArticle20([], 2023)).toEqual({ rule: zero, normative: zero });
  });
});

describe('fenToWanYuan (1 万元 = 1,000,000 分, 2 decimals, half up)', () => {
  it.each([
    [0n, '0.00'],
    [4_999n, '0.00'],
    [5_000n, '0.01'], // exactly half a cent of 万元 rounds up
    [10_000n, '0.01'],
    [14_999n, '0.01'],
    [15_000n, '0.02'],
    [1_000_000n, '1.00'],
    [1_004_999n, '1.00'],
    [1_005_000n, '1.01'],
    [995_000n, '1.00'], // rounding carries into the integer part
    [99_995_000n, '100.00'],
    [123_456_789n, '123.46'],
    [100_000_000_000n, '100000.00'],
    [123_456_789_012_345_678_901n, '123456789012345.68'], // beyond float precision
    [-4_999n, '0.00'], // no negative zero
    [-5_000n, '-0.01'], // half away from zero
    [-123_456_789n, '-123.46'],
  ])('%s fen → %s', (fen, expected) => {
    expect(fenToWanYuan(fen)).toBe(expected);
  });
});

describe('yuanToFen', () => {
  it.each([
    ['0', 0n],
    ['0.1', 10n],
    ['0.29', 29n], // 0.29 * 100 is 28.999999999999996 in floating point
    ['1.01', 101n],
    ['1234.5', 123_450n],
    ['1234.56', 123_456n],
    ['1,234.56', 123_456n],
    ['12,345,678.9', 1_234_567_890n],
    ['  88  ', 8_800n],
    ['１２３.４', 12_340n], // full-width digits from pdftotext or IMEs
    ['１２３', 12_300n],
    ['007', 700n],
    ['-1.5', -150n],
    ['+2', 200n],
    ['12345678901234567.89', 1_234_567_890_123_456_789n],
  ])('%j 元 → %s fen', (text, expected) => {
    expect(yuanToFen(text)).toBe(expected);
  });

  it.each([
    ['', /不能为空/],
    ['   ', /不能为空/],
    ['1.234', /两位小数/],
    ['0.001', /两位小数/],
    ['abc', /格式不正确/],
    ['1e3', /格式不正确/],
    ['12.', /格式不正确/],
    ['.5', /格式不正确/],
    ['1,23.4', /格式不正确/],
    ['1,2345', /格式不正确/],
    ['¥12', /格式不正确/],
    ['12元', /格式不正确/],
    ['1 234', /格式不正确/],
    ['NaN', /格式不正确/],
    ['--1', /格式不正确/],
  ])('rejects %j', (text, message) => {
    expect(() => yuanToFen(text)).toThrow(RangeError);
    expect(() => yuanToFen(text)).toThrow(message);
  });
});
