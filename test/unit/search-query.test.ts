import { describe, expect, it } from 'vitest';
import { documentStatusAsOf } from '../../src/shared/document-status.js';
import {
  MAX_PINNED,
  MAX_STALE,
  baseFilters,
  buildMeiliRequest,
  inList,
  intToDate,
  meiliQuery,
  staleRecordFilter,
  statusFilter,
  statusOfIndexed,
} from '../../src/features/search/search-query.js';

describe('statusFilter', () => {
  it.each([
    ['draft', 'type = "document" AND NOT published_on <= 20261129'],
    ['repealed', 'type = "document" AND published_on <= 20261129 AND repealed_on <= 20261129'],
    ['expired', 'type = "document" AND published_on <= 20261129 AND NOT repealed_on <= 20261129 AND expires_on < 20261129'],
    [
      'not_yet_effective',
      'type = "document" AND published_on <= 20261129 AND NOT repealed_on <= 20261129 AND NOT expires_on < 20261129 AND effective_on > 20261129',
    ],
    [
      'in_force',
      'type = "document" AND published_on <= 20261129 AND NOT repealed_on <= 20261129 AND NOT expires_on < 20261129 AND NOT effective_on > 20261129',
    ],
  ] as const)('%s', (status, filter) => {
    expect(statusFilter(status, 20261129)).toBe(filter);
  });
});

describe('filters', () => {
  it('quotes strings and leaves validated numbers bare', () => {
    expect(inList('topics', ['生态环境', 'a"b'])).toBe('topics IN ["生态环境", "a\\"b"]');
    expect(inList('organ_ids', [3, 12])).toBe('organ_ids IN [3, 12]');
  });

  it('adds visibility for the public only, and each given filter', () => {
    expect(baseFilters({}, { publicOnly: false, today: 20260101 })).toEqual([]);
    expect(baseFilters({ kind: ['rule'], organ_id: [1], topic: ['安全生产'], year: [2023] }, { publicOnly: true, today: 20260101 })).toEqual([
      'published_on <= 20260101',
      'kind IN ["rule"]',
      'organ_ids IN [1]',
      'topics IN ["安全生产"]',
      'year IN [2023]',
    ]);
  });
});

describe('statusOfIndexed', () => {
  const day = '2026-06-15';
  it.each([
    [{ published_on: null, effective_on: null, expires_on: null, repealed_on: null }],
    [{ published_on: 20260616, effective_on: 20260616, expires_on: null, repealed_on: null }],
    [{ published_on: 20200101, effective_on: 20200101, expires_on: 20260614, repealed_on: null }],
    [{ published_on: 20200101, effective_on: 20200101, expires_on: 20260615, repealed_on: null }],
    [{ published_on: 20200101, effective_on: 20260701, expires_on: null, repealed_on: null }],
    [{ published_on: 20200101, effective_on: 20200101, expires_on: 20210101, repealed_on: 20260615 }],
    [{ published_on: 20200101, effective_on: 20200101, expires_on: null, repealed_on: 20260616 }],
  ])('agrees with documentStatusAsOf for %j', (record) => {
    const dates = {
      published_on: intToDate(record.published_on),
      effective_on: intToDate(record.effective_on),
      expires_on: intToDate(record.expires_on),
      repealed_on: intToDate(record.repealed_on),
    };
    expect(statusOfIndexed(record, day)).toBe(documentStatusAsOf(dates, day));
  });

  it('turns yyyymmdd back into a day', () => {
    expect(intToDate(20230105)).toBe('2023-01-05');
    expect(intToDate(null)).toBeNull();
  });
});

describe('meiliQuery', () => {
  it('sends a 文号 in its spaced form with its key, and any other query with its digits set apart', () => {
    expect(meiliQuery('静政发〔2023〕12号')).toMatchObject({ text: '静政发 2023 12', docNumberKey: '静政发-2023-12' });
    expect(meiliQuery('编号31415926')).toMatchObject({ text: '编号 31415926', docNumberKey: null });
    expect(meiliQuery('营商环境')).toMatchObject({ text: '营商环境', docNumberKey: null });
  });
});

describe('buildMeiliRequest', () => {
  const context = { indexUid: 'x_search', today: 20261129, staff: false, docNumberKey: null, text: '营商环境', checkStale: true };

  const answers = (request: ReturnType<typeof buildMeiliRequest>) => ({
    ...request.answersOf('hits', request.hits),
    ...request.answersOf('counts', request.counts),
  });

  it('asks for the page, and at once for the facets, status among them, and the documents whose indexed status ran out', () => {
    const request = buildMeiliRequest({ q: '营商环境', sort: 'relevance', page: 3, page_size: 20 }, context);
    const { main, facets, stale, statuses, pinned } = answers(request);
    expect(request.hits).toHaveLength(1);
    expect(request.counts).toHaveLength(2);
    expect(main).toMatchObject({ q: '营商环境', offset: 40, limit: 20, matchingStrategy: 'frequency', filter: ['published_on <= 20261129'] });
    expect(main).not.toHaveProperty('sort');
    expect(main).not.toHaveProperty('facets');
    expect(facets).toMatchObject({ q: '营商环境', limit: 0, matchingStrategy: 'frequency', filter: main!.filter });
    expect(facets).toMatchObject({ facets: expect.arrayContaining(['status', 'type']) });
    expect(stale).toMatchObject({ q: '营商环境', limit: MAX_STALE + 1, matchingStrategy: 'frequency' });
    expect(stale!.filter).toEqual(['published_on <= 20261129', 'type = "document"', staleRecordFilter(20261129)]);
    expect(statuses).toBeUndefined();
    expect(pinned).toBeUndefined();
    // Only when too many are stale: one count per status the public may see.
    expect(request.counted).toEqual(['in_force', 'not_yet_effective', 'expired', 'repealed']);
    expect(request.statusCounts().every((q) => q.limit === 0)).toBe(true);
  });

  it('does not look for stale records when the index is known to hold none', () => {
    const request = buildMeiliRequest({ q: '营商环境', sort: 'relevance', page: 1, page_size: 20 }, { ...context, checkStale: false });
    expect(answers(request).stale).toBeUndefined();
    expect(request.counts).toHaveLength(1);
  });

  it('with a status filter: the page and its facets follow it, the status facet and the stale documents do not', () => {
    const request = buildMeiliRequest({ q: 'x', sort: 'relevance', page: 1, page_size: 20, status: ['expired'] }, context);
    const { main, facets, stale, statuses } = answers(request);
    const expired = statusFilter('expired', 20261129);
    expect(main!.filter).toContain(`(${expired})`);
    expect(facets!.filter).toContain(`(${expired})`);
    expect(statuses).toMatchObject({ limit: 0, facets: ['status'], filter: ['published_on <= 20261129'] });
    expect(stale!.filter).not.toContain(`(${expired})`);
    const staff = buildMeiliRequest({ q: 'x', sort: 'relevance', page: 1, page_size: 20 }, { ...context, staff: true });
    expect(staff.counted).toContain('draft');
    expect(staff.hits[0]!.filter).toEqual([]);
  });

  it('finds stale records by their period, and records indexed before they had one', () => {
    expect(staleRecordFilter(20261129)).toBe('fresh_from NOT EXISTS OR fresh_from > 20261129 OR fresh_until <= 20261129');
  });

  it('sorts by date, matching every word, when asked or when there is no query', () => {
    for (const params of [
      { q: '营商环境', sort: 'date' as const, page: 1, page_size: 20 },
      { q: '', sort: 'relevance' as const, page: 1, page_size: 20 },
    ]) {
      const [main] = buildMeiliRequest(params, context).hits;
      expect(main).toMatchObject({ sort: ['published_on:desc', 'signed_on:desc'], matchingStrategy: 'all' });
    }
  });

  it('for a 文号: pins its documents and keeps them out of the rest, fetching enough to fill any page', () => {
    const request = buildMeiliRequest(
      { q: '示政发[2023]5号', sort: 'relevance', page: 2, page_size: 10 },
      { ...context, docNumberKey: '示政发-2023-5', text: '示政发 2023 5' },
    );
    const { main, facets, stale, pinned } = answers(request);
    expect(request.hits).toEqual([main, pinned]);
    for (const query of [main!, facets!, stale!]) expect(query.filter).toContain('NOT (doc_number_key = "示政发-2023-5")');
    expect(main).toMatchObject({ q: '示政发 2023 5', offset: 0, limit: 20 });
    expect(pinned).toMatchObject({ q: '', limit: MAX_PINNED });
    expect(pinned!.filter).toContain('doc_number_key = "示政发-2023-5"');
    expect(request.statusCounts().length).toBeGreaterThan(0);
    expect(request.statusCounts().every((q) => (q.filter as string[]).includes('NOT (doc_number_key = "示政发-2023-5")'))).toBe(true);
    const deep = buildMeiliRequest({ q: 'x', sort: 'relevance', page: 5, page_size: 10 }, { ...context, docNumberKey: 'k-1-1' });
    expect(deep.hits[0]).toMatchObject({ offset: 20, limit: 30 });
  });
});
