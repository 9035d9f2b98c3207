/**
 * The tables of sections 三 and 四 as laid out by 国办公开办函〔2021〕30号 (and the seed report): merged
 * headers, the 勾稽 note in the corner, labels in three levels. DOCX, XLSX and the page are drawn from
 * these grids, so the labels cannot drift apart between them. Pure.
 */
import {
  APPEAL_KINDS,
  APPEAL_RESULT_LABELS,
  APPLICANT_LABELS,
  APPLICANT_TYPES,
  BALANCE_NOTE,
  OUTCOME_ROWS,
  type AppealCounts,
  type AppealKind,
  type Column,
  type RequestsSection,
} from './annual-report.js';

export interface GridCell {
  text: string;
  /** The number, for spreadsheets; `cell` names the records behind it. */
  value?: number;
  cell?: string;
  colSpan?: number;
  rowSpan?: number;
  header?: boolean;
}
export type GridRow = GridCell[];

export const SECTION_TITLES = {
  one: '一、政府信息公开总体情况',
  two: '二、主动公开政府信息情况',
  three: '三、收到和处理政府信息公开申请情况',
  four: '四、政府信息公开行政复议、行政诉讼情况',
  five: '五、政府信息公开工作存在的主要问题及改进情况',
  six: '六、其他需要报告的事项',
} as const;

export const REQUESTS_NOTE = `（本列数据的勾稽关系为：${BALANCE_NOTE}）`;
export const REQUESTS_TABLE_WIDTH = 10;
export const APPEALS_TABLE_WIDTH = 15;

const COLUMNS = [...APPLICANT_TYPES, 'total'] as const;

function values(column: Column, row: string): GridCell[] {
  return COLUMNS.map((c) => ({ text: String(column[c]), value: column[c], cell: `requests.${row}.${c}` }));
}

/** Groups of the outcome rows, in order, with how many rows each spans. */
function outcomeGroups() {
  const groups: { group: string; rows: (typeof OUTCOME_ROWS)[number][] }[] = [];
  for (const row of OUTCOME_ROWS) {
    const last = groups[groups.length - 1];
    if (last && last.group === row.group) last.rows.push(row);
    else groups.push({ group: row.group, rows: [row] });
  }
  return groups;
}

/** Section 三: 26 rows under a three-row header, ten columns (three of labels, six applicants, 总计). */
export function requestsTable(s: RequestsSection): GridRow[] {
  const header: GridRow[] = [
    [
      { text: REQUESTS_NOTE, colSpan: 3, rowSpan: 3, header: true },
      { text: '申请人情况', colSpan: 7, header: true },
    ],
    [
      { text: APPLICANT_LABELS.natural_person, rowSpan: 2, header: true },
      { text: '法人或其他组织', colSpan: 5, header: true },
      { text: '总计', rowSpan: 2, header: true },
    ],
    APPLICANT_TYPES.slice(1).map((t) => ({ text: APPLICANT_LABELS[t], header: true })),
  ];
  const outcomes: GridRow[] = [];
  for (const { group, rows } of outcomeGroups()) {
    rows.forEach((row, i) => {
      const labels: GridCell[] =
        row.label === '' ? [{ text: group, colSpan: 2 }] : [...(i === 0 ? [{ text: group, rowSpan: rows.length }] : []), { text: row.label }];
      outcomes.push([...labels, ...values(s.outcomes[row.code], row.code)]);
    });
  }
  outcomes.push([{ text: '（七）总计', colSpan: 2 }, ...values(s.outcomes.total, 'total')]);
  outcomes[0]!.unshift({ text: '三、本年度办理结果', rowSpan: outcomes.length });
  return [
    ...header,
    [{ text: '一、本年新收政府信息公开申请数量', colSpan: 3 }, ...values(s.received, 'received')],
    [{ text: '二、上年结转政府信息公开申请数量', colSpan: 3 }, ...values(s.carried_over, 'carried_over')],
    ...outcomes,
    [{ text: '四、结转下年度继续办理', colSpan: 3 }, ...values(s.carried_forward, 'carried_forward')],
  ];
}

const APPEAL_CELLS = ['upheld', 'corrected', 'other', 'pending', 'total'] as const;

/** Section 四: fifteen numbers under a three-row header. */
export function appealsTable(counts: Record<AppealKind, AppealCounts>): GridRow[] {
  const labels = (): GridCell[] => APPEAL_CELLS.map((c) => ({ text: APPEAL_RESULT_LABELS[c], header: true }));
  return [
    [
      { text: '行政复议', colSpan: 5, rowSpan: 2, header: true },
      { text: '行政诉讼', colSpan: 10, header: true },
    ],
    [
      { text: '未经复议直接起诉', colSpan: 5, header: true },
      { text: '复议后起诉', colSpan: 5, header: true },
    ],
    [...labels(), ...labels(), ...labels()],
    APPEAL_KINDS.flatMap((kind) => APPEAL_CELLS.map((c) => ({ text: String(counts[kind][c]), value: counts[kind][c], cell: `appeals.${kind}.${c}` }))),
  ];
}

/** Where each cell of a grid sits (row, column, 0-based), skipping the places that earlier row spans fill. */
export function placeGrid(rows: GridRow[], width: number): { r: number; c: number; cell: GridCell }[] {
  const taken = rows.map(() => new Array<boolean>(width).fill(false));
  const placed: { r: number; c: number; cell: GridCell }[] = [];
  rows.forEach((row, r) => {
    let c = 0;
    for (const cell of row) {
      while (taken[r]![c]) c++;
      for (let dr = 0; dr < (cell.rowSpan ?? 1); dr++) for (let dc = 0; dc < (cell.colSpan ?? 1); dc++) taken[r + dr]![c + dc] = true;
      placed.push({ r, c, cell });
      c += cell.colSpan ?? 1;
    }
  });
  return placed;
}
