import { describe, expect, it } from 'vitest';
import { addDays } from '../../src/shared/dates.js';
import {
  DOCUMENT_KINDS,
  DOCUMENT_STATUSES,
  KIND_LABELS,
  STATUS_LABELS,
  documentStatusAsOf,
  isDocumentKind,
  isDocumentStatus,
  periodAround,
  statusChanges,
  validityEnd,
  type DocumentStatus,
  type StatusDates,
} from '../../src/shared/document-status.js';

function dates(overrides: Partial<StatusDates> = {}): StatusDates {
  return { published_on: '2023-03-01', effective_on: null, expires_on: null, repealed_on: null, ...overrides };
}

describe('documentStatusAsOf (as of the end of day D)', () => {
  it.each<[string, Partial<StatusDates>, string, DocumentStatus]>([
    // not yet published
    ['no published_on is a draft', { published_on: null }, '2023-06-01', 'draft'],
    ['draft even with other dates', { published_on: null, effective_on: '2023-01-01' }, '2023-06-01', 'draft'],
    ['published the day after D', { published_on: '2023-06-02' }, '2023-06-01', 'draft'],
    ['published on D, effective defaults to it', { published_on: '2023-06-01' }, '2023-06-01', 'in_force'],
    ['published later wins over an earlier repeal', { published_on: '2023-06-02', repealed_on: '2023-05-01' }, '2023-06-01', 'draft'],
    // repealed
    ['repealed on D', { repealed_on: '2023-06-01' }, '2023-06-01', 'repealed'],
    ['repealed the day before D', { repealed_on: '2023-05-31' }, '2023-06-01', 'repealed'],
    ['repealed the day after D', { repealed_on: '2023-06-02' }, '2023-06-01', 'in_force'],
    ['repeal checked before expiry', { expires_on: '2023-04-30', repealed_on: '2023-05-15' }, '2023-06-01', 'repealed'],
    ['repeal checked before not-yet-effective', { effective_on: '2023-07-01', repealed_on: '2023-05-15' }, '2023-06-01', 'repealed'],
    // expired
    ['expires on D: last valid day', { expires_on: '2023-06-01' }, '2023-06-01', 'in_force'],
    ['expired the day before D', { expires_on: '2023-05-31' }, '2023-06-01', 'expired'],
    ['expiry checked before not-yet-effective', { effective_on: '2023-07-01', expires_on: '2023-05-31' }, '2023-06-01', 'expired'],
    ['expiring 31 Dec still in force on 31 Dec', { expires_on: '2023-12-31' }, '2023-12-31', 'in_force'],
    ['expiring 31 Dec expired on 1 Jan', { expires_on: '2023-12-31' }, '2024-01-01', 'expired'],
    // not yet effective
    ['effective the day after D', { effective_on: '2023-06-02' }, '2023-06-01', 'not_yet_effective'],
    ['effective on D', { effective_on: '2023-06-01' }, '2023-06-01', 'in_force'],
    ['effective before publication (retroactive)', { published_on: '2023-06-01', effective_on: '2023-01-01' }, '2023-06-01', 'in_force'],
    ['published 31 Dec, effective 1 Jan', { published_on: '2023-12-31', effective_on: '2024-01-01' }, '2023-12-31', 'not_yet_effective'],
    // leap days
    ['expires on a leap day, as of that day', { expires_on: '2024-02-29' }, '2024-02-29', 'in_force'],
    ['expires on a leap day, as of 1 March', { expires_on: '2024-02-29' }, '2024-03-01', 'expired'],
    ['expires 28 Feb of a leap year, as of 29 Feb', { expires_on: '2024-02-28' }, '2024-02-29', 'expired'],
    ['effective on a leap day, as of 28 Feb', { effective_on: '2024-02-29' }, '2024-02-28', 'not_yet_effective'],
    // in force
    ['no term, no repeal', {}, '2030-01-01', 'in_force'],
  ])('%s', (_label, overrides, day, expected) => {
    expect(documentStatusAsOf(dates(overrides), day)).toBe(expected);
  });

  it.each(['2023-02-30', '2023-6-1', '', '2023-06-01T00:00'])('rejects the malformed day %j', (day) => {
    expect(() => documentStatusAsOf(dates(), day)).toThrow(RangeError);
  });
});

describe('validityEnd', () => {
  it.each<[string, Partial<StatusDates>, { on: string; cause: 'repealed' | 'expired' } | null]>([
    ['neither repealed nor with a term', {}, null],
    ['repealed only', { repealed_on: '2023-08-01' }, { on: '2023-08-01', cause: 'repealed' }],
    ['expiry: the day after the last valid day', { expires_on: '2023-08-01' }, { on: '2023-08-02', cause: 'expired' }],
    ['expiry on 31 Dec ends on 1 Jan', { expires_on: '2023-12-31' }, { on: '2024-01-01', cause: 'expired' }],
    ['expiry on 28 Feb of a leap year', { expires_on: '2024-02-28' }, { on: '2024-02-29', cause: 'expired' }],
    ['expiry on 28 Feb of a common year', { expires_on: '2023-02-28' }, { on: '2023-03-01', cause: 'expired' }],
    ['repealed before the term ran out', { expires_on: '2025-12-31', repealed_on: '2023-08-01' }, { on: '2023-08-01', cause: 'repealed' }],
    ['repealed after it had expired', { expires_on: '2022-06-30', repealed_on: '2023-03-01' }, { on: '2022-07-01', cause: 'expired' }],
    ['repealed the day after the last valid day: tie goes to repeal', { expires_on: '2023-08-01', repealed_on: '2023-08-02' }, { on: '2023-08-02', cause: 'repealed' }],
    ['repealed on the last valid day', { expires_on: '2023-08-01', repealed_on: '2023-08-01' }, { on: '2023-08-01', cause: 'repealed' }],
    ['a term to the last day of the calendar never ends', { expires_on: '9999-12-31' }, null],
  ])('%s', (_label, overrides, expected) => {
    expect(validityEnd(dates(overrides))).toEqual(expected);
  });

  // The two functions must agree: a published document stops being valid exactly on validityEnd.on,
  // for the cause it gives. Later on, a repeal after expiry shows as 已废止 (the status table checks
  // repeal first) while the validity still ended by expiry.
  const docs: Partial<StatusDates>[] = [
    { expires_on: '2023-12-31' },
    { repealed_on: '2023-12-31' },
    { expires_on: '2023-06-30', repealed_on: '2023-07-01' },
    { expires_on: '2023-06-30', repealed_on: '2023-08-01' },
    { expires_on: '2024-02-28', repealed_on: '2024-03-01' },
  ];
  const days = ['2023-06-30', '2023-07-01', '2023-07-02', '2023-08-01', '2023-12-31', '2024-01-01', '2024-02-29', '2024-03-01'];
  it.each(docs.flatMap((d) => days.map((day) => [JSON.stringify(d), day, d] as const)))(
    'agrees with documentStatusAsOf: %s as of %s',
    (_label, day, overrides) => {
      const doc = dates(overrides);
      const end = validityEnd(doc);
      const status = documentStatusAsOf(doc, day);
      if (end === null || day < end.on) expect(status).toBe('in_force');
      else if (day === end.on) expect(status).toBe(end.cause);
      else expect(['repealed', 'expired']).toContain(status);
    },
  );

  it('shows 已废止 once a repeal follows an expiry, though validity ended by expiry', () => {
    const doc = dates({ published_on: '2021-01-01', expires_on: '2022-06-30', repealed_on: '2023-03-01' });
    expect(validityEnd(doc)?.cause).toBe('expired');
    expect(documentStatusAsOf(doc, '2023-02-28')).toBe('expired');
    expect(documentStatusAsOf(doc, '2023-03-01')).toBe('repealed');
  });
});

describe('periodAround', () => {
  it.each<[string, string[], string, { from: string | null; until: string | null }]>([
    ['no days: for ever', [], '2024-01-01', { from: null, until: null }],
    ['between two days, in any order', ['2024-03-01', '2023-01-01', '2025-01-01', '2023-06-01'], '2024-01-01', { from: '2023-06-01', until: '2024-03-01' }],
    ['on a day: it starts there', ['2024-01-01', '2024-02-01'], '2024-01-01', { from: '2024-01-01', until: '2024-02-01' }],
    ['before every day', ['2024-01-01'], '2023-12-31', { from: null, until: '2024-01-01' }],
    ['after every day', ['2024-01-01', '2024-01-01'], '2024-05-05', { from: '2024-01-01', until: null }],
  ])('%s', (_label, days, day, expected) => {
    expect(periodAround(days, day)).toEqual(expected);
  });
});

// The status on a day and the days around it over which it stays so, as the search index stores them.
const statusPeriod = (doc: StatusDates, day: string) => ({ status: documentStatusAsOf(doc, day), ...periodAround(statusChanges(doc), day) });

describe('the status period: statusChanges and periodAround', () => {
  it.each<[string, Partial<StatusDates>, string, { status: DocumentStatus; from: string | null; until: string | null }]>([
    ['in force for good', {}, '2024-01-01', { status: 'in_force', from: '2023-03-01', until: null }],
    ['a draft with no publication day stays one', { published_on: null, effective_on: '2023-05-01' }, '2024-01-01', { status: 'draft', from: null, until: null }],
    ['published later: a draft until then', { published_on: '2024-02-01' }, '2024-01-01', { status: 'draft', from: null, until: '2024-02-01' }],
    ['published, effective later', { effective_on: '2023-06-01' }, '2023-04-01', { status: 'not_yet_effective', from: '2023-03-01', until: '2023-06-01' }],
    ['last valid day', { expires_on: '2023-12-31' }, '2023-12-31', { status: 'in_force', from: '2023-03-01', until: '2024-01-01' }],
    ['the day after the last valid day', { expires_on: '2023-12-31' }, '2024-01-01', { status: 'expired', from: '2024-01-01', until: null }],
    ['repealed on 31 December', { repealed_on: '2023-12-31' }, '2023-12-30', { status: 'in_force', from: '2023-03-01', until: '2023-12-31' }],
    ['expired, repealed later', { expires_on: '2023-06-30', repealed_on: '2023-09-01' }, '2023-08-01', { status: 'expired', from: '2023-07-01', until: '2023-09-01' }],
    ['repealed before it took effect', { effective_on: '2023-06-01', repealed_on: '2023-05-01' }, '2023-05-15', { status: 'repealed', from: '2023-05-01', until: null }],
    ['effective on its publication day', { effective_on: '2023-03-01' }, '2023-03-01', { status: 'in_force', from: '2023-03-01', until: null }],
    ['a term to the last day of the calendar', { expires_on: '9999-12-31' }, '2024-01-01', { status: 'in_force', from: '2023-03-01', until: null }],
    ['published on the first day of the calendar', { published_on: '0001-01-01' }, '2024-01-01', { status: 'in_force', from: '0001-01-01', until: null }],
  ])('%s', (_label, overrides, day, expected) => {
    expect(statusPeriod(dates(overrides), day)).toEqual(expected);
  });

  // Day by day over two years: the status holds on every day of the period and differs on the day
  // before it starts and on the day it ends.
  const docs: Partial<StatusDates>[] = [
    {},
    { published_on: '2023-12-20', effective_on: '2024-01-01', expires_on: '2024-02-28', repealed_on: '2024-06-30' },
    { effective_on: '2023-04-01', repealed_on: '2023-12-31' },
    { expires_on: '2023-03-01' },
    { published_on: null, expires_on: '2023-05-01' },
    { effective_on: '2024-03-01', repealed_on: '2024-02-29' },
  ];
  it.each(docs.map((d) => [JSON.stringify(d), d] as const))('agrees with documentStatusAsOf on every day: %s', (_label, overrides) => {
    const doc = dates(overrides);
    for (let day = '2022-12-01'; day <= '2024-12-31'; day = addDays(day, 1)) {
      const period = statusPeriod(doc, day);
      expect(period.status).toBe(documentStatusAsOf(doc, day));
      if (period.from !== null) {
        expect(documentStatusAsOf(doc, period.from)).toBe(period.status);
        expect(documentStatusAsOf(doc, addDays(period.from, -1))).not.toBe(period.status);
      }
      if (period.until !== null) {
        expect(documentStatusAsOf(doc, addDays(period.until, -1))).toBe(period.status);
        expect(documentStatusAsOf(doc, period.until)).not.toBe(period.status);
      }
    }
  });
});

describe('vocabulary', () => {
  it.each([
    ['rule', '规章'],
    ['normative', '行政规范性文件'],
    ['law', '法律'],
    ['administrative_regulation', '行政法规'],
    ['local_regulation', '地方性法规'],
    ['other', '其他政策文件'],
  ] as const)('kind %s is labelled %s', (kind, label) => {
    expect(DOCUMENT_KINDS).toContain(kind);
    expect(KIND_LABELS[kind]).toBe(label);
    expect(isDocumentKind(kind)).toBe(true);
  });

  it.each([
    ['in_force', '现行有效'],
    ['not_yet_effective', '尚未施行'],
    ['expired', '已失效'],
    ['repealed', '已废止'],
    ['draft', '未发布'],
  ] as const)('status %s is labelled %s', (status, label) => {
    expect(DOCUMENT_STATUSES).toContain(status);
    expect(STATUS_LABELS[status]).toBe(label);
    expect(isDocumentStatus(status)).toBe(true);
  });

  it('has exactly the API values', () => {
    expect([...DOCUMENT_KINDS]).toEqual(['rule', 'normative', 'law', 'administrative_regulation', 'local_regulation', 'other']);
    expect([...DOCUMENT_STATUSES]).toEqual(['in_force', 'not_yet_effective', 'expired', 'repealed', 'draft']);
  });

  it.each(['规章', 'RULE', '', 'valid', 'toString', null, 3])('%j is neither a kind nor a status', (value) => {
    expect(isDocumentKind(value)).toBe(false);
    expect(isDocumentStatus(value)).toBe(false);
  });
});
