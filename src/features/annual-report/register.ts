/**
 * The registers' records as typed in or imported: which dates may follow which, and the rows of an
 * import file (申请编号, 受理机关, 收到日期, 申请人类型, 办结日期, 办理结果 …) to records. Pure.
 */
import {
  APPEAL_KIND_LABELS,
  APPEAL_RESULTS,
  APPEAL_RESULT_LABELS,
  APPLICANT_LABELS,
  APPLICANT_TYPES,
  OUTCOMES,
  outcomeWording,
  type AppealKind,
  type AppealResult,
  type ApplicantType,
  type Outcome,
} from './annual-report.js';
import { yuanToFen } from '../article20/article20.js';
import {
  amountCellText,
  at,
  boundedText,
  cellText,
  collect,
  parseImportDate,
  type ColumnSpec,
  type RowParser,
} from '../article20/article20-import.js';
import { foldFullWidth } from '../../shared/doc-number.js';
import type { IsoDate } from '../../shared/dates.js';
import type { CellValue } from '../../platform/table-reader.js';

/** A request's fields as stored (fee in fen). */
export interface RequestValues {
  organ_id: number;
  number: string;
  received_on: IsoDate;
  applicant_type: ApplicantType;
  subject: string | null;
  correction_asked_on: IsoDate | null;
  correction_received_on: IsoDate | null;
  extended_on: IsoDate | null;
  concluded_on: IsoDate | null;
  outcome: Outcome | null;
  fee_fen: bigint | null;
}

export interface AppealValues {
  organ_id: number;
  number: string;
  kind: AppealKind;
  filed_on: IsoDate;
  concluded_on: IsoDate | null;
  result: AppealResult | null;
}

type FieldErrors = Record<string, string>;

/** The order a request's dates must keep, and an outcome exactly when concluded; field → message. */
export function requestDateErrors(v: Omit<RequestValues, 'organ_id' | 'number' | 'applicant_type' | 'subject' | 'fee_fen'>, today: IsoDate): FieldErrors {
  const errors: FieldErrors = {};
  const notAfterToday = { received_on: '收到日期', correction_asked_on: '补正告知日期', correction_received_on: '补正收到日期', extended_on: '延期日期', concluded_on: '办结日期' } as const;
  for (const [field, label] of Object.entries(notAfterToday)) {
    const day = v[field as keyof typeof notAfterToday];
    if (day !== null && day > today) errors[field] = `${label}不能晚于今天（${today}）`;
  }
  if (v.correction_asked_on !== null && v.correction_asked_on < v.received_on) errors['correction_asked_on'] = '补正告知日期不能早于收到日期';
  if (v.correction_received_on !== null && v.correction_asked_on === null) errors['correction_received_on'] = '没有补正告知日期，不能填写补正收到日期';
  else if (v.correction_received_on !== null && v.correction_received_on < v.correction_asked_on!) errors['correction_received_on'] = '补正收到日期不能早于补正告知日期';
  if (v.extended_on !== null && v.extended_on < v.received_on) errors['extended_on'] = '延期日期不能早于收到日期';
  if (v.concluded_on !== null && v.concluded_on < v.received_on) errors['concluded_on'] = '办结日期不能早于收到日期';
  if (v.concluded_on !== null && v.outcome === null) errors['outcome'] = '已办结的申请须填写办理结果';
  if (v.concluded_on === null && v.outcome !== null) errors['concluded_on'] = '填写了办理结果，须同时填写办结日期';
  return errors;
}

export function appealDateErrors(v: Pick<AppealValues, 'filed_on' | 'concluded_on' | 'result'>, today: IsoDate): FieldErrors {
  const errors: FieldErrors = {};
  if (v.filed_on > today) errors['filed_on'] = `立案日期不能晚于今天（${today}）`;
  if (v.concluded_on !== null && v.concluded_on > today) errors['concluded_on'] = `审结日期不能晚于今天（${today}）`;
  else if (v.concluded_on !== null && v.concluded_on < v.filed_on) errors['concluded_on'] = '审结日期不能早于立案日期';
  if (v.concluded_on !== null && v.result === null) errors['result'] = '已审结的案件须填写结果';
  if (v.concluded_on === null && v.result !== null) errors['concluded_on'] = '填写了结果，须同时填写审结日期';
  return errors;
}

/** Words compared without spaces, width, dashes or the 法人或其他组织 prefix people add. */
const wordKey = (text: string) =>
  foldFullWidth(text)
    .replace(/[\s“”"'「」]/g, '')
    .replace(/[—–－―~～]/g, '-')
    .replace(/^法人或其他组织-?/, '')
    .toLowerCase();

function wordTable<T extends string>(entries: [T, string[]][]): Map<string, T> {
  return new Map(entries.flatMap(([code, words]) => [code, ...words].map((w) => [wordKey(w), code] as [string, T])));
}

const APPLICANT_WORDS = wordTable(APPLICANT_TYPES.map((t) => [t, [APPLICANT_LABELS[t], ...(t === 'natural_person' ? ['个人', '公民'] : [])]]));
const OUTCOME_WORDS = wordTable(OUTCOMES.map((o) => [o, [outcomeWording(o), outcomeWording(o).replace(/^.*?-/, '')]]));
const APPEAL_KIND_WORDS = wordTable<AppealKind>([
  ['review', [APPEAL_KIND_LABELS.review]],
  ['litigation_direct', [APPEAL_KIND_LABELS.litigation_direct, '未经复议直接起诉', '直接起诉']],
  ['litigation_after_review', [APPEAL_KIND_LABELS.litigation_after_review, '复议后起诉']],
]);
const APPEAL_RESULT_WORDS = wordTable(APPEAL_RESULTS.map((r) => [r, [APPEAL_RESULT_LABELS[r], APPEAL_RESULT_LABELS[r].replace(/^结果/, '').replace(/结果$/, '')]]));

function word<T extends string>(table: Map<string, T>, value: CellValue, label: string, hint: string, required: boolean): T | null {
  const text = cellText(value);
  if (text === '') {
    if (required) throw new RangeError(`${label}不能为空`);
    return null;
  }
  const code = table.get(wordKey(text));
  if (!code) throw new RangeError(`${label}“${text}”无法识别，应为 ${hint}`);
  return code;
}

export const REQUEST_COLUMNS = {
  number: { names: ['number', '申请编号'], required: true },
  organ: { names: ['organ', '受理机关'], required: true },
  received_on: { names: ['received_on', '收到日期', '收到申请日期'], required: true },
  applicant_type: { names: ['applicant_type', '申请人类型'], required: true },
  concluded_on: { names: ['concluded_on', '办结日期'], required: false },
  outcome: { names: ['outcome', '办理结果'], required: false },
  subject: { names: ['subject', '申请内容'], required: false },
  correction_asked_on: { names: ['correction_asked_on', '补正告知日期'], required: false },
  correction_received_on: { names: ['correction_received_on', '补正收到日期'], required: false },
  extended_on: { names: ['extended_on', '延期日期'], required: false },
  fee_yuan: { names: ['fee_yuan', '信息处理费（元）', '信息处理费'], required: false },
} as const satisfies Record<string, ColumnSpec>;

export const APPEAL_COLUMNS = {
  number: { names: ['number', '案件编号'], required: true },
  organ: { names: ['organ', '被申请机关', '受理机关'], required: true },
  kind: { names: ['kind', '案件类型'], required: true },
  filed_on: { names: ['filed_on', '立案日期'], required: true },
  concluded_on: { names: ['concluded_on', '审结日期'], required: false },
  result: { names: ['result', '结果'], required: false },
} as const satisfies Record<string, ColumnSpec>;

export type ParsedRequest = Omit<RequestValues, 'organ_id'> & { organ: string };
export type ParsedAppeal = Omit<AppealValues, 'organ_id'> & { organ: string };

const optionalDate = (value: CellValue, today: IsoDate, label: string, date1904: boolean) =>
  cellText(value) === '' ? null : parseImportDate(value, today, label, date1904);

function orderProblems(errors: FieldErrors): RangeError | null {
  const messages = Object.values(errors);
  return messages.length ? new RangeError(messages.join('；')) : null;
}

export const parseRequestRow: RowParser<keyof typeof REQUEST_COLUMNS, ParsedRequest> = (cells, columns, today, date1904 = false) => {
  const get = (field: keyof typeof REQUEST_COLUMNS) => at(cells, columns, field);
  const result = collect<ParsedRequest>({
    number: () => boundedText(get('number'), '申请编号', 100),
    organ: () => boundedText(get('organ'), '受理机关', 100),
    received_on: () => parseImportDate(get('received_on'), today, '收到日期', date1904),
    applicant_type: () => word(APPLICANT_WORDS, get('applicant_type'), '申请人类型', '自然人、商业企业、科研机构、社会公益组织、法律服务机构 或 其他', true)!,
    concluded_on: () => optionalDate(get('concluded_on'), today, '办结日期', date1904),
    outcome: () => word(OUTCOME_WORDS, get('outcome'), '办理结果', '年报表格的用语，如“予以公开”“不予公开-属于国家秘密”，或其代码', false),
    subject: () => (cellText(get('subject')) === '' ? null : boundedText(get('subject'), '申请内容', 500)),
    correction_asked_on: () => optionalDate(get('correction_asked_on'), today, '补正告知日期', date1904),
    correction_received_on: () => optionalDate(get('correction_received_on'), today, '补正收到日期', date1904),
    extended_on: () => optionalDate(get('extended_on'), today, '延期日期', date1904),
    fee_fen: () => (cellText(get('fee_yuan')) === '' ? null : yuanToFen(amountCellText(get('fee_yuan')))),
  });
  if (!result.ok) return result;
  const problem = orderProblems(requestDateErrors(result.value, today));
  return problem ? { ok: false, message: problem.message } : result;
};

export const parseAppealRow: RowParser<keyof typeof APPEAL_COLUMNS, ParsedAppeal> = (cells, columns, today, date1904 = false) => {
  const get = (field: keyof typeof APPEAL_COLUMNS) => at(cells, columns, field);
  const result = collect<ParsedAppeal>({
    number: () => boundedText(get('number'), '案件编号', 100),
    organ: () => boundedText(get('organ'), '被申请机关', 100),
    kind: () => word(APPEAL_KIND_WORDS, get('kind'), '案件类型', '行政复议、未经复议直接起诉 或 复议后起诉', true)!,
    filed_on: () => parseImportDate(get('filed_on'), today, '立案日期', date1904),
    concluded_on: () => optionalDate(get('concluded_on'), today, '审结日期', date1904),
    result: () => word(APPEAL_RESULT_WORDS, get('result'), '结果', '维持、纠正 或 其他', false),
  });
  if (!result.ok) return result;
  const problem = orderProblems(appealDateErrors(result.value, today));
  return problem ? { ok: false, message: problem.message } : result;
};
