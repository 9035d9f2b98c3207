/**
 * The 目录 as files in the layout counties publish: a title row, the column headers, numbered rows
 * grouped by organ (a heading row per organ when there are several). XLSX and DOCX for publishing,
 * CSV for anything else; all three from catalogTable, the one description of the layout.
 */
import { AlignmentType, Document, Packer, PageOrientation, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import ExcelJS from 'exceljs';
import { toCsv } from '../../shared/csv.js';
import { BORDER, DOCX_BORDERS, EXPORT_TYPES, type ExportFormat } from '../article20/report-export.js';
import type { EndedCatalog, InForceCatalog } from './catalogs.service.js';

export type CatalogFormat = ExportFormat;
export const CATALOG_FORMATS = ['json', ...(Object.keys(EXPORT_TYPES) as CatalogFormat[])] as const;

type Catalog = InForceCatalog | EndedCatalog;

/** A row of the file: an organ's heading, or a document's cells. */
type Line = { heading: string } | { cells: (string | number)[] };

export interface CatalogTable {
  title: string;
  columns: string[];
  widths: number[];
  lines: Line[];
}

const COMMON = ['序号', '标题', '文号', '发文机关', '成文日期'];

/** The layout of a 目录, shared by the three formats and the public page. */
export function catalogTable(catalog: Catalog): CatalogTable {
  const inForce = catalog.catalog === 'in_force';
  const columns = inForce ? [...COMMON, '施行日期', '有效期至', '修改情况'] : [...COMMON, '施行日期', '失效日期', '失效原因'];
  const lines: Line[] = [];
  for (const group of catalog.groups) {
    if (catalog.groups.length > 1) lines.push({ heading: group.organ.name });
    for (const item of group.items) {
      const own = 'amendments' in item ? [item.expires_on ?? '', item.amendments] : [item.ended_on, item.reason];
      lines.push({ cells: [item.number, item.title, item.doc_number ?? '', item.organ.name, item.signed_on ?? '', item.effective_on, ...own] });
    }
  }
  return { title: catalog.title, columns, widths: [6, 48, 22, 20, 12, 12, 12, 24], lines };
}

async function catalogXlsx(table: CatalogTable): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = '规范性文件库';
  const sheet = workbook.addWorksheet('目录', {
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '2:2' },
  });
  sheet.columns = table.widths.map((width) => ({ width }));
  const width = table.columns.length;
  sheet.mergeCells(1, 1, 1, width);
  Object.assign(sheet.getCell(1, 1), { value: table.title, font: { bold: true, size: 16 }, alignment: { horizontal: 'center' } });
  const header = sheet.addRow(table.columns);
  header.font = { bold: true };
  for (const line of table.lines) {
    const row = sheet.addRow('heading' in line ? [line.heading] : line.cells);
    if ('heading' in line) {
      sheet.mergeCells(row.number, 1, row.number, width);
      row.font = { bold: true };
    }
  }
  for (let r = 2; r <= sheet.rowCount; r++) {
    for (let c = 1; c <= width; c++) {
      const cell = sheet.getCell(r, c);
      cell.border = BORDER;
      cell.alignment = { vertical: 'middle', wrapText: true, horizontal: c === 1 || r === 2 ? 'center' : 'left' };
    }
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function docxCell(text: string, options: { bold?: boolean; span?: number; center?: boolean } = {}) {
  return new TableCell({
    borders: DOCX_BORDERS,
    ...(options.span ? { columnSpan: options.span } : {}),
    children: [new Paragraph({ alignment: options.center ? AlignmentType.CENTER : AlignmentType.LEFT, children: [new TextRun({ text, bold: options.bold ?? false })] })],
  });
}

/** A landscape page in 宋体 with the title in 方正小标宋 style (黑体 where that font is missing). */
async function catalogDocx(table: CatalogTable): Promise<Buffer> {
  const rows = [
    new TableRow({ tableHeader: true, children: table.columns.map((c) => docxCell(c, { bold: true, center: true })) }),
    ...table.lines.map((line) =>
      'heading' in line
        ? new TableRow({ children: [docxCell(line.heading, { bold: true, span: table.columns.length })] })
        : new TableRow({ children: line.cells.map((c, i) => docxCell(String(c), { center: i === 0 })) }),
    ),
  ];
  const document = new Document({
    creator: '规范性文件库',
    title: table.title,
    styles: { default: { document: { run: { font: { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '宋体' }, size: 21 } } } },
    sections: [
      {
        properties: { page: { size: { orientation: PageOrientation.LANDSCAPE } } },
        children: [
          new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: table.title, bold: true, font: { eastAsia: '黑体' }, size: 32 })] }),
          new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, rows }),
        ],
      },
    ],
  });
  return Packer.toBuffer(document);
}

function catalogCsv(table: CatalogTable): Buffer {
  const pad = (cells: (string | number)[]) => [...cells, ...Array<string>(Math.max(0, table.columns.length - cells.length)).fill('')];
  return toCsv([pad([table.title]), table.columns, ...table.lines.map((line) => pad('heading' in line ? [line.heading] : line.cells))]);
}

/** The 目录 as a file named by its title. */
export async function exportCatalog(catalog: Catalog, format: CatalogFormat): Promise<{ name: string; type: string; bytes: Buffer }> {
  const table = catalogTable(catalog);
  const bytes = format === 'xlsx' ? await catalogXlsx(table) : format === 'docx' ? await catalogDocx(table) : catalogCsv(table);
  const name = `${table.title.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '')}.${format}`;
  return { name, type: EXPORT_TYPES[format], bytes };
}
