/**
 * Article 20(一) of the annual disclosure report (国办公开办函〔2021〕30号 format): for year Y, how
 * many 规章 and 行政规范性文件 were issued, ended and in force. Callers pass only the documents whose
 * lead organ is the one reported on; the counting itself knows nothing about organs.
 */
import { foldFullWidth } from '../../shared/doc-number.js';
import { yearEnd, yearOf, type IsoDate } from '../../shared/dates.js';
import { documentStatusAsOf, validityEnd, type DocumentKind, type StatusDates, type ValidityEndCause } from '../../shared/document-status.js';

export const ARTICLE20_KINDS = ['rule', 'normative'] as const;
export type Article20Kind = (typeof ARTICLE20_KINDS)[number];

export interface Article20Document extends StatusDates {
  kind: DocumentKind;
  signed_on: IsoDate | null;
}

export interface Article20Classification {
  /** 本年制发: signed in Y (published_on when signed_on is unknown), and published at all. */
  issued: boolean;
  /** 本年废止 and its part: validity ended in Y by repeal or by expiry. */
  ended: ValidityEndCause | null;
  /** 现行有效: in force as of 31 December of Y. */
  inForce: boolean;
}

export interface Article20KindCounts {
  issued: number;
  ended: number;
  ended_repealed: number;
  ended_expired: number;
  in_force: number;
}

export type Article20Counts = Record<Article20Kind, Article20KindCounts>;

function isArticle20Kind(kind: string): kind is Article20Kind {
  return (ARTICLE20_KINDS as readonly string[]).includes(kind);
}

/**
 * How one document counts in year Y, whatever its kind. Drafts never count. The issue year follows
 * the signing date because the year in the 文号 is the signing year: a document signed in December
 * and published in January is one of the previous year's documents.
 */
export function classifyForArticle20(doc: Article20Document, year: number): Article20Classification {
  if (doc.published_on === null) return { issued: false, ended: null, inForce: false };
  const issued = yearOf(doc.signed_on ?? doc.published_on) === year;
  // The first end only: a document that expired and was later repealed ended once, when it expired.
  const end = validityEnd(doc);
  const ended = end !== null && yearOf(end.on) === year ? end.cause : null;
  const inForce = documentStatusAsOf(doc, yearEnd(year)) === 'in_force';
  return { issued, ended, inForce };
}

function emptyCounts(): Article20KindCounts {
  return { issued: 0, ended: 0, ended_repealed: 0, ended_expired: 0, in_force: 0 };
}

/** Article 20(一) tallies for year Y; kinds other than 规章 and 行政规范性文件 are ignored. */
export function countArticle20(docs: readonly Article20Document[], year: number): Article20Counts {
  const counts: Article20Counts = { rule: emptyCounts(), normative: emptyCounts() };
  for (const doc of docs) {
    if (!isArticle20Kind(doc.kind)) continue;
    const c = counts[doc.kind];
    const { issued, ended, inForce } = classifyForArticle20(doc, year);
    if (issued) c.issued++;
    if (ended !== null) {
      c.ended++;
      if (ended === 'repealed') c.ended_repealed++;
      else c.ended_expired++;
    }
    if (inForce) c.in_force++;
  }
  return counts;
}

/**
 * Issued by the end of year Y and still valid then: in force, or waiting to be (published after Y or
 * effective after Y). The stock that 本年制发 adds to and 本年废止 takes from.
 */
function isLiveAtYearEnd(doc: Article20Document, year: number): boolean {
  if (doc.published_on === null) return false;
  const day = yearEnd(year);
  if ((doc.signed_on ?? doc.published_on) > day) return false;
  const end = validityEnd(doc);
  return end === null || end.on > day;
}

/**
 * 年末尚未施行: issued by the end of Y, its validity not ended, yet not in force on 31 December:
 * signed in December and published in January, or published with a later 施行日期.
 */
export function isPendingAtYearEnd(doc: Article20Document, year: number): boolean {
  return isLiveAtYearEnd(doc, year) && documentStatusAsOf(doc, yearEnd(year)) !== 'in_force';
}

/**
 * The reconciliation (勾稽关系) of Article 20(一) for year Y, per kind:
 *
 *   现行有效(Y) = 现行有效(Y−1) + 上年末尚未施行(Y−1) + 本年制发(Y) − 本年废止(Y) − 年末尚未施行(Y)
 *
 * It holds document by document whenever a document ends no earlier than it is issued: the stock
 * "issued and not yet ended" grows by 本年制发 and shrinks by 本年废止, and splits at each year end
 * into 现行有效 and 尚未施行. A document for which it fails (say, repealed before it was issued)
 * has inconsistent dates; its residual is non-zero and it is listed for correction.
 */
export interface Article20Reconciliation {
  in_force_previous: number;
  pending_previous: number;
  issued: number;
  ended: number;
  pending: number;
  expected_in_force: number;
  in_force: number;
  /** in_force − expected_in_force: the sum of the residuals of the listed documents. */
  difference: number;
}

/** One document's share of `difference`: 0 for every document whose dates are consistent. */
export function reconciliationResidual(doc: Article20Document, year: number): number {
  const { issued, ended, inForce } = classifyForArticle20(doc, year);
  const inForcePrevious = classifyForArticle20(doc, year - 1).inForce;
  const expected =
    Number(inForcePrevious) + Number(isPendingAtYearEnd(doc, year - 1)) + Number(issued) - Number(ended !== null) - Number(isPendingAtYearEnd(doc, year));
  return Number(inForce) - expected;
}

function emptyReconciliation(): Article20Reconciliation {
  return { in_force_previous: 0, pending_previous: 0, issued: 0, ended: 0, pending: 0, expected_in_force: 0, in_force: 0, difference: 0 };
}

/** The terms of the reconciliation for year Y; kinds other than 规章 and 行政规范性文件 are ignored. */
export function reconcileArticle20(docs: readonly Article20Document[], year: number): Record<Article20Kind, Article20Reconciliation> {
  const result: Record<Article20Kind, Article20Reconciliation> = { rule: emptyReconciliation(), normative: emptyReconciliation() };
  for (const doc of docs) {
    if (!isArticle20Kind(doc.kind)) continue;
    const r = result[doc.kind];
    const now = classifyForArticle20(doc, year);
    r.in_force_previous += Number(classifyForArticle20(doc, year - 1).inForce);
    r.pending_previous += Number(isPendingAtYearEnd(doc, year - 1));
    r.issued += Number(now.issued);
    r.ended += Number(now.ended !== null);
    r.pending += Number(isPendingAtYearEnd(doc, year));
    r.in_force += Number(now.inForce);
  }
  for (const r of Object.values(result)) {
    r.expected_in_force = r.in_force_previous + r.pending_previous + r.issued - r.ended - r.pending;
    r.difference = r.in_force - r.expected_in_force;
  }
  return result;
}

/** Article 20(五)(六): decisions counted by the year of `decided_on` and the organ that decided. */
export const DECISION_KINDS = ['licensing', 'penalty', 'enforcement'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

export const DECISION_KIND_LABELS: Readonly<Record<DecisionKind, string>> = Object.freeze({
  licensing: '行政许可',
  penalty: '行政处罚',
  enforcement: '行政强制',
});

// Money is integer fen end to end, so that sums never drift; only display converts.
const FEN_PER_YUAN = 100n;
const FEN_PER_CENT_OF_WAN = 10_000n; // 0.01 万元 = 100 元

/** Fen as 万元 with 2 decimals, rounded half away from zero (half up for the positive amounts of the report). */
export function fenToWanYuan(fen: bigint): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  let cents = abs / FEN_PER_CENT_OF_WAN;
  if ((abs % FEN_PER_CENT_OF_WAN) * 2n >= FEN_PER_CENT_OF_WAN) cents++;
  const text = `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
  return negative && cents > 0n ? `-${text}` : text;
}

const YUAN_AMOUNT = /^(?<sign>[+-])?(?<int>\d+|\d{1,3}(?:,\d{3})+)(?:\.(?<frac>\d+))?$/;

/**
 * An amount in 元 as typed in a fee import ('1234.5', '1,234.56', full-width digits) to exact fen,
 * without passing through a float. More than 2 decimals is refused rather than rounded: an amount
 * finer than a fen is a data error the uploader should see.
 */
export function yuanToFen(text: string): bigint {
  const s = foldFullWidth(text).trim();
  if (s === '') throw new RangeError('金额不能为空');
  const m = YUAN_AMOUNT.exec(s);
  if (m?.groups === undefined) throw new RangeError(`金额格式不正确：“${text}”，应为数字，如 1234.56`);
  const frac = m.groups.frac ?? '';
  if (frac.length > 2) throw new RangeError(`金额最多两位小数（精确到分）：“${text}”`);
  const whole = BigInt((m.groups.int ?? '0').replaceAll(',', ''));
  const fen = whole * FEN_PER_YUAN + BigInt(frac.padEnd(2, '0'));
  return m.groups.sign === '-' ? -fen : fen;
}

/** Fen as 元 with 2 decimals, exactly: 123456n → '1234.56'. */
export function fenToYuan(fen: bigint): string {
  const abs = fen < 0n ? -fen : fen;
  const text = `${abs / FEN_PER_YUAN}.${String(abs % FEN_PER_YUAN).padStart(2, '0')}`;
  return fen < 0n ? `-${text}` : text;
}
