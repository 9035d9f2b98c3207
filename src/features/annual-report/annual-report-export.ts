/**
 * The whole annual report as a DOCX in the official layout (title, the lead paragraph with the
 * statistics period, sections 一 to 六, the tables of 二, 三 and 四), and its tables as an XLSX.
 */
import { AlignmentType, Document, Packer, Paragraph, Table, TableCell, TableRow, TextRun, VerticalAlign, WidthType } from 'docx';
import ExcelJS from 'exceljs';
import { addArticle20Sheet, article20DocxTables, DOCX_BORDERS, DOCX_STYLES } from '../article20/report-export.js';
import {
  APPEALS_TABLE_WIDTH,
  REQUESTS_TABLE_WIDTH,
  SECTION_TITLES,
  appealsTable,
  placeGrid,
  requestsTable,
  type GridRow,
} from './annual-report-form.js';
import type { AnnualReport } from './annual-report.service.js';

export const ANNUAL_EXPORT_TYPES = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

export function annualReportTitle(report: Pick<AnnualReport, 'year' | 'article20'>): string {
  return `${report.article20.organ.name}${report.article20.subtree ? '（含下级机关）' : ''} ${report.year} 年政府信息公开工作年度报告`;
}

/** The lead paragraph of every report of the 2021 format, with the statistics period. */
export function leadParagraph(year: number): string {
  return (
    '本年度报告根据《中华人民共和国政府信息公开条例》（国务院令 第 711 号）规定和国务院办公厅政府信息公开与政务公开办公室' +
    '《关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30 号）的相关要求编制，' +
    '全文包括政府信息公开总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、因政府信息公开工作被申请行政复议和提起行政诉讼情况、' +
    `政府信息公开工作存在的主要问题及改进情况和其他需要报告的事项等方面。本年度报告所列数据统计期限自 ${year} 年 1 月 1 日起至 ${year} 年 12 月 31 日止。`
  );
}

export function exportFileName(report: Pick<AnnualReport, 'year' | 'article20'>, format: keyof typeof ANNUAL_EXPORT_TYPES, published = false): string {
  const name = annualReportTitle(report).replace(/[\\/:*?"<>|\u0000-\u001f\s]/g, '');
  return `${name}${published ? '（已发布）' : ''}.${format}`;
}

const heading = (text: string) => new Paragraph({ spacing: { before: 240, after: 120 }, children: [new TextRun({ text, bold: true, font: { eastAsia: '黑体' }, size: 32 })] });
const paragraphs = (text: string) =>
  text
    .split(/\n+/)
    .filter((p) => p.trim() !== '')
    .map((p) => new Paragraph({ indent: { firstLine: 420 }, children: [new TextRun({ text: p.trim() })] }));

function docxTable(rows: GridRow[], size = 21): Table {
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: rows.map(
      (cells) =>
        new TableRow({
          children: cells.map(
            (cell) =>
              new TableCell({
                ...(cell.colSpan ? { columnSpan: cell.colSpan } : {}),
                ...(cell.rowSpan ? { rowSpan: cell.rowSpan } : {}),
                borders: DOCX_BORDERS,
                verticalAlign: VerticalAlign.CENTER,
                children: [
                  new Paragraph({
                    alignment: cell.value === undefined && !cell.header ? AlignmentType.LEFT : AlignmentType.CENTER,
                    children: [new TextRun({ text: cell.text, bold: cell.header === true, size })],
                  }),
                ],
              }),
          ),
        }),
    ),
  });
}

export async function annualReportDocx(report: AnnualReport): Promise<Buffer> {
  const children: (Paragraph | Table)[] = [
    new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 240 }, children: [new TextRun({ text: annualReportTitle(report), bold: true, size: 36, font: { eastAsia: '方正小标宋简体' } })] }),
    new Paragraph({ indent: { firstLine: 420 }, children: [new TextRun({ text: leadParagraph(report.year) })] }),
    heading(SECTION_TITLES.one),
    ...paragraphs(report.sections.one),
    heading(SECTION_TITLES.two),
    ...article20DocxTables(report.article20),
    heading(SECTION_TITLES.three),
    docxTable(requestsTable(report.requests), 18),
    heading(SECTION_TITLES.four),
    docxTable(appealsTable(report.appeals), 18),
    heading(SECTION_TITLES.five),
    ...paragraphs(report.sections.five),
    heading(SECTION_TITLES.six),
    ...paragraphs(report.sections.six),
  ];
  const document = new Document({ creator: '规范性文件库', title: annualReportTitle(report), styles: DOCX_STYLES, sections: [{ children }] });
  return Packer.toBuffer(document);
}

const THIN = { style: 'thin' as const };
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };

function gridSheet(workbook: ExcelJS.Workbook, name: string, title: string, rows: GridRow[], width: number) {
  const sheet = workbook.addWorksheet(name, { pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  sheet.columns = Array.from({ length: width }, (_, i) => ({ width: name === '三' && i < 3 ? 22 : 11 }));
  sheet.mergeCells(1, 1, 1, width);
  sheet.getCell(1, 1).value = title;
  sheet.getCell(1, 1).font = { bold: true, size: 14 };
  for (const { r, c, cell } of placeGrid(rows, width)) {
    const row = r + 2;
    const col = c + 1;
    const last = { row: row + (cell.rowSpan ?? 1) - 1, col: col + (cell.colSpan ?? 1) - 1 };
    if (last.row > row || last.col > col) sheet.mergeCells(row, col, last.row, last.col);
    const target = sheet.getCell(row, col);
    target.value = cell.value ?? cell.text;
    target.font = { bold: cell.header === true };
    target.alignment = { horizontal: cell.value === undefined && !cell.header ? 'left' : 'center', vertical: 'middle', wrapText: true };
    for (let i = row; i <= last.row; i++) for (let k = col; k <= last.col; k++) sheet.getCell(i, k).border = BORDER;
  }
}

/** The tables of sections 二, 三 and 四, one worksheet each. */
export async function annualReportXlsx(report: AnnualReport): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = '规范性文件库';
  addArticle20Sheet(workbook, report.article20);
  gridSheet(workbook, '三', SECTION_TITLES.three, requestsTable(report.requests), REQUESTS_TABLE_WIDTH);
  gridSheet(workbook, '四', SECTION_TITLES.four, appealsTable(report.appeals), APPEALS_TABLE_WIDTH);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export async function exportAnnualReport(report: AnnualReport, format: keyof typeof ANNUAL_EXPORT_TYPES) {
  const bytes = format === 'docx' ? await annualReportDocx(report) : await annualReportXlsx(report);
  return { name: exportFileName(report, format), type: ANNUAL_EXPORT_TYPES[format], bytes };
}
