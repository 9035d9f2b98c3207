import { describe, expect, it } from 'vitest';
import {
  assessTimeliness,
  checkExpiryDecision,
  documentYear,
  expiryWindow,
  interpretationFlag,
  isInExpiryWindow,
  tallyByOrganAndYear,
  tallyCoverage,
  tallyTimeliness,
  type ExpiryDecisionInput,
  type ReviewedDocument,
} from '../../src/features/compliance/compliance.js';

const TODAY = '2026-11-29';

describe('timeliness: published within 20 working days after 成文日期', () => {
  it.each([
    // signed, published, status, working day of publication, deadline
    ['same day', '2024-03-13', '2024-03-13', 'on_time', 0, '2024-04-11'],
    // 2024-03-13 + 20 working days; 清明 (4–6 April) pushes it from the 10th to the 11th, make-up Sunday 7 April counts.
    ['on the deadline', '2024-03-13', '2024-04-11', 'on_time', 20, '2024-04-11'],
    ['the working day after', '2024-03-13', '2024-04-12', 'late', 21, '2024-04-11'],
    // Across 国庆 2024 with its make-up days the deadline is 30 October, not 25 October.
    ['across 国庆节', '2024-09-27', '2024-10-30', 'on_time', 20, '2024-10-30'],
    ['one day after across 国庆节', '2024-09-27', '2024-10-31', 'late', 21, '2024-10-30'],
    // Across 春节 2024 (10–17 Feb off, 4 and 18 Feb worked): 20th working day after 2 February is 6 March.
    ['across 春节', '2024-02-02', '2024-03-06', 'on_time', 20, '2024-03-06'],
    ['late across 春节', '2024-02-02', '2024-03-07', 'late', 21, '2024-03-06'],
    // A rest day right after the deadline is already late: counted as the next working day, the 21st.
    ['the Saturday after a Friday deadline', '2024-10-18', '2024-11-16', 'late', 21, '2024-11-15'],
    // A rest day before the deadline is on time.
    ['a Sunday before the deadline', '2024-10-21', '2024-11-17', 'on_time', 20, '2024-11-18'],
    // The demo's December document published in January across 元旦 2026.
    ['across 元旦', '2025-12-26', '2026-01-06', 'on_time', 6, '2026-01-26'],
  ] as const)('%s: %s → %s is %s (day %i, deadline %s)', (_name, signed, published, status, days, deadline) => {
    expect(assessTimeliness({ signed_on: signed, published_on: published }, TODAY)).toEqual({
      status,
      workingDays: days,
      deadline,
      missingYears: [],
    });
  });

  it('counts an unpublished document as overdue once the deadline has passed, pending before', () => {
    expect(assessTimeliness({ signed_on: '2026-10-09', published_on: null }, TODAY)).toMatchObject({
      status: 'overdue',
      // 国庆 2026 (1–7 Oct off) is behind it; the make-up Saturday 10 October is the first working day.
      deadline: '2026-11-05',
    });
    expect(assessTimeliness({ signed_on: '2026-11-20', published_on: null }, TODAY)).toEqual({
      status: 'pending',
      deadline: '2026-12-18',
      workingDays: 5,
      missingYears: [],
    });
    // Published after today: not public yet, so judged like an unpublished one.
    expect(assessTimeliness({ signed_on: '2026-10-09', published_on: '2026-12-01' }, TODAY).status).toBe('overdue');
  });

  it('flags what a year the calendar does not know would decide, instead of guessing it', () => {
    expect(assessTimeliness({ signed_on: '2026-12-10', published_on: '2026-12-28' }, '2027-01-15')).toEqual({
      status: 'unknown_calendar',
      deadline: null,
      workingDays: null,
      missingYears: [2027],
    });
    expect(assessTimeliness({ signed_on: '2026-12-10', published_on: null }, '2027-01-20')).toMatchObject({
      status: 'unknown_calendar',
      missingYears: [2027],
    });
    expect(assessTimeliness({ signed_on: '2003-05-06', published_on: '2003-05-08' }, TODAY)).toMatchObject({
      status: 'unknown_calendar',
      missingYears: [2003],
    });
  });

  it('still decides when the known days settle it, though the deadline is in an unknown year', () => {
    // Published the next working day: on time whatever the deadline.
    expect(assessTimeliness({ signed_on: '2026-12-10', published_on: '2026-12-11' }, '2026-12-11')).toEqual({
      status: 'on_time',
      deadline: null,
      workingDays: 1,
      missingYears: [],
    });
    // Unpublished with three known working days gone (11, 14, 15 Dec): the deadline is still ahead.
    expect(assessTimeliness({ signed_on: '2026-12-10', published_on: null }, '2026-12-15')).toEqual({
      status: 'pending',
      deadline: null,
      workingDays: 3,
      missingYears: [],
    });
  });

  it('still calls late a publication after a known deadline even when the count runs into an unknown year', () => {
    expect(assessTimeliness({ signed_on: '2026-09-01', published_on: '2027-02-01' }, '2027-03-01')).toEqual({
      status: 'late',
      // 中秋 2026 (25–27 Sep off) and the make-up Sunday 20 September.
      deadline: '2026-09-29',
      workingDays: null,
      missingYears: [],
    });
  });

  it('cannot judge a document without 成文日期', () => {
    expect(assessTimeliness({ signed_on: null, published_on: '2024-01-05' }, TODAY).status).toBe('no_signed_on');
  });

  it('tallies a share over documents with a verdict only', () => {
    const tally = tallyTimeliness(['on_time', 'on_time', 'on_time', 'late', 'overdue', 'pending', 'unknown_calendar', 'no_signed_on']);
    expect(tally).toEqual({
      assessed: 5,
      on_time: 3,
      late: 1,
      overdue: 1,
      pending: 1,
      unknown_calendar: 1,
      no_signed_on: 1,
      on_time_share: 0.6,
    });
    expect(tallyTimeliness(['pending']).on_time_share).toBeNull();
  });

  it('counts a document in the year of its 成文日期, else of its 发布日期', () => {
    expect(documentYear({ signed_on: '2025-12-26', published_on: '2026-01-06' })).toBe(2025);
    expect(documentYear({ signed_on: null, published_on: '2026-01-06' })).toBe(2026);
    expect(documentYear({ signed_on: null, published_on: null })).toBeNull();
  });
});

describe('interpretation coverage', () => {
  it('tallies covered and uncovered documents; no documents gives no share', () => {
    expect(tallyCoverage([true, false, false, true])).toEqual({ documents: 4, covered: 2, uncovered: 2, coverage_share: 0.5 });
    expect(tallyCoverage([])).toEqual({ documents: 0, covered: 0, uncovered: 0, coverage_share: null });
  });

  it('groups by organ and year, with per-year, per-organ and total rows', () => {
    const items = [
      { organ_id: 1, year: 2024, covered: true },
      { organ_id: 1, year: 2024, covered: false },
      { organ_id: 1, year: 2025, covered: true },
      { organ_id: 2, year: 2024, covered: false },
    ];
    const result = tallyByOrganAndYear(items, (group) => tallyCoverage(group.map((i) => i.covered)));
    expect(result.groups).toEqual([
      { organ_id: 1, year: 2024, documents: 2, covered: 1, uncovered: 1, coverage_share: 0.5 },
      { organ_id: 1, year: 2025, documents: 1, covered: 1, uncovered: 0, coverage_share: 1 },
      { organ_id: 2, year: 2024, documents: 1, covered: 0, uncovered: 1, coverage_share: 0 },
    ]);
    expect(result.years.map((y) => [y.year, y.coverage_share])).toEqual([
      [2024, 1 / 3],
      [2025, 1],
    ]);
    expect(result.organs.map((o) => [o.organ_id, o.documents])).toEqual([
      [1, 3],
      [2, 1],
    ]);
    expect(result.total.coverage_share).toBe(0.5);
  });

  it.each([
    ['same day', '2024-04-19', '2024-04-19', 30, null],
    ['exactly 30 days after', '2024-04-19', '2024-05-19', 30, null],
    ['31 days after', '2024-04-19', '2024-05-20', 30, 'late'],
    ['31 days after with a 60-day threshold', '2024-04-19', '2024-05-20', 60, null],
    ['the day before the document', '2024-04-19', '2024-04-18', 30, 'before_document'],
    ['for an unpublished document', null, '2024-04-18', 30, 'before_document'],
  ] as const)('an interpretation published %s is flagged %s', (_name, doc, interp, lag, flag) => {
    expect(interpretationFlag({ document_published_on: doc, interpretation_published_on: interp }, lag)).toBe(flag);
  });
});

describe('expiry review window', () => {
  it('runs from today through the same day six months later, both included', () => {
    const window = expiryWindow(TODAY);
    expect(window).toEqual({ from: '2026-11-29', to: '2027-05-29' });
    expect(isInExpiryWindow('2027-05-29', window)).toBe(true); // exactly six months
    expect(isInExpiryWindow('2027-05-30', window)).toBe(false); // the day after
    expect(isInExpiryWindow('2026-11-29', window)).toBe(true); // last valid day is today
    expect(isInExpiryWindow('2026-11-28', window)).toBe(false); // already lapsed
    expect(isInExpiryWindow(null, window)).toBe(false); // no term
    expect(expiryWindow(TODAY, 3).to).toBe('2027-02-28');
  });

  it('rejects a window that is not a positive number of months', () => {
    expect(() => expiryWindow(TODAY, 0)).toThrow(RangeError);
  });
});

describe('expiry review decisions', () => {
  const doc: ReviewedDocument = { kind: 'normative', published_on: '2021-11-19', expires_on: '2026-12-31', repealed_on: null };
  const input = (overrides: Partial<ExpiryDecisionInput> = {}): ExpiryDecisionInput => ({
    decision: 'let_expire',
    decided_on: TODAY,
    new_expires_on: null,
    ...overrides,
  });

  it('accepts each decision in its proper form', () => {
    expect(checkExpiryDecision(doc, input({ decision: 'extend', new_expires_on: '2031-12-31' }), TODAY)).toEqual({});
    expect(checkExpiryDecision(doc, input({ decision: 'revise' }), TODAY)).toEqual({});
    expect(checkExpiryDecision(doc, input({ decision: 'let_expire' }), TODAY)).toEqual({});
    expect(checkExpiryDecision(doc, input({ decision: 'repeal', decided_on: '2026-11-20' }), TODAY)).toEqual({});
  });

  it('accepts a review on the last valid day', () => {
    expect(checkExpiryDecision({ ...doc, expires_on: TODAY }, input(), TODAY)).toEqual({});
  });

  it.each([
    ['extend without a new term', doc, input({ decision: 'extend' }), { new_expires_on: '延长有效期时必须填写新的有效期至' }],
    ['extend to an earlier day', doc, input({ decision: 'extend', new_expires_on: '2026-12-31' }), { new_expires_on: '新的有效期至应晚于原有效期至（2026-12-31）' }],
    ['a new term without extending', doc, input({ decision: 'revise', new_expires_on: '2031-12-31' }), { new_expires_on: '只有“延长有效期”需要填写新的有效期至' }],
    ['a decision dated tomorrow', doc, input({ decided_on: '2026-11-30' }), { decided_on: '决定日期不能晚于今天' }],
    ['a decision before publication', doc, input({ decided_on: '2021-11-18' }), { decided_on: '决定日期不能早于文件发布日期（2021-11-19）' }],
    ['a lapsed document', { ...doc, expires_on: '2026-11-28' }, input(), { document: '文件已于 2026-11-29 失效，不能再作评估决定' }],
    ['a repealed document', { ...doc, repealed_on: '2026-01-01' }, input(), { document: '文件已于 2026-01-01 废止' }],
    ['a document without a term', { ...doc, expires_on: null }, input(), { document: '文件未设有效期，无需到期评估' }],
    ['a draft', { ...doc, published_on: null }, input(), { document: '文件尚未发布，无需清理评估' }],
    ['a local regulation', { ...doc, kind: 'local_regulation' }, input(), { document: '只有规章和行政规范性文件需要清理评估' }],
  ] as const)('refuses %s', (_name, document, decision, errors) => {
    expect(checkExpiryDecision(document, decision, TODAY)).toEqual(errors);
  });
});
