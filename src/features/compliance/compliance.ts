/**
 * Disclosure compliance rules (政府信息公开条例 第二十六条; 清理 of normative documents), pure: the day
 * is always passed in.
 *
 * Timeliness. A document must be made public within 20 working days of being made. Counting follows
 * the way periods are counted in Chinese law: 成文日期 (signed_on) itself is day 0 and not counted, so
 * the deadline is the 20th working day AFTER signed_on, and a document is on time when published_on
 * is on or before that deadline. `workingDays` reports on which working day after signing it was
 * published; a publication on a rest day counts as on the next working day, so that
 * `workingDays <= 20` and "on time" always agree (published the Saturday after a Friday deadline is
 * day 21, late). Published the day it was signed is day 0.
 */
import { addDays, addMonths, daysBetween, isValidIsoDate, yearOf, type IsoDate } from '../../shared/dates.js';
import { ARTICLE20_KINDS } from '../article20/article20.js';
import type { DocumentKind } from '../../shared/document-status.js';
import { addWorkingDays, countWorkingDays, workingDayOnOrAfter } from '../../shared/working-days.js';
import { groupBy } from '../../shared/group-by.js';

export const DISCLOSURE_WORKING_DAYS = 20;
/** An interpretation published more than this many calendar days after its document is flagged. */
export const DEFAULT_INTERPRETATION_LAG_DAYS = 30;
export const DEFAULT_EXPIRY_WINDOW_MONTHS = 6;

/** The kinds the government itself makes and must disclose, review and count (as in Article 20). */
export const COMPLIANCE_KINDS = ARTICLE20_KINDS;
/** Interpretation coverage is measured on normative documents, as the annual report does. */
export const COVERAGE_KINDS = ['normative'] as const satisfies readonly DocumentKind[];

const TIMELINESS_STATUSES = ['on_time', 'late', 'overdue', 'pending', 'unknown_calendar', 'no_signed_on'] as const;
export type TimelinessStatus = (typeof TIMELINESS_STATUSES)[number];

export const TIMELINESS_LABELS: Readonly<Record<TimelinessStatus, string>> = Object.freeze({
  on_time: '按时公开',
  late: '逾期公开',
  overdue: '逾期未公开',
  pending: '待公开（未到期限）',
  unknown_calendar: '节假日安排未知',
  no_signed_on: '缺成文日期',
});

export interface Timeliness {
  status: TimelinessStatus;
  /** The last day to publish on time; null when it cannot be known. */
  deadline: IsoDate | null;
  /** Published on this working day after signing; for unpublished documents, working days so far. */
  workingDays: number | null;
  /** Years whose holiday arrangement the calendar lacks, when that is what stops the answer. */
  missingYears: number[];
}

export interface TimelinessDates {
  signed_on: IsoDate | null;
  published_on: IsoDate | null;
}

function assertDay(day: IsoDate): void {
  if (!isValidIsoDate(day)) throw new RangeError(`日期格式不正确，应为 YYYY-MM-DD：“${day}”`);
}

/**
 * Timeliness of one document as of `today`. A document not public by `today` (no published_on, or a
 * later one) is overdue once its deadline has passed, pending before. Where the calendar runs out, a
 * verdict is still given when the known days settle it (published on the 3rd working day is on time
 * whatever the deadline; unpublished on a known today with fewer than 20 working days gone is
 * pending), and 'unknown_calendar' otherwise.
 */
export function assessTimeliness(doc: TimelinessDates, today: IsoDate, limit = DISCLOSURE_WORKING_DAYS): Timeliness {
  assertDay(today);
  if (doc.signed_on === null) return { status: 'no_signed_on', deadline: null, workingDays: null, missingYears: [] };
  const signedOn = doc.signed_on;
  const answer = addWorkingDays(signedOn, limit);
  const deadline = answer.known ? answer.value : null;
  const unknownCalendar = (...missing: number[][]): Timeliness => ({
    status: 'unknown_calendar',
    deadline: null,
    workingDays: null,
    missingYears: [...new Set(missing.flat())].sort((a, b) => a - b),
  });
  const published = doc.published_on !== null && doc.published_on <= today;
  if (published) {
    const countedDay = workingDayOnOrAfter(doc.published_on!);
    const counted = countedDay.known ? countWorkingDays(signedOn, countedDay.value) : countedDay;
    // Counting to the working day of publication decides it exactly (see the module comment).
    if (counted.known) {
      return { status: counted.value <= limit ? 'on_time' : 'late', deadline, workingDays: counted.value, missingYears: [] };
    }
    // The count ran into unknown days; a known deadline is then necessarily behind the publication.
    if (deadline !== null) return { status: 'late', deadline, workingDays: null, missingYears: [] };
    return unknownCalendar(answer.known ? [] : answer.missingYears, counted.missingYears);
  }
  const sofar = countWorkingDays(signedOn, today);
  if (deadline !== null) {
    return { status: today > deadline ? 'overdue' : 'pending', deadline, workingDays: sofar.known ? sofar.value : null, missingYears: [] };
  }
  // Every day up to today is known yet the deadline is not: it lies beyond today.
  if (sofar.known) return { status: 'pending', deadline: null, workingDays: sofar.value, missingYears: [] };
  return unknownCalendar(answer.known ? [] : answer.missingYears, sofar.missingYears);
}

/** The year a document is counted in: its 成文日期, or its 发布日期 when that is unknown (as Article 20 does). */
export function documentYear(doc: TimelinessDates): number | null {
  const day = doc.signed_on ?? doc.published_on;
  return day === null ? null : yearOf(day);
}

/** part / whole, or null when there is nothing to divide (shown as "—", never as 0 % or 100 %). */
function shareOf(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

export interface TimelinessTally {
  /** Documents with a verdict: on time, late, or overdue; the share is taken over these. */
  assessed: number;
  on_time: number;
  late: number;
  overdue: number;
  pending: number;
  unknown_calendar: number;
  no_signed_on: number;
  on_time_share: number | null;
}

export function tallyTimeliness(statuses: Iterable<TimelinessStatus>): TimelinessTally {
  const counts: Record<TimelinessStatus, number> = { on_time: 0, late: 0, overdue: 0, pending: 0, unknown_calendar: 0, no_signed_on: 0 };
  for (const status of statuses) counts[status]++;
  const assessed = counts.on_time + counts.late + counts.overdue;
  return { assessed, ...counts, on_time_share: shareOf(counts.on_time, assessed) };
}

export interface CoverageTally {
  documents: number;
  covered: number;
  uncovered: number;
  coverage_share: number | null;
}

export function tallyCoverage(covered: Iterable<boolean>): CoverageTally {
  let documents = 0;
  let yes = 0;
  for (const c of covered) {
    documents++;
    if (c) yes++;
  }
  return { documents, covered: yes, uncovered: documents - yes, coverage_share: shareOf(yes, documents) };
}

export interface OrganYearKey {
  organ_id: number;
  year: number;
}

/**
 * Groups items by organ and year and tallies each group, plus a row per year over all organs, a row
 * per organ over all years, and the grand total: the figures of the dashboard's matrix.
 */
export function tallyByOrganAndYear<T extends OrganYearKey, R>(items: readonly T[], tally: (items: readonly T[]) => R) {
  const byKey = groupBy(items, (item) => `${item.organ_id}:${item.year}`);
  const byYear = groupBy(items, (item) => item.year);
  const byOrgan = groupBy(items, (item) => item.organ_id);
  return {
    groups: [...byKey.values()].map((group) => ({ organ_id: group[0]!.organ_id, year: group[0]!.year, ...tally(group) })),
    years: [...byYear.entries()].sort(([a], [b]) => a - b).map(([year, group]) => ({ year, ...tally(group) })),
    organs: [...byOrgan.entries()].map(([organ_id, group]) => ({ organ_id, ...tally(group) })),
    total: tally(items),
  };
}

export type InterpretationFlag = 'before_document' | 'late';

export const INTERPRETATION_FLAG_LABELS: Readonly<Record<InterpretationFlag, string>> = Object.freeze({
  before_document: '早于文件发布',
  late: '明显滞后于文件',
});

/**
 * Interpretations are to be published with their document (同步发布). Flags one published before its
 * document is public (or while the document is unpublished), and one published more than `lagDays`
 * calendar days after it.
 */
export function interpretationFlag(
  link: { document_published_on: IsoDate | null; interpretation_published_on: IsoDate },
  lagDays = DEFAULT_INTERPRETATION_LAG_DAYS,
): InterpretationFlag | null {
  if (!Number.isInteger(lagDays) || lagDays < 0) throw new RangeError(`天数应为非负整数：${lagDays}`);
  const { document_published_on: doc, interpretation_published_on: interp } = link;
  if (doc === null || interp < doc) return 'before_document';
  return daysBetween(doc, interp) > lagDays ? 'late' : null;
}

/**
 * The review window: documents whose term ends (expires_on, the last valid day) from `today` through
 * the same day `months` later, both inclusive. A term ending today is still in the window; one that
 * ended yesterday has already lapsed.
 */
export function expiryWindow(today: IsoDate, months = DEFAULT_EXPIRY_WINDOW_MONTHS): { from: IsoDate; to: IsoDate } {
  if (!Number.isInteger(months) || months < 1) throw new RangeError(`月数应为正整数：${months}`);
  return { from: today, to: addMonths(today, months) };
}

export function isInExpiryWindow(expiresOn: IsoDate | null, window: { from: IsoDate; to: IsoDate }): boolean {
  return expiresOn !== null && expiresOn >= window.from && expiresOn <= window.to;
}

export const EXPIRY_DECISIONS = ['extend', 'revise', 'let_expire', 'repeal'] as const;
export type ExpiryDecision = (typeof EXPIRY_DECISIONS)[number];

export const EXPIRY_DECISION_LABELS: Readonly<Record<ExpiryDecision, string>> = Object.freeze({
  extend: '延长有效期',
  revise: '予以修订',
  let_expire: '到期自然失效',
  repeal: '予以废止',
});

export interface ExpiryDecisionInput {
  decision: ExpiryDecision;
  decided_on: IsoDate;
  new_expires_on: IsoDate | null;
}

export interface ReviewedDocument {
  kind: string;
  published_on: IsoDate | null;
  expires_on: IsoDate | null;
  repealed_on: IsoDate | null;
}

/**
 * What makes a review decision acceptable, every problem at once (field → message). Only a published
 * rule or normative document with a term that has not ended (and is not repealed) can be reviewed: a
 * lapsed document cannot be extended back to life, it has to be made again.
 */
export function checkExpiryDecision(doc: ReviewedDocument, input: ExpiryDecisionInput, today: IsoDate): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!(COMPLIANCE_KINDS as readonly string[]).includes(doc.kind)) errors['document'] = '只有规章和行政规范性文件需要清理评估';
  else if (doc.published_on === null || doc.published_on > today) errors['document'] = '文件尚未发布，无需清理评估';
  else if (doc.repealed_on !== null) errors['document'] = `文件已于 ${doc.repealed_on} 废止`;
  else if (doc.expires_on === null) errors['document'] = '文件未设有效期，无需到期评估';
  else if (doc.expires_on < today) errors['document'] = `文件已于 ${addDays(doc.expires_on, 1)} 失效，不能再作评估决定`;
  if (input.decided_on > today) errors['decided_on'] = '决定日期不能晚于今天';
  else if (doc.published_on !== null && input.decided_on < doc.published_on) errors['decided_on'] = `决定日期不能早于文件发布日期（${doc.published_on}）`;
  if (input.decision === 'extend') {
    if (input.new_expires_on === null) errors['new_expires_on'] = '延长有效期时必须填写新的有效期至';
    else if (doc.expires_on !== null && input.new_expires_on <= doc.expires_on) {
      errors['new_expires_on'] = `新的有效期至应晚于原有效期至（${doc.expires_on}）`;
    }
  } else if (input.new_expires_on !== null) {
    errors['new_expires_on'] = '只有“延长有效期”需要填写新的有效期至';
  }
  return errors;
}
