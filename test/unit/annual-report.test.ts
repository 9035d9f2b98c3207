import { describe, expect, it } from 'vitest';
import {
  appealCellsOf,
  countAppeals,
  countRequests,
  outcomeWording,
  requestRowsOf,
  requestsInCell,
  type AppealFacts,
  type RequestFacts,
} from '../../src/features/annual-report/annual-report.js';
import { deadlineState, replyDueOn } from '../../src/features/annual-report/request-deadline.js';

let next = 0;
const request = (received_on: string, concluded_on: string | null, outcome: RequestFacts['outcome'] = concluded_on ? 'disclosed' : null, applicant_type: RequestFacts['applicant_type'] = 'natural_person'): RequestFacts => ({
  id: ++next,
  number: `R${next}`,
  applicant_type,
  received_on,
  concluded_on,
  outcome,
});

describe('section 三: where a request counts in year 2023', () => {
  it.each([
    ['received 31 December, open', request('2023-12-31', null), ['received', 'carried_forward']],
    ['received 31 December, concluded 1 January', request('2023-12-31', '2024-01-01'), ['received', 'carried_forward']],
    ['received 1 January, concluded the same day', request('2023-01-01', '2023-01-01'), ['received', 'disclosed', 'total']],
    ['received 2022, concluded 1 January 2023', request('2022-12-30', '2023-01-01'), ['carried_over', 'disclosed', 'total']],
    ['received 2022, concluded 31 December 2022', request('2022-12-01', '2022-12-31'), []],
    ['received 2021, carried over twice, concluded 2024', request('2021-06-01', '2024-03-01'), ['carried_over', 'carried_forward']],
    ['received 2021, still open', request('2021-06-01', null), ['carried_over', 'carried_forward']],
    ['received 1 January 2024', request('2024-01-01', null), []],
    ['部分公开 counts in its own row only', request('2023-05-01', '2023-06-01', 'partially_disclosed'), ['received', 'partially_disclosed', 'total']],
    ['a withheld reason', request('2023-05-01', '2023-06-01', 'withheld.third_party'), ['received', 'withheld.third_party', 'total']],
    ['concluded before received (bad dates)', request('2023-05-01', '2022-06-01'), ['received']],
    ['concluded without an outcome', request('2023-05-01', '2023-06-01', null), ['received']],
  ])('%s', (_label, r, rows) => {
    expect(requestRowsOf(r, 2023)).toEqual(rows);
  });

  it('carries a request over twice: forward from 2022, over into 2023 and forward again, concluded in 2024', () => {
    const r = request('2022-11-01', '2024-02-01');
    expect(requestRowsOf(r, 2022)).toEqual(['received', 'carried_forward']);
    expect(requestRowsOf(r, 2023)).toEqual(['carried_over', 'carried_forward']);
    expect(requestRowsOf(r, 2024)).toEqual(['carried_over', 'disclosed', 'total']);
  });

  it('counts per applicant column and in total, and balances', () => {
    const records = [
      request('2023-02-01', '2023-02-20', 'disclosed', 'natural_person'),
      request('2023-03-01', '2023-03-20', 'partially_disclosed', 'commercial'),
      request('2022-12-20', '2023-01-05', 'unavailable.not_held', 'research'),
      request('2023-12-31', null, null, 'legal_service'),
      request('2023-07-01', '2023-07-02', 'other.other', 'other'),
    ];
    const s = countRequests(records, 2023);
    expect(s.received).toEqual({ natural_person: 1, commercial: 1, research: 0, public_interest: 0, legal_service: 1, other: 1, total: 4 });
    expect(s.carried_over).toEqual({ natural_person: 0, commercial: 0, research: 1, public_interest: 0, legal_service: 0, other: 0, total: 1 });
    expect(s.outcomes.disclosed.natural_person).toBe(1);
    expect(s.outcomes.partially_disclosed).toEqual({ natural_person: 0, commercial: 1, research: 0, public_interest: 0, legal_service: 0, other: 0, total: 1 });
    expect(s.outcomes['unavailable.not_held'].research).toBe(1);
    expect(s.outcomes.total.total).toBe(4);
    expect(s.carried_forward.total).toBe(1);
    expect(s.balanced).toBe(true);
    expect(s.unbalanced).toEqual([]);
    expect(requestsInCell(records, 2023, 'received', 'commercial').map((r) => r.id)).toEqual([records[1]!.id]);
    expect(requestsInCell(records, 2023, 'total', 'total')).toHaveLength(4);
  });

  it('names an unbalanced column with the requests that unbalance it, and the total column', () => {
    const good = request('2023-02-01', '2023-02-20', 'disclosed', 'commercial');
    const bad = request('2023-05-01', '2022-06-01', 'disclosed', 'commercial');
    const s = countRequests([good, bad, request('2023-02-01', null)], 2023);
    expect(s.balanced).toBe(false);
    expect(s.unbalanced).toEqual([
      { column: 'commercial', left: 2, right: 1, requests: [{ id: bad.id, number: bad.number }] },
      { column: 'total', left: 3, right: 2, requests: [{ id: bad.id, number: bad.number }] },
    ]);
  });
});

describe('import wording of outcomes', () => {
  it.each([
    ['disclosed', '予以公开'],
    ['partially_disclosed', '部分公开'],
    ['withheld.state_secret', '不予公开-属于国家秘密'],
    ['not_processed.confirmation', '不予处理-要求行政机关确认或重新出具已获取信息'],
    ['other.other', '其他处理-其他'],
  ] as const)('%s reads %s', (code, wording) => {
    expect(outcomeWording(code)).toBe(wording);
  });
});

describe('section 四: appeals in 2023', () => {
  const appeal = (kind: AppealFacts['kind'], filed_on: string, concluded_on: string | null, result: AppealFacts['result'] = null): AppealFacts => ({
    id: ++next,
    number: `A${next}`,
    kind,
    filed_on,
    concluded_on,
    result,
  });
  it.each([
    ['concluded in the year, upheld', appeal('review', '2023-01-05', '2023-03-01', 'upheld'), ['upheld', 'total']],
    ['filed 2022, concluded 1 January 2023', appeal('review', '2022-12-01', '2023-01-01', 'corrected'), ['corrected', 'total']],
    ['filed 31 December, pending', appeal('review', '2023-12-31', null), ['pending', 'total']],
    ['filed 2023, concluded 2024', appeal('review', '2023-06-01', '2024-01-01', 'other'), ['pending', 'total']],
    ['concluded in 2022', appeal('review', '2022-01-01', '2022-12-31', 'upheld'), []],
    ['filed 2024', appeal('review', '2024-01-01', null), []],
  ])('%s', (_label, a, cells) => {
    expect(appealCellsOf(a, 2023)).toEqual(cells);
  });

  it('counts each kind apart and totals them', () => {
    const counts = countAppeals(
      [
        appeal('review', '2023-01-05', '2023-03-01', 'upheld'),
        appeal('litigation_direct', '2023-01-05', '2023-03-01', 'corrected'),
        appeal('litigation_direct', '2023-02-05', null),
        appeal('litigation_after_review', '2022-02-05', '2023-03-01', 'other'),
      ],
      2023,
    );
    expect(counts).toEqual({
      review: { upheld: 1, corrected: 0, other: 0, pending: 0, total: 1 },
      litigation_direct: { upheld: 0, corrected: 1, other: 0, pending: 1, total: 2 },
      litigation_after_review: { upheld: 0, corrected: 0, other: 1, pending: 0, total: 1 },
    });
  });
});

describe('the reply deadline on the official calendar', () => {
  const facts = (overrides: Partial<Parameters<typeof replyDueOn>[0]> = {}) => ({
    received_on: '2024-09-20',
    correction_asked_on: null,
    correction_received_on: null,
    extended_on: null,
    ...overrides,
  });
  it.each([
    // 20 working days across 国庆节 2024 (1–7 October off, 29 September and 12 October worked).
    ['plain, across 国庆节', facts(), '2024-10-23'],
    // 补正 asked 25 September, received 9 October: 26 September to 9 October do not count.
    ['with a 补正', facts({ correction_asked_on: '2024-09-25', correction_received_on: '2024-10-09' }), '2024-10-31'],
    ['with a 补正 and the extension', facts({ correction_asked_on: '2024-09-25', correction_received_on: '2024-10-09', extended_on: '2024-10-20' }), '2024-11-28'],
    ['extension alone', facts({ extended_on: '2024-10-10' }), '2024-11-20'],
    ['补正 asked and answered the same day changes nothing', facts({ correction_asked_on: '2024-09-25', correction_received_on: '2024-09-25' }), '2024-10-23'],
    ['received on a holiday', facts({ received_on: '2024-10-01' }), '2024-11-01'],
  ])('%s', (_label, f, due) => {
    expect(replyDueOn(f)).toEqual({ known: true, value: due });
  });

  it('stands still while a correction is awaited', () => {
    expect(replyDueOn(facts({ correction_asked_on: '2024-09-25' }))).toEqual({ known: true, value: null });
    expect(deadlineState(facts({ correction_asked_on: '2024-09-25' }), '2024-12-01')).toEqual({ state: 'awaiting_correction' });
  });

  it('counts working days left and overdue', () => {
    expect(deadlineState(facts(), '2024-10-23')).toEqual({ state: 'open', due_on: '2024-10-23', working_days_left: 0 });
    expect(deadlineState(facts(), '2024-10-21')).toEqual({ state: 'open', due_on: '2024-10-23', working_days_left: 2 });
    expect(deadlineState(facts(), '2024-10-28')).toEqual({ state: 'overdue', due_on: '2024-10-23', working_days_overdue: 3 });
  });

  it('says which year of the calendar is missing rather than guessing', () => {
    expect(replyDueOn(facts({ received_on: '2026-12-20' }))).toEqual({ known: false, missingYears: [2027] });
  });
});
