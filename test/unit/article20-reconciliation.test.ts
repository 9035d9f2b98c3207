import { describe, expect, it } from 'vitest';
import {
  countArticle20,
  fenToYuan,
  isPendingAtYearEnd,
  reconcileArticle20,
  reconciliationResidual,
  type Article20Document,
} from '../../src/features/article20/article20.js';
import { ARTICLE20_CELLS, article20CellLabel, article20FormTables } from '../../src/features/article20/article20-form.js';

function doc(overrides: Partial<Article20Document> = {}): Article20Document {
  return { kind: 'normative', signed_on: null, published_on: '2023-03-01', effective_on: null, expires_on: null, repealed_on: null, ...overrides };
}

describe('isPendingAtYearEnd (年末尚未施行)', () => {
  it.each<[string, Partial<Article20Document>, number, boolean]>([
    ['in force', { published_on: '2023-03-01' }, 2023, false],
    ['effective next year', { published_on: '2023-12-15', effective_on: '2024-01-01' }, 2023, true],
    ['signed in December, published in January', { signed_on: '2023-12-28', published_on: '2024-01-04' }, 2023, true],
    ['signed in December, published in January: in force a year later', { signed_on: '2023-12-28', published_on: '2024-01-04' }, 2024, false],
    ['not issued yet', { signed_on: '2024-01-02', published_on: '2024-01-04' }, 2023, false],
    ['effective next year but repealed this year', { published_on: '2023-10-01', effective_on: '2024-01-01', repealed_on: '2023-12-01' }, 2023, false],
    ['effective next year, expires before', { published_on: '2023-10-01', effective_on: '2023-10-01', expires_on: '2023-12-31' }, 2023, false],
    ['draft', { signed_on: '2023-05-01', published_on: null }, 2023, false],
  ])('%s (%i)', (_label, overrides, year, expected) => {
    expect(isPendingAtYearEnd(doc(overrides), year)).toBe(expected);
  });
});

/**
 * Documents whose dates tell a possible story, as the catalog's checks allow: signed before
 * published, effective no earlier than signed, a term not ending before publication, a repeal not
 * before publication. Documents that break these are tested below as contradictions.
 */
function consistentDocuments(): Article20Document[] {
  const days = ['2021-06-30', '2021-12-31', '2022-01-01', '2022-06-30', '2022-12-30', '2022-12-31', '2023-01-01', '2023-06-30', '2023-12-31', '2024-01-01', '2024-06-30'];
  const docs: Article20Document[] = [];
  for (const signed of [null, ...days]) {
    for (const published of days) {
      if (signed !== null && published < signed) continue;
      for (const effective of [null, ...days]) {
        if (effective !== null && signed !== null && effective < signed) continue;
        for (const expires of [null, '2022-12-31', '2023-06-30', '2023-12-31']) {
          if (expires !== null && (expires < (effective ?? published) || expires < published)) continue;
          for (const repealed of [null, '2022-12-31', '2023-01-01', '2023-12-31', '2024-01-01']) {
            if (repealed !== null && repealed < published) continue;
            docs.push(doc({ signed_on: signed, published_on: published, effective_on: effective, expires_on: expires, repealed_on: repealed }));
          }
        }
      }
    }
  }
  return docs;
}

describe('reconciliation (勾稽关系)', () => {
  const docs = consistentDocuments();

  it('covers thousands of date combinations', () => {
    expect(docs.length).toBeGreaterThan(5_000);
  });

  it.each([2022, 2023, 2024])('holds for every consistent document in %i', (year) => {
    const unbalanced = docs.filter((d) => reconciliationResidual(d, year) !== 0);
    expect(unbalanced).toEqual([]);
    const r = reconcileArticle20(docs, year).normative;
    expect(r.difference).toBe(0);
    expect(r.expected_in_force).toBe(r.in_force);
    expect(r.in_force).toBe(countArticle20(docs, year).normative.in_force);
  });

  it('adds up its terms', () => {
    const r = reconcileArticle20(docs, 2023).normative;
    expect(r.in_force_previous + r.pending_previous + r.issued - r.ended - r.pending).toBe(r.expected_in_force);
    expect(r.pending_previous).toBeGreaterThan(0);
    expect(r.pending).toBeGreaterThan(0);
  });

  it.each<[string, Partial<Article20Document>, number]>([
    // Ended in 2023, issued only in 2024: never in the stock it leaves.
    ['expired before it was published', { signed_on: null, published_on: '2024-01-05', effective_on: '2023-01-01', expires_on: '2023-06-30' }, 1],
    // Issued (signed) and repealed in 2023: both counted that year, so the year still balances.
    ['repealed before it was published', { signed_on: '2023-12-01', published_on: '2024-02-01', repealed_on: '2023-12-20' }, 0],
    ['repealed before it was published, across years', { signed_on: null, published_on: '2024-02-01', repealed_on: '2023-12-20' }, 1],
  ])('gives a residual to a document whose dates contradict each other: %s', (_label, overrides, residual) => {
    expect(reconciliationResidual(doc(overrides), 2023)).toBe(residual);
  });

  it('ignores kinds that are not counted', () => {
    const law = doc({ kind: 'law', signed_on: null, published_on: '2024-02-01', repealed_on: '2023-12-20' });
    expect(reconcileArticle20([law], 2023)).toEqual(reconcileArticle20([], 2023));
  });
});

describe('section 二 form', () => {
  const zero = { issued: 0, ended: 0, ended_repealed: 0, ended_expired: 0, in_force: 0 };
  const tables = article20FormTables({
    rules: { ...zero, in_force: 19 },
    normative: { ...zero, issued: 123, in_force: 123 },
    licensing: 0,
    penalty: 0,
    enforcement: 0,
    fees_fen: 0n,
  });

  it('has the labels and figures of the seed report', () => {
    expect(tables.map((t) => [t.heading, t.columns, t.rows.map((r) => [r.label, ...r.values.map((v) => v.text)])])).toEqual([
      ['第二十条第（一）项', ['信息内容', '本年制发件数', '本年废止件数', '现行有效件数'], [['规章', '0', '0', '19'], ['行政规范性文件', '123', '0', '123']]],
      ['第二十条第（五）项', ['信息内容', '本年处理决定数量'], [['行政许可', '0']]],
      ['第二十条第（六）项', ['信息内容', '本年处理决定数量'], [['行政处罚', '0'], ['行政强制', '0']]],
      ['第二十条第（八）项', ['信息内容', '本年收费金额（单位：万元）'], [['行政事业性收费', '0.00']]],
    ]);
  });

  it('links every number to a cell that can be explained', () => {
    for (const value of tables.flatMap((t) => t.rows.flatMap((r) => r.values))) expect(ARTICLE20_CELLS).toContain(value.cell);
  });

  it('names every cell in Chinese', () => {
    for (const cell of ARTICLE20_CELLS) expect(article20CellLabel(cell)).toMatch(/[\u4e00-\u9fff]/);
    expect(article20CellLabel('normative.ended_expired')).toBe('行政规范性文件 · 本年废止（有效期届满失效）');
  });
});

describe('fenToYuan', () => {
  it.each([
    [0n, '0.00'],
    [5n, '0.05'],
    [123_456n, '1234.56'],
    [-150n, '-1.50'],
    [1_234_567_890_123_456_789n, '12345678901234567.89'],
  ])('%s fen → %s 元', (fen, text) => {
    expect(fenToYuan(fen)).toBe(text);
  });
});
