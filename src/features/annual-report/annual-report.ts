/**
 * Sections 三 (收到和处理政府信息公开申请情况) and 四 (行政复议、行政诉讼) of the annual disclosure report,
 * counted from the registers as 国办公开办函〔2021〕30号 defines them. Pure: records and the year in,
 * figures out; the same functions answer which records stand behind any one number.
 */
import { yearEnd, yearStart, type IsoDate } from '../../shared/dates.js';

export const APPLICANT_TYPES = ['natural_person', 'commercial', 'research', 'public_interest', 'legal_service', 'other'] as const;
export type ApplicantType = (typeof APPLICANT_TYPES)[number];

export const APPLICANT_LABELS: Readonly<Record<ApplicantType, string>> = Object.freeze({
  natural_person: '自然人',
  commercial: '商业企业',
  research: '科研机构',
  public_interest: '社会公益组织',
  legal_service: '法律服务机构',
  other: '其他',
});

/** The rows of 三、本年度办理结果, in the official order, with their group and printed label. */
export const OUTCOME_ROWS = [
  { code: 'disclosed', group: '（一）予以公开', label: '' },
  { code: 'partially_disclosed', group: '（二）部分公开（区分处理的，只计这一情形，不计其他情形）', label: '' },
  { code: 'withheld.state_secret', group: '（三）不予公开', label: '1. 属于国家秘密' },
  { code: 'withheld.prohibited_by_law', group: '（三）不予公开', label: '2. 其他法律行政法规禁止公开' },
  { code: 'withheld.three_safeties', group: '（三）不予公开', label: '3. 危及“三安全一稳定”' },
  { code: 'withheld.third_party', group: '（三）不予公开', label: '4. 保护第三方合法权益' },
  { code: 'withheld.internal_affairs', group: '（三）不予公开', label: '5. 属于三类内部事务信息' },
  { code: 'withheld.process_information', group: '（三）不予公开', label: '6. 属于四类过程性信息' },
  { code: 'withheld.enforcement_files', group: '（三）不予公开', label: '7. 属于行政执法案卷' },
  { code: 'withheld.administrative_inquiry', group: '（三）不予公开', label: '8. 属于行政查询事项' },
  { code: 'unavailable.not_held', group: '（四）无法提供', label: '1. 本机关不掌握相关政府信息' },
  { code: 'unavailable.needs_creation', group: '（四）无法提供', label: '2. 没有现成信息需要另行制作' },
  { code: 'unavailable.still_unclear', group: '（四）无法提供', label: '3. 补正后申请内容仍不明确' },
  { code: 'not_processed.petition', group: '（五）不予处理', label: '1. 信访举报投诉类申请' },
  { code: 'not_processed.repeated', group: '（五）不予处理', label: '2. 重复申请' },
  { code: 'not_processed.publication', group: '（五）不予处理', label: '3. 要求提供公开出版物' },
  { code: 'not_processed.mass_repeated', group: '（五）不予处理', label: '4. 无正当理由大量反复申请' },
  { code: 'not_processed.confirmation', group: '（五）不予处理', label: '5. 要求行政机关确认或重新出具已获取信息' },
  { code: 'other.no_correction', group: '（六）其他处理', label: '1. 申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请' },
  { code: 'other.no_fee_paid', group: '（六）其他处理', label: '2. 申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请' },
  { code: 'other.other', group: '（六）其他处理', label: '3. 其他' },
] as const;
export type Outcome = (typeof OUTCOME_ROWS)[number]['code'];
export const OUTCOMES: readonly Outcome[] = OUTCOME_ROWS.map((r) => r.code);

/** "不予公开-属于国家秘密", the wording of an import file; 予以公开 and 部分公开 stand alone. */
export function outcomeWording(code: Outcome): string {
  const row = OUTCOME_ROWS.find((r) => r.code === code)!;
  const group = row.group.replace(/^（.）/, '').replace(/（.*$/, '');
  return row.label ? `${group}-${row.label.replace(/^\d+\.\s*/, '')}` : group;
}

export const APPEAL_KINDS = ['review', 'litigation_direct', 'litigation_after_review'] as const;
export type AppealKind = (typeof APPEAL_KINDS)[number];
export const APPEAL_KIND_LABELS: Readonly<Record<AppealKind, string>> = Object.freeze({
  review: '行政复议',
  litigation_direct: '行政诉讼（未经复议直接起诉）',
  litigation_after_review: '行政诉讼（复议后起诉）',
});
export const APPEAL_RESULTS = ['upheld', 'corrected', 'other'] as const;
export type AppealResult = (typeof APPEAL_RESULTS)[number];
export const APPEAL_RESULT_LABELS: Readonly<Record<AppealResult | 'pending' | 'total', string>> = Object.freeze({
  upheld: '结果维持',
  corrected: '结果纠正',
  other: '其他结果',
  pending: '尚未审结',
  total: '总计',
});

/** What counting needs of a request. */
export interface RequestFacts {
  id: number;
  number: string;
  applicant_type: ApplicantType;
  received_on: IsoDate;
  concluded_on: IsoDate | null;
  outcome: Outcome | null;
}

export interface AppealFacts {
  id: number;
  number: string;
  kind: AppealKind;
  filed_on: IsoDate;
  concluded_on: IsoDate | null;
  result: AppealResult | null;
}

export type ColumnKey = ApplicantType | 'total';
export type Column = Record<ColumnKey, number>;
/** A row of section 三: the three counts of requests and each outcome with the outcomes' total. */
export type RequestRow = 'received' | 'carried_over' | 'carried_forward' | Outcome | 'total';

/** Where one request stands in year Y's table (a request may sit in two rows: 一 or 二, and 三 or 四). */
export function requestRowsOf(r: RequestFacts, year: number): RequestRow[] {
  const from = yearStart(year);
  const to = yearEnd(year);
  const rows: RequestRow[] = [];
  if (r.received_on >= from && r.received_on <= to) rows.push('received');
  if (r.received_on < from && (r.concluded_on === null || r.concluded_on >= from)) rows.push('carried_over');
  // 三(七)总计 is the sum of the outcome rows: a request concluded without an outcome is in none.
  if (r.concluded_on !== null && r.concluded_on >= from && r.concluded_on <= to && r.outcome !== null) rows.push(r.outcome, 'total');
  if (r.received_on <= to && (r.concluded_on === null || r.concluded_on > to)) rows.push('carried_forward');
  return rows;
}

/**
 * 一 + 二 = 三(七) + 四 holds for a request unless its dates disagree (concluded before received, or
 * concluded without an outcome): such a request is on one side of its column only.
 */
export function unbalancing(r: RequestFacts, year: number): boolean {
  const rows = requestRowsOf(r, year);
  const left = rows.includes('received') || rows.includes('carried_over');
  const right = rows.includes('total') || rows.includes('carried_forward');
  return left !== right;
}

const emptyColumn = (): Column => ({ natural_person: 0, commercial: 0, research: 0, public_interest: 0, legal_service: 0, other: 0, total: 0 });

export interface UnbalancedColumn {
  column: ColumnKey;
  /** 一 + 二 */
  left: number;
  /** 三(七)总计 + 四 */
  right: number;
  requests: { id: number; number: string }[];
}

export interface RequestsSection {
  received: Column;
  carried_over: Column;
  outcomes: Record<Outcome | 'total', Column>;
  carried_forward: Column;
  balanced: boolean;
  unbalanced: UnbalancedColumn[];
}

export const BALANCE_NOTE = '第一项加第二项之和，等于第三项加第四项之和';

/** Section 三 for year Y over the given requests (those outside the year simply count nowhere). */
export function countRequests(records: Iterable<RequestFacts>, year: number): RequestsSection {
  const outcomes = Object.fromEntries([...OUTCOMES, 'total'].map((o) => [o, emptyColumn()])) as Record<Outcome | 'total', Column>;
  const section = { received: emptyColumn(), carried_over: emptyColumn(), outcomes, carried_forward: emptyColumn() };
  const culprits: RequestFacts[] = [];
  for (const r of records) {
    for (const row of requestRowsOf(r, year)) {
      const column = row === 'received' || row === 'carried_over' || row === 'carried_forward' ? section[row] : outcomes[row];
      column[r.applicant_type]++;
      column.total++;
    }
    if (unbalancing(r, year)) culprits.push(r);
  }
  const unbalanced: UnbalancedColumn[] = [];
  for (const column of [...APPLICANT_TYPES, 'total'] as const) {
    const left = section.received[column] + section.carried_over[column];
    const right = outcomes.total[column] + section.carried_forward[column];
    if (left === right) continue;
    const requests = culprits.filter((r) => column === 'total' || r.applicant_type === column).map((r) => ({ id: r.id, number: r.number }));
    unbalanced.push({ column, left, right, requests });
  }
  return { ...section, balanced: unbalanced.length === 0, unbalanced };
}

/** The requests behind one number of section 三. */
export function requestsInCell<R extends RequestFacts>(records: Iterable<R>, year: number, row: RequestRow, column: ColumnKey): R[] {
  const found: R[] = [];
  for (const r of records) {
    if ((column === 'total' || r.applicant_type === column) && requestRowsOf(r, year).includes(row)) found.push(r);
  }
  return found;
}

export type AppealCell = AppealResult | 'pending' | 'total';
export type AppealCounts = Record<AppealCell, number>;

/** Where one case stands in year Y's section 四: concluded in Y by result, or pending at its end. */
export function appealCellsOf(a: AppealFacts, year: number): AppealCell[] {
  const from = yearStart(year);
  const to = yearEnd(year);
  if (a.concluded_on !== null && a.concluded_on >= from && a.concluded_on <= to && a.result !== null) return [a.result, 'total'];
  if (a.filed_on <= to && (a.concluded_on === null || a.concluded_on > to)) return ['pending', 'total'];
  return [];
}

export function countAppeals(records: Iterable<AppealFacts>, year: number): Record<AppealKind, AppealCounts> {
  const empty = (): AppealCounts => ({ upheld: 0, corrected: 0, other: 0, pending: 0, total: 0 });
  const counts = { review: empty(), litigation_direct: empty(), litigation_after_review: empty() };
  for (const a of records) for (const cell of appealCellsOf(a, year)) counts[a.kind][cell]++;
  return counts;
}

export function appealsInCell<A extends AppealFacts>(records: Iterable<A>, year: number, kind: AppealKind, cell: AppealCell): A[] {
  const found: A[] = [];
  for (const a of records) if (a.kind === kind && appealCellsOf(a, year).includes(cell)) found.push(a);
  return found;
}

/** Every number of sections 三 and 四 that can be explained by its records. */
export const ANNUAL_CELLS: readonly string[] = [
  ...(['received', 'carried_over', ...OUTCOMES, 'total', 'carried_forward'] as const).flatMap((row) =>
    [...APPLICANT_TYPES, 'total'].map((column) => `requests.${row}.${column}`),
  ),
  ...APPEAL_KINDS.flatMap((kind) => [...APPEAL_RESULTS, 'pending', 'total'].map((cell) => `appeals.${kind}.${cell}`)),
];
