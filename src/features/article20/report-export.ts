/**
 * Section 二 of the annual report as files: XLSX and DOCX laid out as the official form (merged
 * heading cells, the form's labels), CSV for anything else. All three are drawn from
 * article20FormTables, the one description of the form.
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  VerticalAlign,
  WidthType,
} from 'docx';
import ExcelJS from 'exceljs';
import { toCsv } from '../../shared/csv.js';
import {
  ARTICLE20_FORM_WIDTH,
  ARTICLE20_SECTION_TITLE,
  article20FormTables,
  type Article20FormTable,
} from './article20-form.js';
import { figuresOf, RECONCILIATION_FORMULA, type Article20Report } from './report.service.js';

export const EXPORT_TYPES = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  csv: 'text/csv; charset=utf-8',
} as const;
export type ExportFormat = keyof typeof EXPORT_TYPES;

/** "静乐县人民政府（含下级机关）2023 年度" */
export function reportCaption(report: Article20Report): string {
  return `${report.organ.name}${report.subtree ? '（含下级机关）' : ''} ${report.year} 年度`;
}

function exportFileName(report: Article20Report, format: ExportFormat): string {
  const organ = report.organ.name.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '');
  return `${organ}${report.subtree ? '（含下级机关）' : ''}${report.year}年度政府信息公开年报第二十条.${format}`;
}

/**
 * A form table as a grid ARTICLE20_FORM_WIDTH columns wide: the heading spans the whole width, and
 * in the one-number tables the number (and its column header) spans the columns after the label,
 * as on the official form.
 */
function gridRows(table: Article20FormTable): { text: string; value?: number; span: number; isFee?: boolean }[][] {
  const lastSpan = ARTICLE20_FORM_WIDTH - table.columns.length + 1;
  const spanOf = (i: number, count: number) => (i === count - 1 ? lastSpan : 1);
  return [
    [{ text: table.heading, span: ARTICLE20_FORM_WIDTH }],
    table.columns.map((text, i) => ({ text, span: spanOf(i, table.columns.length) })),
    ...table.rows.map((row) => [
      { text: row.label, span: 1 },
      ...row.values.map((v, i) => ({ text: v.text, value: v.value, span: spanOf(i + 1, table.columns.length), isFee: v.cell === 'fees' })),
    ]),
  ];
}

const THIN = { style: 'thin' as const };
export const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };

async function article20Xlsx(report: Article20Report): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = '规范性文件库';
  addArticle20Sheet(workbook, report);
  addNotesSheet(workbook, report);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Section 二 as a worksheet of the official layout (the annual report's workbook has one too). */
export function addArticle20Sheet(workbook: ExcelJS.Workbook, report: Article20Report): void {
  const sheet = workbook.addWorksheet('第二十条', {
    pageSetup: { paperSize: 9, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  sheet.columns = [{ width: 24 }, { width: 16 }, { width: 16 }, { width: 16 }];
  let r = 1;
  const banner = (text: string, bold: boolean) => {
    sheet.mergeCells(r, 1, r, ARTICLE20_FORM_WIDTH);
    const cell = sheet.getCell(r, 1);
    cell.value = text;
    cell.font = { bold, size: bold ? 14 : 11 };
    cell.alignment = { horizontal: 'center' };
    r++;
  };
  banner(ARTICLE20_SECTION_TITLE, true);
  banner(reportCaption(report), false);
  for (const table of article20FormTables(figuresOf(report))) {
    gridRows(table).forEach((cells, i) => {
      let c = 1;
      for (const cell of cells) {
        if (cell.span > 1) sheet.mergeCells(r, c, r, c + cell.span - 1);
        const target = sheet.getCell(r, c);
        target.value = cell.value ?? cell.text;
        if (cell.isFee) target.numFmt = '0.00';
        target.font = { bold: i < 2 };
        target.alignment = { horizontal: i === 0 || c > 1 ? 'center' : 'left', vertical: 'middle', wrapText: true };
        for (let k = c; k < c + cell.span; k++) sheet.getCell(r, k).border = BORDER;
        c += cell.span;
      }
      r++;
    });
  }
}

/** How the numbers were counted, for the compiler's file rather than for the printed report. */
function addNotesSheet(workbook: ExcelJS.Workbook, report: Article20Report): void {
  const notes = workbook.addWorksheet('计算说明');
  notes.columns = [{ width: 36 }, { width: 14 }, { width: 18 }];
  notes.addRow(['项目', '规章', '行政规范性文件']).font = { bold: true };
  const { rules, normative } = report.reconciliation;
  const rows: [string, number, number][] = [
    ['本年废止：废止', report.rules.ended_repealed, report.normative.ended_repealed],
    ['本年废止：有效期届满失效', report.rules.ended_expired, report.normative.ended_expired],
    ['上年末现行有效', rules.in_force_previous, normative.in_force_previous],
    ['上年末尚未施行', rules.pending_previous, normative.pending_previous],
    ['本年制发', rules.issued, normative.issued],
    ['本年废止', rules.ended, normative.ended],
    ['年末尚未施行', rules.pending, normative.pending],
    ['按勾稽关系应为现行有效', rules.expected_in_force, normative.expected_in_force],
    ['实际现行有效', rules.in_force, normative.in_force],
    ['差异', rules.difference, normative.difference],
    ['日期不一致的文件数', rules.differing_documents, normative.differing_documents],
  ];
  for (const row of rows) notes.addRow(row);
  notes.addRow([]);
  notes.addRow([`勾稽关系：${RECONCILIATION_FORMULA}`]);
}

function article20Csv(report: Article20Report): Buffer {
  const pad = (cells: string[]) => [...cells, ...Array<string>(Math.max(0, ARTICLE20_FORM_WIDTH - cells.length)).fill('')];
  const lines: string[][] = [pad([ARTICLE20_SECTION_TITLE]), pad([reportCaption(report)])];
  for (const table of article20FormTables(figuresOf(report))) {
    lines.push(pad([table.heading]), pad(table.columns), ...table.rows.map((row) => pad([row.label, ...row.values.map((v) => v.text)])));
  }
  return toCsv(lines);
}

export const DOCX_BORDER = { style: BorderStyle.SINGLE, size: 4, color: '000000' };
export const DOCX_BORDERS = { top: DOCX_BORDER, bottom: DOCX_BORDER, left: DOCX_BORDER, right: DOCX_BORDER };

/** The four tables of section 二, in 宋体 as annual reports are typeset, ready to paste. */
async function article20Docx(report: Article20Report): Promise<Buffer> {
  const children: (Paragraph | Table)[] = [
    new Paragraph({ children: [new TextRun({ text: ARTICLE20_SECTION_TITLE, bold: true, font: { eastAsia: '黑体' }, size: 32 })] }),
    new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: reportCaption(report) })] }),
    ...article20DocxTables(report),
  ];
  const document = new Document({
    creator: '规范性文件库',
    title: `${reportCaption(report)} ${ARTICLE20_SECTION_TITLE}`,
    styles: DOCX_STYLES,
    sections: [{ children }],
  });
  return Packer.toBuffer(document);
}

/** 宋体 with Times New Roman for Latin text, 五号 (10.5 pt), as annual reports are typeset. */
export const DOCX_STYLES = { default: { document: { run: { font: { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '宋体' }, size: 21 } } } };

/** The tables of section 二, each followed by an empty paragraph. */
export function article20DocxTables(report: Article20Report): (Paragraph | Table)[] {
  const children: (Paragraph | Table)[] = [];
  for (const table of article20FormTables(figuresOf(report))) {
    children.push(
      new Table({
        width: { size: 100, type: WidthType.PERCENTAGE },
        rows: gridRows(table).map(
          (cells, i) =>
            new TableRow({
              tableHeader: i < 2,
              children: cells.map(
                (cell, c) =>
                  new TableCell({
                    columnSpan: cell.span,
                    borders: DOCX_BORDERS,
                    verticalAlign: VerticalAlign.CENTER,
                    children: [
                      new Paragraph({
                        alignment: i === 0 || c > 0 ? AlignmentType.CENTER : AlignmentType.LEFT,
                        children: [new TextRun({ text: cell.text, bold: i < 2 })],
                      }),
                    ],
                  }),
              ),
            }),
        ),
      }),
      new Paragraph({ children: [] }),
    );
  }
  return children;
}

/** The report as a file of the given format. */
export async function exportArticle20(report: Article20Report, format: ExportFormat): Promise<{ name: string; type: string; bytes: Buffer }> {
  const bytes =
    format === 'xlsx' ? await article20Xlsx(report) : format === 'docx' ? await article20Docx(report) : article20Csv(report);
  return { name: exportFileName(report, format), type: EXPORT_TYPES[format], bytes };
}
