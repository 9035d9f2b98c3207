/**
 * Status of a document, always computed from its dates as of a given day and never stored:
 * a term that ends at midnight must show as ended the next morning without any job having run.
 */
import { addDays, isValidIsoDate, type IsoDate } from './dates.js';

export const DOCUMENT_KINDS = ['rule', 'normative', 'law', 'administrative_regulation', 'local_regulation', 'other'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export const KIND_LABELS: Record<DocumentKind, string> = {
  rule: '规章',
  normative: '行政规范性文件',
  law: '法律',
  administrative_regulation: '行政法规',
  local_regulation: '地方性法规',
  other: '其他政策文件',
};

export function isDocumentKind(value: unknown): value is DocumentKind {
  return typeof value === 'string' && (DOCUMENT_KINDS as readonly string[]).includes(value);
}

export const DOCUMENT_STATUSES = ['in_force', 'not_yet_effective', 'expired', 'repealed', 'draft'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

export const STATUS_LABELS: Record<DocumentStatus, string> = {
  in_force: '现行有效',
  not_yet_effective: '尚未施行',
  expired: '已失效',
  repealed: '已废止',
  draft: '未发布',
};

export function isDocumentStatus(value: unknown): value is DocumentStatus {
  return typeof value === 'string' && (DOCUMENT_STATUSES as readonly string[]).includes(value);
}

export interface StatusDates {
  published_on: IsoDate | null;
  /** Defaults to published_on. */
  effective_on: IsoDate | null;
  /** Last day of validity, inclusive. */
  expires_on: IsoDate | null;
  repealed_on: IsoDate | null;
}

/**
 * Status at the END of `day`, by DESIGN.md's table in its order: a document repealed on D is
 * already repealed on D, one that expires on D is still in force on D. A document not public by D
 * (no published_on, or published later) is a 'draft' as of D.
 */
export function documentStatusAsOf(doc: StatusDates, day: IsoDate): DocumentStatus {
  // Dates are compared as strings; a malformed day would silently give a wrong status.
  if (!isValidIsoDate(day)) throw new RangeError(`日期格式不正确，应为 YYYY-MM-DD：“${day}”`);
  if (doc.published_on === null || doc.published_on > day) return 'draft';
  if (doc.repealed_on !== null && doc.repealed_on <= day) return 'repealed';
  if (doc.expires_on !== null && doc.expires_on < day) return 'expired';
  const effectiveOn = doc.effective_on ?? doc.published_on;
  if (effectiveOn > day) return 'not_yet_effective';
  return 'in_force';
}

export interface Period {
  /** First day of it; null when it reaches back for ever. */
  from: IsoDate | null;
  /** First day after it; null when it lasts for good. */
  until: IsoDate | null;
}

/** The stretch around `day` that none of `days` falls inside: from the nearest on or before it until the next. */
export function periodAround(days: IsoDate[], day: IsoDate): Period {
  const before = days.filter((d) => d <= day).sort();
  const after = days.filter((d) => d > day).sort();
  return { from: before.at(-1) ?? null, until: after[0] ?? null };
}

/**
 * The days on which the status changes: of the days its dates name (publication, taking effect, the
 * day after expiry, repeal), those whose status differs from the day before's.
 */
export function statusChanges(doc: StatusDates): IsoDate[] {
  return [doc.published_on, doc.effective_on, doc.repealed_on, dayAfterExpiry(doc)]
    .filter((d): d is IsoDate => d !== null)
    .filter((d) => d === FIRST_DAY || documentStatusAsOf(doc, d) !== documentStatusAsOf(doc, addDays(d, -1)));
}

const FIRST_DAY = '0001-01-01';
const LAST_DAY = '9999-12-31';

/** The first day after the term; null without a term, or for one that runs to the end of the calendar. */
function dayAfterExpiry(doc: StatusDates): IsoDate | null {
  return doc.expires_on === null || doc.expires_on === LAST_DAY ? null : addDays(doc.expires_on, 1);
}

export type ValidityEndCause = 'repealed' | 'expired';

/**
 * The first day on which the document is no longer valid, and why. Expiry ends validity the day
 * after expires_on; when both would end it the earlier one is the cause, and on the same day the
 * repeal wins because the status table checks repeal first.
 */
export function validityEnd(doc: StatusDates): { on: IsoDate; cause: ValidityEndCause } | null {
  const repealedOn = doc.repealed_on;
  const expiredOn = dayAfterExpiry(doc);
  if (repealedOn !== null && (expiredOn === null || repealedOn <= expiredOn)) {
    return { on: repealedOn, cause: 'repealed' };
  }
  if (expiredOn !== null) return { on: expiredOn, cause: 'expired' };
  return null;
}
