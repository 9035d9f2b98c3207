/**
 * Section 二 (主动公开政府信息情况) of the annual disclosure report, laid out as the official form of
 * 国办公开办函〔2021〕30号 and as printed in seed-report.txt: four small tables, each headed by the
 * item of Article 20 it answers. Every rendering (HTML, XLSX, CSV, DOCX) is built from this one
 * description, so the labels cannot drift apart between them.
 */
import { fenToWanYuan, type Article20KindCounts } from './article20.js';

/** The figures of section 二 for one year and organ. */
export interface Article20Figures {
  rules: Article20KindCounts;
  normative: Article20KindCounts;
  licensing: number;
  penalty: number;
  enforcement: number;
  fees_fen: bigint;
}

/** A cell that can be explained: `cell` names the drill-down list behind the number. */
export interface Article20FormValue {
  /** The number as printed: an integer count, or 万元 with two decimals. */
  text: string;
  /** The number for spreadsheets. */
  value: number;
  cell: Article20Cell;
}

export interface Article20FormTable {
  /** 第二十条第（一）项 … */
  heading: string;
  /** 信息内容, then one header per value column. */
  columns: string[];
  rows: { label: string; values: Article20FormValue[] }[];
}

export const ARTICLE20_SECTION_TITLE = '二、主动公开政府信息情况';

export const ARTICLE20_DOCUMENT_CELLS = [
  'issued',
  'ended',
  'ended_repealed',
  'ended_expired',
  'in_force',
  'in_force_previous',
  'pending_previous',
  'pending',
  'differences',
] as const;
export type Article20DocumentCell = (typeof ARTICLE20_DOCUMENT_CELLS)[number];

/** Every list a number of the report can be explained by. */
export const ARTICLE20_CELLS = [
  ...ARTICLE20_DOCUMENT_CELLS.map((c) => `rules.${c}` as const),
  ...ARTICLE20_DOCUMENT_CELLS.map((c) => `normative.${c}` as const),
  'licensing',
  'penalty',
  'enforcement',
  'fees',
] as const;
export type Article20Cell = (typeof ARTICLE20_CELLS)[number];

const ARTICLE20_DOCUMENT_CELL_LABELS: Readonly<Record<Article20DocumentCell, string>> = Object.freeze({
  issued: '本年制发',
  ended: '本年废止',
  ended_repealed: '本年废止（废止）',
  ended_expired: '本年废止（有效期届满失效）',
  in_force: '现行有效',
  in_force_previous: '上年末现行有效',
  pending_previous: '上年末尚未施行',
  pending: '年末尚未施行',
  differences: '勾稽不平的文件',
});

const ROW_LABELS = { rules: '规章', normative: '行政规范性文件' } as const;

/** "规章 · 本年制发" and the like, for page titles and file names. */
export function article20CellLabel(cell: Article20Cell): string {
  switch (cell) {
    case 'licensing':
      return '行政许可';
    case 'penalty':
      return '行政处罚';
    case 'enforcement':
      return '行政强制';
    case 'fees':
      return '行政事业性收费';
    default: {
      const [group, part] = cell.split('.') as ['rules' | 'normative', Article20DocumentCell];
      return `${ROW_LABELS[group]} · ${ARTICLE20_DOCUMENT_CELL_LABELS[part]}`;
    }
  }
}

const count = (n: number, cell: Article20Cell): Article20FormValue => ({ text: String(n), value: n, cell });

/** The four tables of section 二 with their labels exactly as on the official form. */
export function article20FormTables(f: Article20Figures): Article20FormTable[] {
  const wanYuan = fenToWanYuan(f.fees_fen);
  const kindRow = (group: 'rules' | 'normative') => ({
    label: ROW_LABELS[group],
    values: [count(f[group].issued, `${group}.issued`), count(f[group].ended, `${group}.ended`), count(f[group].in_force, `${group}.in_force`)],
  });
  return [
    {
      heading: '第二十条第（一）项',
      columns: ['信息内容', '本年制发件数', '本年废止件数', '现行有效件数'],
      rows: [kindRow('rules'), kindRow('normative')],
    },
    {
      heading: '第二十条第（五）项',
      columns: ['信息内容', '本年处理决定数量'],
      rows: [{ label: '行政许可', values: [count(f.licensing, 'licensing')] }],
    },
    {
      heading: '第二十条第（六）项',
      columns: ['信息内容', '本年处理决定数量'],
      rows: [
        { label: '行政处罚', values: [count(f.penalty, 'penalty')] },
        { label: '行政强制', values: [count(f.enforcement, 'enforcement')] },
      ],
    },
    {
      heading: '第二十条第（八）项',
      columns: ['信息内容', '本年收费金额（单位：万元）'],
      rows: [{ label: '行政事业性收费', values: [{ text: wanYuan, value: Number(wanYuan), cell: 'fees' }] }],
    },
  ];
}

/** The widest table's column count: the narrower tables span their last column across the rest. */
export const ARTICLE20_FORM_WIDTH = 4;
