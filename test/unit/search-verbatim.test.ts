import { describe, expect, it } from 'vitest';
import { parseDocNumberSeries, parseOrderSerial, shortensOrderPrefix } from '../../src/shared/doc-number.js';
import { baseFilters, buildMeiliRequest, orderVerbatim, recordRank, type VerbatimHit } from '../../src/features/search/search-query.js';
import { normalizeFragment, readQuoted } from '../../src/features/search/search-text.js';

describe('normalizeFragment: a paste and the stored text compare alike', () => {
  it.each([
    ['当自作出决定\n之日起十日内', '当自作出决定之日起十日内'],
    ['规定，有下列情形之一的，由城市管', '规定有下列情形之一的由城市管'],
    ['规定,有下列情形之一的 由城市管', '规定有下列情形之一的由城市管'],
    ['２０２３年第１２３４５号', '2023年第12345号'],
    ['《中华人民共和国残疾人保障法》', '中华人民共和国残疾人保障法'],
    ['ＡＢＣ Def', 'abcdef'],
    ['  ，。！', ''],
  ])('%j → %j', (input, expected) => {
    expect(normalizeFragment(input)).toBe(expected);
  });
});

describe('readQuoted', () => {
  it.each([
    ['"当自作出决定"', { text: '当自作出决定', quoted: true }],
    ['“当自作出决定”', { text: '当自作出决定', quoted: true }],
    ['  “当自，作出”  ', { text: '当自，作出', quoted: true }],
    ['当自作出决定', { text: '当自作出决定', quoted: false }],
    ['"当自 作出', { text: '"当自 作出', quoted: false }],
  ])('%j', (input, expected) => {
    expect(readQuoted(input)).toEqual(expected);
  });
});

describe('recordRank and orderVerbatim', () => {
  it('in force, not yet effective, expired, repealed, draft, then interpretations', () => {
    const ranks = (['in_force', 'not_yet_effective', 'expired', 'repealed', 'draft'] as const).map((s) => recordRank('document', s));
    expect(ranks).toEqual([0, 1, 2, 3, 4]);
    expect(recordRank('interpretation', null)).toBe(5);
  });

  const hit = (group: string, dates: Partial<VerbatimHit> = {}): VerbatimHit => ({
    type: group.startsWith('i') ? 'interpretation' : 'document',
    ref_id: Number(group.slice(1)),
    group,
    published_on: 20200101,
    effective_on: 20200101,
    expires_on: null,
    repealed_on: null,
    ...dates,
  });
  const hits = [
    hit('i1', { effective_on: null }),
    hit('d2', { repealed_on: 20210101 }),
    hit('d3', { expires_on: 20220101 }),
    hit('d4', { published_on: 20260101, effective_on: 20270101 }),
    hit('d5'),
    hit('d6', { published_on: 20190101 }),
  ];
  const groups = (ordered: VerbatimHit[]) => ordered.map((h) => h.group);

  it('titles first, then status order, a document before interpretations, the newest first among equals', () => {
    expect(groups(orderVerbatim(hits, new Set(), '2026-06-15', false))).toEqual(['d5', 'd6', 'd4', 'd3', 'd2', 'i1']);
    expect(groups(orderVerbatim(hits, new Set(['d2', 'i1']), '2026-06-15', false))).toEqual(['d2', 'i1', 'd5', 'd6', 'd4', 'd3']);
  });

  it('by date when sorted by date, the status of the day counts', () => {
    expect(groups(orderVerbatim(hits, new Set(['d2']), '2026-06-15', true))[0]).toBe('d4');
    // On 2027-02-01, d4 is in force too and newer than d5.
    expect(groups(orderVerbatim(hits, new Set(), '2027-02-01', false)).slice(0, 2)).toEqual(['d4', 'd5']);
  });
});

describe('文号 fields', () => {
  it.each([
    ['示政发〔2023〕', '示政发-2023'],
    ['示政发[2023]', '示政发-2023'],
    ['示政发（2023）', '示政发-2023'],
    ['示政发〔2023〕5号', null],
    ['管理办法', null],
    ['2023', null],
    ['依据２０２３年第１２３４', null],
  ])('parseDocNumberSeries(%j) = %j', (input, expected) => {
    expect(parseDocNumberSeries(input)).toBe(expected);
  });

  it.each([
    ['示例市人民政府令第41号', { key: '令-0-41', typedPrefix: '示例市人民政府令' }],
    ['市政府令第41号', { key: '令-0-41', typedPrefix: '市政府令' }],
    ['令第41号', { key: '令-0-41', typedPrefix: '令' }],
    ['令 第４１号', { key: '令-0-41', typedPrefix: '令' }],
    ['示政发〔2023〕5号', null],
    ['第41号', null],
  ])('parseOrderSerial(%j)', (input, expected) => {
    expect(parseOrderSerial(input)).toEqual(expected);
  });

  it.each([
    ['市政府令', '示例市人民政府令', true],
    ['令', '示例市人民政府令', true],
    ['示例市人民政府令', '示例市人民政府令', true],
    ['县政府令', '示例市人民政府令', false],
    ['政府市令', '示例市人民政府令', false],
    ['市政府', '示例市人民政府', false],
  ])('shortensOrderPrefix(%j, %j) = %s', (typed, full, expected) => {
    expect(shortensOrderPrefix(typed, full)).toBe(expected);
  });
});

describe('filters and requests of the advanced search', () => {
  it('type and date ranges (inclusive, yyyymmdd)', () => {
    expect(
      baseFilters(
        { type: 'document', signed_from: '2023-01-01', signed_to: '2023-12-31', published_to: '2024-06-30' },
        { publicOnly: false, today: 20260101 },
      ),
    ).toEqual(['type = "document"', 'signed_on >= 20230101', 'signed_on <= 20231231', 'published_on <= 20240630']);
  });

  const context = { indexUid: 'idx', today: 20260615, staff: false, docNumberKey: null, text: 'x', checkStale: true };

  it('scope=title searches titles only', () => {
    const request = buildMeiliRequest({ q: 'x', sort: 'relevance', page: 1, page_size: 10, scope: 'title' }, context);
    expect(request.hits[0]).toMatchObject({ attributesToSearchOn: ['title'] });
  });

  it('a quoted query sends only its verbatim matches; an unquoted one keeps them out of the word hits', () => {
    const params = { q: '"x"', sort: 'relevance' as const, page: 1, page_size: 10 };
    const only = buildMeiliRequest(params, { ...context, verbatim: { groups: ['d1', 'i2'], only: true } });
    expect(only.hits).toHaveLength(1);
    expect(only.counts).toHaveLength(0);
    expect(only.hits[0]!.filter).toContain('group IN ["d1", "i2"]');
    const both = buildMeiliRequest({ ...params, page: 2 }, { ...context, verbatim: { groups: ['d1', 'i2'], only: false } });
    expect(both.hits[0]!.filter).toContain('NOT group IN ["d1", "i2"]');
    // Page 2 of 10: up to 2 verbatim hits come first, so the words fill from their 8th hit on.
    expect(both.hits[0]).toMatchObject({ offset: 8, limit: 12 });
  });

  it('a series lists that prefix and year only; a 令号 pins the rules of that number', () => {
    const series = buildMeiliRequest({ q: '示政发〔2023〕', sort: 'relevance', page: 1, page_size: 10 }, { ...context, series: '示政发-2023', text: '' });
    expect(series.hits[0]!.filter).toContain('doc_number_series = "示政发-2023"');
    const order = buildMeiliRequest({ q: '令第41号', sort: 'relevance', page: 1, page_size: 10 }, { ...context, orderSerial: '令-0-41' });
    expect(order.hits[1]!.filter).toContain('order_serial = "令-0-41"');
    expect(order.hits[0]!.filter).toContain('NOT (order_serial = "令-0-41")');
  });
});
